import Foundation
import NIOConcurrencyHelpers
import SPIReplication

/// Runs one ``SyncSession`` over any message transport and any ``SyncStore``: the loop every shell shares.
///
/// The driver reads messages from `inbound`, feeds them to the state machine, and executes the action each event
/// returns: the store work it asks for on the calling task (then the event that reports it), and writes through a
/// separate writer task, so that reading never waits for the peer to read (both sides stream at once; waiting would
/// deadlock two full TCP buffers). The protocol's window bounds what the writer can hold.
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

    /// What the driver does next: wait for the peer's next message, do the one piece of store work the last action
    /// asked for, or end.
    private enum Step {
        case receive
        case readKnowledge
        case startDelta(Knowledge)
        case produceBatch
        case apply(ChangeBatch, sequence: UInt64)
        case finish(Result<SyncSummary, SyncError>)
    }

    private mutating func converse<Inbound: AsyncSequence>(
        inbound: Inbound, send: (SyncMessage) -> Void, mapError: (any Error) -> SyncError,
        writeFailure: WriteFailure
    ) async -> Result<SyncSummary, SyncError> where Inbound.Element == SyncMessage {
        if case .sendHello(let hello)? = session.start() { send(.hello(hello)) }
        var iterator = inbound.makeAsyncIterator()
        var step = Step.receive
        while true {
            switch step {
            case .receive:
                if Task.isCancelled {
                    step = execute(session.fail(Self.shuttingDown), send: send)
                    continue
                }
                do {
                    if let message = try await iterator.next() {
                        let action = session.receive(message)
                        if case .batchAck = message { reportProgress() }
                        step = execute(action, send: send)
                    } else if Task.isCancelled {
                        step = execute(session.fail(Self.shuttingDown), send: send)
                    } else if let error = session.connectionClosed() {
                        // Always here: the driver returns as soon as the session finishes.
                        step = .finish(.failure(error))
                    }
                } catch is CancellationError {
                    step = execute(session.fail(Self.shuttingDown), send: send)
                } catch let error as SyncError {
                    step = execute(session.fail(error), send: send)
                } catch {
                    step = execute(session.fail(writeFailure.error ?? mapError(error)), send: send)
                }
            case .readKnowledge:
                do {
                    step = execute(session.knowledgeRead(try await store.knowledge()), send: send)
                } catch {
                    step = execute(
                        session.fail(Self.storeError(error, doing: "reading this replica's knowledge")), send: send)
                }
            case .startDelta(let knowledge):
                do {
                    try await store.startDelta(for: knowledge)
                    step = .produceBatch // the first batch is read at once
                } catch {
                    step = execute(
                        session.fail(Self.storeError(error, doing: "computing the peer's delta")), send: send)
                }
            case .produceBatch:
                do {
                    step = execute(session.batchProduced(try await store.nextBatch()), send: send)
                } catch {
                    step = execute(session.fail(Self.storeError(error, doing: "reading the next batch")), send: send)
                }
            case .apply(let batch, let sequence):
                do {
                    let report = try await store.apply(batch)
                    let action = session.batchApplied(sequence: sequence, report: report)
                    reportProgress()
                    step = execute(action, send: send)
                } catch {
                    let error = Self.storeError(error, doing: "applying batch \(sequence)")
                    step = execute(session.batchRejected(sequence: sequence, error: error), send: send)
                }
            case .finish(let outcome):
                return outcome
            }
        }
    }

    /// Sends what a message asks to send; returns what it asks the driver to do next.
    private func execute(_ action: SyncSession.ReceiveAction?, send: (SyncMessage) -> Void) -> Step {
        switch action {
        case nil:
            return .receive
        case .sendHelloAck(let ack, let then)?:
            send(.helloAck(ack))
            return execute(then, send: send)
        case .beginExchange(let knowledge)?:
            return execute(knowledge, send: send)
        case .startDelta(let knowledge)?:
            return .startDelta(knowledge)
        case .apply(let batch, let sequence)?:
            return .apply(batch, sequence: sequence)
        case .produceBatch?:
            return .produceBatch
        case .complete(let summary)?:
            return .finish(.success(summary))
        case .fail(let failure)?:
            return execute(failure, send: send)
        }
    }

    private func execute(_ knowledge: SyncSession.KnowledgeStep, send: (SyncMessage) -> Void) -> Step {
        switch knowledge {
        case .send(let message):
            send(.knowledge(message))
            return .receive
        case .read:
            return .readKnowledge
        }
    }

    private func execute(_ action: SyncSession.KnowledgeReadAction?, send: (SyncMessage) -> Void) -> Step {
        switch action {
        case nil:
            return .receive
        case .sendKnowledge(let message)?:
            send(.knowledge(message))
            return .receive
        case .sendKnowledgeAndStartDelta(let message, let peerKnowledge)?:
            send(.knowledge(message))
            return .startDelta(peerKnowledge)
        case .fail(let failure)?:
            return execute(failure, send: send)
        }
    }

    private func execute(_ action: SyncSession.BatchProducedAction?, send: (SyncMessage) -> Void) -> Step {
        switch action {
        case nil:
            return .receive
        case .sendBatch(let batch)?:
            send(.batch(batch))
            reportProgress()
            return .receive
        case .sendBatchAndProduceNext(let batch)?:
            send(.batch(batch))
            reportProgress()
            return .produceBatch
        case .sendDone(let done)?:
            send(.done(done))
            return .receive
        case .sendDoneAndComplete(let done, let summary)?:
            send(.done(done))
            return .finish(.success(summary))
        case .fail(let failure)?:
            return execute(failure, send: send)
        }
    }

    private func execute(_ action: SyncSession.BatchAppliedAction?, send: (SyncMessage) -> Void) -> Step {
        switch action {
        case nil:
            return .receive
        case .sendBatchAck(let ack)?:
            send(.batchAck(ack))
            return .receive
        case .sendBatchAckAndComplete(let ack, let summary)?:
            send(.batchAck(ack))
            return .finish(.success(summary))
        case .fail(let failure)?:
            return execute(failure, send: send)
        }
    }

    /// Sends the failure's `Error`, if it has one, and ends; nil (the session had already finished) changes nothing.
    private func execute(_ failure: SyncSession.Failure?, send: (SyncMessage) -> Void) -> Step {
        guard let failure else { return .receive }
        if let report = failure.report { send(.error(report)) }
        return .finish(.failure(failure.error))
    }

    private static var shuttingDown: SyncError {
        SyncError(.shuttingDown, "the session was cancelled: shutting down")
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
