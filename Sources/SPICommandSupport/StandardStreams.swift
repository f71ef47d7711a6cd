import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes to standard output and standard error without ever trapping, and remembers whether a write failed.
///
/// Foundation's `FileHandle.write(_:)` traps when the write fails (a full disk, `2>/dev/full`, a closed pipe), which
/// turned every error path into a crash with no message. These writes go through `write(2)`, retry on interruption and
/// partial writes, and only note a failure; `spi` then exits non-zero (``failed``), and standard output, which
/// `print` buffers, is flushed and checked before every exit (``flushStandardOutput()``).
public enum StandardStreams {
    /// Whether a write to standard output or standard error failed in this process.
    nonisolated(unsafe) public static var failed = false

    /// Writes `text` to standard error.
    public static func writeError(_ text: String) {
        writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    /// Writes `text` to standard output, after what `print` buffered.
    public static func writeOutput(_ text: String) {
        writeOutput(Array(text.utf8))
    }

    /// Writes `bytes` to standard output, after what `print` buffered.
    public static func writeOutput(_ bytes: [UInt8]) {
        if fflush(nil) != 0 { failed = true }
        writeAll(bytes, to: STDOUT_FILENO)
    }

    /// Flushes what `print` buffered (every C stream: only standard output is written through one); returns false
    /// (and notes the failure) when it cannot be written.
    @discardableResult
    public static func flushStandardOutput() -> Bool {
        if fflush(nil) != 0 {
            failed = true
            return false
        }
        return true
    }

    private static func writeAll(_ output: [UInt8], to descriptor: Int32) {
        var bytes = output[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
            if written < 0 {
                if errno == EINTR { continue }
                failed = true
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
