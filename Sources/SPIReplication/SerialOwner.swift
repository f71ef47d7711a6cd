import Dispatch

/// The one owner of a resource that is not thread-safe (a ``Replica``, or something built around one) for concurrent
/// callers: every access runs on one serial queue, in the order asked, so that the resource's SQLite connection is
/// never used from two threads at once. GRDB's `DatabaseQueue` does the same for its connection.
///
/// The owner takes the resource over (`sending`: the compiler checks that the caller keeps no reference to it), or
/// builds it on its queue with ``open(label:_:)``; from then on the resource is reached only through ``run(_:)``.
///
/// ```swift
/// let owner = try await SerialOwner.open(label: "spi.watch") { try Replica(path: path, readOnly: true, logger: logger) }
/// let version = try await owner.run { try $0.dataVersion() }
/// ```
///
/// SQLite work blocks its thread, so it runs on the owner's dispatch queue, never on Swift's cooperative thread pool
/// or an event loop. A body must not keep the resource beyond its return.
public final class SerialOwner<Resource>: @unchecked Sendable {
    // `@unchecked Sendable`: `resource` is touched only inside `queue.async` blocks, one at a time, and no other
    // reference to it exists (the initialisers take it over with `sending` or build it on the queue). This is the one
    // place that argument is made; the types that share a replica between tasks hold a `SerialOwner`.
    private let resource: Resource
    private let queue: DispatchQueue

    /// Takes ownership of `resource`: use it only through ``run(_:)`` from now on.
    ///
    /// - Parameter label: the dispatch queue's label, seen in debuggers and crash reports.
    public init(_ resource: sending Resource, label: String) {
        self.resource = resource
        self.queue = DispatchQueue(label: label)
    }

    /// Builds the resource on a new owner's queue (opening a database blocks) and returns the owner.
    public static func open(
        label: String, _ make: @escaping @Sendable () throws -> sending Resource
    ) async throws -> SerialOwner {
        let queue = DispatchQueue(label: label)
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { SerialOwner(building: try make(), queue: queue) })
            }
        }
    }

    private init(building resource: sending Resource, queue: DispatchQueue) {
        self.resource = resource
        self.queue = queue
    }

    /// Runs `body` with the resource on the owner's queue, after everything asked before it, and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Resource) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.resource) }) }
        }
    }
}
