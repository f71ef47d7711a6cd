import Foundation
import NIOConcurrencyHelpers
import SPIReplication

/// Runs one ``SyncSession`` over any message transport and any ``SyncStore``: the loop every shell shares.
///
/// The driver reads messages from `inbound`, feeds them to the state machine, and executes its actions: store work
/// in order on the calling task, and writes through a separate writer task, so that reading never waits for the
/// peer to read (both sides stream at once; waiting would deadlock two full TCP buffers). The protocol's window
/// bounds what the writer can hold.
///
/// The store is first used after the handshake (its knowledge, read for the `Knowledge` message): a store that opens
/// on first use may wait for its turn without holding up the handshake.
///
/// ```swift
/// var driver = SyncSessionDriver(role: .initiator, configuration: configuration, store: store)
/// let summary = try await driver.run(
///     inbound: channelInbound, write: { try await outbound.write($0) }, close: { channel.close() },
///     mapError: { SyncError(.connectionClosed, "\($0)") })
/// ```
public struct SyncSessionDriver<Store: SyncStore> {
    /// The state machine; after ``run(inbound:write:close:mapError:)`` it holds the final state.
    public private(set) var session: SyncSession
    /// The local store.
    public let store: Store
    /// How long a finished session waits for its last messages (`BatchAck`, `Done`, `Error`) to be written.
    public var flushTimeout: Duration = .seconds(2)
    /// Called after each batch sent, acknowledged or applied, with the counts so far.
    public var onProgress: ((SyncSummary) -> Void)?

    /// Creates a driver for a session that has not started.
    public init(role: SyncSession.Role, configuration: SyncSession.Configuration, store: Store) {
        self.session = SyncSession(role: role, configuration: configuration)
        self.store = store
    }

    /// Runs the session to its end.
    ///
    /// - Parameters:
    ///   - inbound: the peer's messages, in order; its end means the connection closed.
    ///   - write: writes one message to the peer (called from a child task, one message at a time).
    ///   - close: closes the connection; called when a write fails, so that `inbound` ends too.
    ///   - mapError: turns an error thrown by `inbound` or `write` into a ``SyncError`` (a transport knows what its
    ///     errors mean; ``SyncError``s thrown by the transport pass through unchanged).
    /// - Returns: the counts of a session that completed.
    /// - Throws: a ``SyncError`` when the session failed; an `Error` message was sent to the peer when its code is
    ///   one the wire carries.
    public mutating func run<Inbound: AsyncSequence>(
        inbound: Inbound,
        write: @escaping @Sendable (SyncMessage) async throws -> Void,
        close: @escaping @Sendable () -> Void,
        mapError: @escaping @Sendable (any Error) -> SyncError
    ) async throws -> SyncSummary where Inbound.Element == SyncMessage {
        let (outgoing, continuation) = AsyncStream.makeStream(of: SyncMessage.self)
        let writeFailure = WriteFailure()
        let flushTimeout = self.flushTimeout
        var outcome: Result<SyncSummary, SyncError>!
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    for await message in outgoing { try await write(message) }
                } catch {
                    writeFailure.record(error is SyncError ? error as! SyncError : mapError(error))
                    close()
                }
                return true
            }
            outcome = await converse(
                inbound: inbound, send: { continuation.yield($0) }, mapError: mapError, writeFailure: writeFailure)
            continuation.finish()
            group.addTask {
                try? await Task.sleep(for: flushTimeout)
                return false
            }
            if await group.next() == false {
                // The peer stopped reading: closing the connection fails the blocked write.
                close()
            }
            group.cancelAll()
        }
        // A failed write explains a closed connection better than the closure itself.
        if case .failure(let error) = outcome, error.code == .connectionClosed, let cause = writeFailure.error {
            throw cause
        }
        return try outcome.get()
    }

    private mutating func converse<Inbound: AsyncSequence>(
        inbound: Inbound, send: (SyncMessage) -> Void, mapError: (any Error) -> SyncError,
        writeFailure: WriteFailure
    ) async -> Result<SyncSummary, SyncError> where Inbound.Element == SyncMessage {
        var queue = session.start()
        var iterator = inbound.makeAsyncIterator()
        while true {
            var index = 0
            while index < queue.count {
                let action = queue[index]
                index += 1
                var next: [SyncSession.Action] = []
                switch action {
                case .send(let message):
                    send(message)
                    if case .batch = message { reportProgress() }
                case .readKnowledge:
                    do {
                        next = session.knowledgeRead(try await store.knowledge())
                    } catch {
                        next = session.fail(Self.storeError(error, doing: "reading this replica's knowledge"))
                    }
                case .startDelta(let knowledge):
                    do {
                        try await store.startDelta(for: knowledge)
                    } catch {
                        next = session.fail(Self.storeError(error, doing: "computing the peer's delta"))
                    }
                case .produceBatch:
                    do {
                        next = session.batchProduced(try await store.nextBatch())
                    } catch {
                        next = session.fail(Self.storeError(error, doing: "reading the next batch"))
                    }
                case .apply(let batch, let sequence):
                    do {
                        let report = try await store.apply(batch)
                        next = session.batchApplied(sequence: sequence, report: report)
                        reportProgress()
                    } catch {
                        next = session.batchRejected(
                            sequence: sequence, error: Self.storeError(error, doing: "applying batch \(sequence)"))
                    }
                case .complete(let summary):
                    return .success(summary)
                case .fail(let error):
                    return .failure(error)
                }
                if !next.isEmpty {
                    if session.isFinished {
                        // A failure or completion replaces whatever was still queued.
                        queue = next
                        index = 0
                    } else {
                        queue += next
                    }
                }
            }
            queue = []
            if Task.isCancelled {
                queue = session.fail(SyncError(.shuttingDown, "the session was cancelled: shutting down"))
                continue
            }
            do {
                if let message = try await iterator.next() {
                    queue = session.receive(message)
                    if case .batchAck = message { reportProgress() }
                } else if Task.isCancelled {
                    queue = session.fail(SyncError(.shuttingDown, "the session was cancelled: shutting down"))
                } else {
                    queue = session.connectionClosed()
                }
            } catch is CancellationError {
                queue = session.fail(SyncError(.shuttingDown, "the session was cancelled: shutting down"))
            } catch let error as SyncError {
                queue = session.fail(error)
            } catch {
                queue = session.fail(writeFailure.error ?? mapError(error))
            }
        }
    }

    private func reportProgress() {
        guard let onProgress, case .exchanging(let exchange) = session.state else { return }
        onProgress(exchange.summary)
    }

    /// A store's error as the session reports it: its own ``SyncError``, or an internal error.
    static func storeError(_ error: any Error, doing what: String) -> SyncError {
        if let error = error as? SyncError { return error }
        return SyncError(.internalError, "failed \(what): \(error)", underlying: error)
    }
}

/// The first error of the writer task, read by the reading task.
private final class WriteFailure: Sendable {
    private let stored = NIOLockedValueBox<SyncError?>(nil)

    func record(_ error: SyncError) {
        stored.withLockedValue { if $0 == nil { $0 = error } }
    }

    var error: SyncError? { stored.withLockedValue { $0 } }
}
