import Foundation

/// Writes this process's peak resident memory to a file when it exits, for the benchmark suite (B7).
///
/// A child's `ru_maxrss` cannot serve: on Linux a process started with `posix_spawn` (which shares its parent's
/// memory until `exec`) inherits the parent's high-water mark, so every child of a large parent reports at least the
/// parent's size. `VmHWM` in `/proc/self/status` counts only the process's own memory. The suite sets
/// `SPI_BENCH_PEAK_FILE` for the children it spawns; without it, nothing happens.
public enum PeakMemoryReport {
    /// The environment variable naming the file to write.
    public static let variable = "SPI_BENCH_PEAK_FILE"

    /// Arranges the report at exit when the variable is set.
    public static func installIfRequested() {
        guard ProcessInfo.processInfo.environment[variable] != nil else { return }
        atexit {
            guard let path = ProcessInfo.processInfo.environment[PeakMemoryReport.variable],
                let peak = PeakMemoryReport.currentPeakBytes()
            else { return }
            try? Data("\(peak)\n".utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    /// `VmHWM` from `/proc/self/status`, in bytes; nil where there is no such file.
    public static func currentPeakBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return peakBytes(inStatus: status)
    }

    /// The `VmHWM:` line of a `/proc/<pid>/status` text, in bytes.
    public static func peakBytes(inStatus status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:\t   1234 kB": the number is padded to 8 columns, so a large one follows the tab directly.
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }
}
