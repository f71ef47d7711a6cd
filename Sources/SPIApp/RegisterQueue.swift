import Dispatch
public import SPIRegister

/// The one owner of a `Register` for concurrent callers: every access runs on one serial queue, in the
/// order asked, so that the register's SQLite connection is never used from two threads at once (GRDB's
/// `DatabaseQueue` does the same for its connection). Web requests and the change watcher share one.
public final class RegisterQueue: @unchecked Sendable {
    // Touched only on `queue`: that is what makes the class Sendable.
    private let register: Register
    private let queue: DispatchQueue

    /// Takes ownership of `register`: use it only through ``run(_:)`` from now on.
    public init(_ register: Register) {
        self.register = register
        self.queue = DispatchQueue(label: "spi.register")
    }

    /// Runs `body` with the register on the queue, after everything asked before it.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Register) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.register) }) }
        }
    }
}
