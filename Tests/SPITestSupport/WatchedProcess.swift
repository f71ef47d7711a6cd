public import Foundation

/// A child process that the tests start and wait for, without `Process.waitUntilExit()`.
///
/// `waitUntilExit()` spins the calling thread's run loop until Foundation reports the exit. Called from many test
/// threads at once (the suites run hundreds of `spi` processes in parallel), it can miss that report and park its
/// thread for good, so that the test run never ends: a known hazard of swift-corelibs-foundation on Linux. Here the
/// exit is reported through `terminationHandler`, registered before the process starts, and every wait has a
/// deadline: past it the process is killed and the wait throws ``WatchedProcess/TimedOut``, naming the command.
public final class WatchedProcess: @unchecked Sendable {
    /// The process; configure it (executable, arguments, streams) before ``start()``.
    public let process: Process
    private let exited = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var reaped = false

    /// Watches `process`, which must not have been started yet.
    public init(_ process: Process = Process()) {
        self.process = process
        process.terminationHandler = { [exited] _ in exited.signal() }
    }

    /// A process that did not exit before its deadline; it has been killed.
    public struct TimedOut: Error, CustomStringConvertible {
        /// The command line, for the message.
        public var command: String
        /// How long it was given, in seconds.
        public var seconds: TimeInterval
        public var description: String { "\(command) did not exit within \(Int(seconds)) s; it was killed" }
    }

    /// The command line, for messages.
    public var command: String {
        ([process.executableURL?.path ?? "?"] + (process.arguments ?? [])).joined(separator: " ")
    }

    /// Starts the process.
    public func start() throws { try process.run() }

    /// Whether the process is still running.
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the process if it still runs.
    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits up to `seconds` for the exit; returns whether it exited. Once it has, later calls return at once.
    @discardableResult
    public func waitForExit(atMost seconds: TimeInterval) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if reaped { return true }
        guard exited.wait(timeout: .now() + seconds) == .success else { return false }
        reaped = true
        return true
    }

    /// Waits for the exit; past `timeout` seconds the process is killed (SIGKILL) and ``TimedOut`` is thrown.
    public func waitForExit(timeout: TimeInterval = 600) throws {
        if waitForExit(atMost: timeout) { return }
        send(SIGKILL)
        waitForExit(atMost: 30)
        throw TimedOut(command: command, seconds: timeout)
    }

    /// Kills the process if it still runs (for `defer`), and waits for it.
    public func stop() {
        send(SIGKILL)
        waitForExit(atMost: 30)
    }

    /// The exit status, or the signal that ended it; valid once it has exited.
    public var status: Int32 { process.terminationStatus }

    /// Whether a signal ended it; valid once it has exited.
    public var signaled: Bool { process.terminationReason == .uncaughtSignal }
}
