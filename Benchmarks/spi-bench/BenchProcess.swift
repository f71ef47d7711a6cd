import Foundation
import SPICommandSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child `spi` process started by the benchmark suite, with its output in files and its resource usage (peak
/// resident memory) read when it is reaped.
///
/// Foundation's `Process` reaps its children itself and hides their `rusage`, so the suite spawns with
/// `posix_spawn` and reaps with `wait4`.
///
/// ```swift
/// let child = try BenchProcess.spawn(["--db", "org.db", "whoami", "--json"], in: directory)
/// let exit = try child.wait()          // exit.status, exit.peakResidentBytes
/// print(child.standardOutput)
/// ```
final class BenchProcess {
    /// The child's process id.
    let pid: pid_t
    /// The arguments it was started with (after the executable).
    let arguments: [String]
    /// Where its stdout goes.
    let outputPath: String
    /// Where its stderr goes.
    let errorPath: String
    /// Where it writes its own peak resident memory when it exits (see ``PeakMemoryReport``).
    let peakPath: String
    /// When it was started.
    let started: ContinuousClock.Instant
    /// How it ended, once reaped.
    private(set) var exit: Exit?

    /// How a child ended.
    struct Exit {
        /// The exit status, or 128 + the signal number when a signal ended it.
        var status: Int32
        /// The peak resident set size, in bytes: the child's own `VmHWM` where it could report it, else `ru_maxrss`
        /// (which on Linux is at least this process's size at spawn time).
        var peakResidentBytes: Int
        /// Seconds from spawn to reaping.
        var seconds: Double
    }

    /// The `spi` executable the suite runs: the one `SPI_BENCH_SPI` names, else the `spi` built beside this
    /// `spi-bench` (same build directory, so the suite measures the same build).
    static let executable: String = {
        if let path = ProcessInfo.processInfo.environment["SPI_BENCH_SPI"], !path.isEmpty { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let me =
            count > 0
            ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : Bundle.main.executablePath ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("spi").path
    }()

    private init(pid: pid_t, arguments: [String], outputPath: String, errorPath: String, peakPath: String) {
        self.pid = pid
        self.arguments = arguments
        self.outputPath = outputPath
        self.errorPath = errorPath
        self.peakPath = peakPath
        self.started = ContinuousClock.now
    }

    /// Starts `spi arguments…` with stdin from /dev/null and stdout and stderr in files under `directory`, without
    /// `$SPI_DB` or `$SPI_LOG_LEVEL` from the caller's environment.
    static func spawn(_ arguments: [String], in directory: String) throws -> BenchProcess {
        let tag = UUID().uuidString.prefix(8)
        let outputPath = directory + "/spi-\(tag).out"
        let errorPath = directory + "/spi-\(tag).err"
        let peakPath = directory + "/spi-\(tag).peak"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var environment = ProcessInfo.processInfo.environment
        environment["SPI_DB"] = nil
        environment["SPI_LOG_LEVEL"] = nil
        environment[PeakMemoryReport.variable] = peakPath
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw BenchError(.spawnFailed, "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return BenchProcess(
            pid: pid, arguments: arguments, outputPath: outputPath, errorPath: errorPath, peakPath: peakPath)
    }

    /// Runs `spi arguments…` to completion and returns it, reaped.
    static func run(_ arguments: [String], in directory: String) throws -> BenchProcess {
        let child = try spawn(arguments, in: directory)
        _ = try child.wait()
        return child
    }

    /// Runs `spi arguments…`, which must exit with status 0; returns its trimmed stdout.
    @discardableResult
    static func succeed(_ arguments: [String], in directory: String) throws -> String {
        let child = try run(arguments, in: directory)
        try child.requireSuccess()
        return child.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What the child wrote on stdout so far.
    var standardOutput: String {
        FileManager.default.contents(atPath: outputPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// What the child wrote on stderr so far.
    var standardError: String {
        FileManager.default.contents(atPath: errorPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Throws unless the child exited with status 0.
    func requireSuccess() throws {
        guard let exit, exit.status == 0 else {
            let stderr = standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw BenchError(
                .childFailed,
                "spi \(arguments.joined(separator: " ")) exited with \(exit?.status ?? -1): \(stderr)")
        }
    }

    /// Waits for the child to end (blocking) and records its status and peak memory.
    @discardableResult
    func wait() throws -> Exit {
        if let exit { return exit }
        var status: Int32 = 0
        var usage = rusage()
        var result: pid_t
        repeat {
            result = wait4(pid, &status, 0, &usage)
        } while result < 0 && errno == EINTR
        guard result == pid else {
            throw BenchError(.childFailed, "wait4(\(pid)) failed: \(String(cString: strerror(errno)))")
        }
        return record(status: status, usage: usage)
    }

    /// Reaps the child if it has ended, without blocking; nil while it runs.
    func poll() throws -> Exit? {
        if let exit { return exit }
        var status: Int32 = 0
        var usage = rusage()
        let result = wait4(pid, &status, WNOHANG, &usage)
        if result == 0 { return nil }
        guard result == pid else {
            throw BenchError(.childFailed, "wait4(\(pid)) failed: \(String(cString: strerror(errno)))")
        }
        return record(status: status, usage: usage)
    }

    private func record(status: Int32, usage: rusage) -> Exit {
        let signal = status & 0x7F
        let code = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        #if os(Linux)
            let inherited = Int(usage.ru_maxrss) * 1024 // KiB on Linux
        #else
            let inherited = Int(usage.ru_maxrss) // bytes on Darwin
        #endif
        let reported = FileManager.default.contents(atPath: peakPath)
            .flatMap { Int(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
        if reported == nil {
            // Killed, crashed, or without /proc: say so, since the fallback includes this process's own size.
            StandardStreams.writeError(
                "bench: note: spi \(arguments.first ?? "") reported no peak memory of its own; using ru_maxrss\n")
        }
        let peak = reported ?? inherited
        let seconds = BenchClock.seconds(since: started)
        let ended = Exit(status: code, peakResidentBytes: peak, seconds: seconds)
        exit = ended
        return ended
    }

    /// Sends SIGTERM and waits up to `timeout` seconds for a graceful exit, then SIGKILLs.
    @discardableResult
    func terminate(timeout: Double = 15) throws -> Exit {
        if let exit { return exit }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            if let ended = try poll() { return ended }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        return try wait()
    }

    deinit {
        if exit == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}

/// Monotonic timing for the benchmark suite.
enum BenchClock {
    /// Seconds elapsed since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Runs `body` and returns its result with the seconds it took.
    static func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = ContinuousClock.now
        let result = try body()
        return (result, seconds(since: start))
    }
}
