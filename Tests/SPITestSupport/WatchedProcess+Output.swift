public import Foundation

/// What a finished child process wrote and how it ended.
public struct ProcessOutput: Sendable, CustomStringConvertible {
    /// The exit status, or the number of the signal that ended it.
    public var status: Int32
    /// Whether a signal ended it.
    public var signaled: Bool
    /// Its standard output.
    public var stdout: Data
    /// Its standard error.
    public var stderr: Data

    /// Its standard output as text.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Its standard error as text.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    public var description: String { "status \(status)\nstdout: \(stdoutText)\nstderr: \(stderrText)" }
}

extension WatchedProcess {
    /// Runs `executable` with `arguments` to its exit and returns what it wrote.
    ///
    /// Its output goes to files, not pipes, so that no helper process it leaves behind (a browser's) can hold the
    /// reading end open. Standard input is empty. Past `timeout` seconds it is killed and ``TimedOut`` is thrown.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        timeout: TimeInterval = 600
    ) throws -> ProcessOutput {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spi-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out")
        let err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let child = WatchedProcess()
        child.process.executableURL = executable
        child.process.arguments = arguments
        if let environment { child.process.environment = environment }
        if let directory { child.process.currentDirectoryURL = directory }
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        child.process.standardOutput = outHandle
        child.process.standardError = errHandle
        child.process.standardInput = FileHandle.nullDevice
        try child.start()
        try? outHandle.close()
        try? errHandle.close()
        try child.waitForExit(timeout: timeout)
        return ProcessOutput(
            status: child.status, signaled: child.signaled,
            stdout: try Data(contentsOf: out), stderr: try Data(contentsOf: err))
    }

    /// Runs a program found on `PATH` (through `/usr/bin/env`) to its exit; see ``run(_:_:environment:directory:timeout:)``.
    public static func run(
        program: String, _ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 600
    ) throws -> ProcessOutput {
        try run(URL(fileURLWithPath: "/usr/bin/env"), [program] + arguments, environment: environment, timeout: timeout)
    }
}
