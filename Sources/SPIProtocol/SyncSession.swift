import Foundation
public import SPIReplication

/// The sync protocol of protocol/sync.md as a value-type state machine, with no I/O in it.
///
/// A shell (the NIO transport, or an in-memory pipe in tests) feeds it events and executes what each returns. Each
/// event has its own action type, whose cases are exactly what that event can ask for, so that an event cannot ask
/// for what it may not: ``start()`` returns a ``StartAction``, ``receive(_:)`` a ``ReceiveAction``,
/// ``knowledgeRead(_:)`` a ``KnowledgeReadAction``, ``batchProduced(_:)`` a ``BatchProducedAction`` and
/// ``batchApplied(sequence:report:)`` a ``BatchAppliedAction``; ``batchRejected(sequence:error:)`` and ``fail(_:)``
/// can only fail the session (a ``Failure``), and ``connectionClosed()`` can only report the error it failed with.
/// Each returns nil when it asks nothing. Every event is legal in every state: a message that breaks the protocol
/// becomes a ``SyncError`` and a ``Failure``, never a crash.
///
/// ```swift
/// var session = SyncSession(role: .initiator, configuration: configuration, localKnowledge: knowledge)
/// let start = session.start()                    // .sendHello(Hello)
/// let handshake = session.receive(helloAck)      // .beginExchange(.send(Knowledge))
/// let delta = session.receive(peerKnowledge)     // .startDelta(peerKnowledge): then read the first batch
/// let first = session.batchProduced(batch)       // .sendBatchAndProduceNext(Batch 1)
/// ```
///
/// An action asks for at most one piece of store work (read this side's knowledge, prepare the delta, read a batch,
/// apply a batch), always after the messages it sends. The shell does it, then reports it with the matching event:
/// ``knowledgeRead(_:)`` for a read knowledge, ``batchProduced(_:)`` for each batch read (after preparing the delta,
/// the first batch is read at once), ``batchApplied(sequence:report:)`` or ``batchRejected(sequence:error:)`` for
/// each apply. It closes the connection after a completion or a ``Failure``.
public struct SyncSession: Sendable {
    /// Which side of the connection this session is.
    public enum Role: Sendable, Hashable {
        /// The side that opened the connection and sends `Hello`.
        case initiator
        /// The side that accepted the connection and answers `HelloAck`.
        case responder
    }

    /// What this side announces in the handshake and how it paces batches.
    public struct Configuration: Sendable, Hashable {
        /// The register of the local replica.
        public var registerID: RegisterID
        /// The local replica's site id.
        public var siteID: SiteID
        /// The local register schema version; the peer's must be equal.
        public var schemaVersion: UInt32
        /// A display name for the peer's logs (cut to 256 bytes).
        public var name: String
        /// The software and version, for the peer's logs.
        public var software: String
        /// The protocol versions this side speaks.
        public var supportedVersions: [UInt32]
        /// How many unacknowledged batches this side accepts (1–64).
        public var receiveWindow: UInt32
        /// The most unacknowledged batches this side sends, whatever the peer's window.
        public var maximumSendWindow: UInt32

        /// Creates a configuration with the default protocol versions and windows.
        public init(
            registerID: RegisterID, siteID: SiteID, schemaVersion: UInt32, name: String, software: String = "spi",
            supportedVersions: [UInt32] = SyncProtocol.supportedVersions,
            receiveWindow: UInt32 = SyncProtocol.defaultReceiveWindow, maximumSendWindow: UInt32 = 16
        ) {
            self.registerID = registerID
            self.siteID = siteID
            self.schemaVersion = schemaVersion
            self.name = name.truncatedUTF8(to: SyncProtocol.maximumNameLength)
            self.software = software.truncatedUTF8(to: SyncProtocol.maximumNameLength)
            self.supportedVersions = supportedVersions
            self.receiveWindow = min(max(receiveWindow, 1), SyncProtocol.maximumReceiveWindow)
            self.maximumSendWindow = max(maximumSendWindow, 1)
        }
    }

    /// The other side, as it described itself in the handshake.
    public struct Peer: Sendable, Hashable {
        /// The protocol version of the session.
        public var protocolVersion: UInt32
        /// The peer's register (equal to ours once the handshake succeeded).
        public var registerID: RegisterID
        /// The peer replica's site id.
        public var siteID: SiteID
        /// The peer's register schema version.
        public var schemaVersion: UInt32
        /// The peer's display name.
        public var name: String
        /// The peer's software, as it reported it.
        public var software: String
        /// How many unacknowledged batches the peer accepts.
        public var receiveWindow: UInt32
    }

    /// Where the session is.
    public enum State: Sendable {
        /// Created; ``start()`` not called yet.
        case idle
        /// Responder: waiting for the initiator's `Hello`.
        case awaitingHello
        /// Initiator: `Hello` sent, waiting for `HelloAck`.
        case awaitingHelloAck
        /// Handshake done: knowledge and batches flow both ways.
        case exchanging(Exchange)
        /// Both directions finished; every batch acknowledged.
        case complete(SyncSummary)
        /// The session failed; nothing more happens.
        case failed(SyncError)
    }

    /// The bookkeeping of both directions once the handshake is done.
    public struct Exchange: Sendable {
        /// The counts so far, and the peer.
        public internal(set) var summary: SyncSummary
        /// The most batches this side keeps unacknowledged.
        public let sendWindow: UInt64
        /// Whether the peer's `Knowledge` arrived.
        public internal(set) var peerKnowledgeReceived = false
        /// Whether this side's `Knowledge` was sent (with the handshake, or after ``SyncSession/knowledgeRead(_:)``).
        public internal(set) var knowledgeSent = true
        /// The peer's `Knowledge`, kept until this side's is sent: the delta starts then.
        var peerKnowledgeWaiting: Knowledge?
        /// Whether a batch read the session asked for awaits ``SyncSession/batchProduced(_:)``.
        public internal(set) var isProducing = false
        /// Whether our `Done` was sent.
        public internal(set) var doneSent = false
        /// The sequence number of the next batch we send.
        public internal(set) var nextOutgoingSequence: UInt64 = 1
        /// Our batches the peer acknowledged: 1 through this.
        public internal(set) var acknowledgedThrough: UInt64 = 0
        /// The sequence number the peer's next batch must have.
        public internal(set) var nextIncomingSequence: UInt64 = 1
        /// The peer's batches committed here: 1 through this.
        public internal(set) var appliedThrough: UInt64 = 0
        /// Whether the peer's `Done` arrived.
        public internal(set) var peerDone = false

        /// Our batches in flight (sent, not acknowledged).
        public var outgoingInFlight: UInt64 { nextOutgoingSequence - 1 - acknowledgedThrough }
        /// The peer's batches received and not yet committed.
        public var incomingPending: UInt64 { nextIncomingSequence - 1 - appliedThrough }
    }

    /// This side's role.
    public let role: Role
    /// This side's configuration.
    public let configuration: Configuration
    /// What the local replica held when the session began, or, for a session that reads it after the handshake,
    /// what ``knowledgeRead(_:)`` reported (empty until then); sent to the peer.
    public internal(set) var localKnowledge: Knowledge
    /// Whether the shell reads the local knowledge after the handshake (``KnowledgeStep/read``) rather than before the
    /// session.
    public let readsKnowledgeAfterHandshake: Bool
    /// Where the session is.
    public internal(set) var state: State = .idle

    /// Creates a session that has not started, with what the local replica holds now.
    public init(role: Role, configuration: Configuration, localKnowledge: Knowledge) {
        self.role = role
        self.configuration = configuration
        self.localKnowledge = localKnowledge
        self.readsKnowledgeAfterHandshake = false
    }

    /// Creates a session that has not started and asks for the local knowledge once the handshake is done.
    ///
    /// The handshake needs nothing from the replica, so a shell can answer it before it has the replica at hand: a
    /// responder sends `HelloAck` at once, then asks for it (``KnowledgeStep/read``); the shell reads the replica (a
    /// server may first wait for one of its open connections) and reports with ``knowledgeRead(_:)``, which sends
    /// `Knowledge`. The delta waits for it: a peer's `Knowledge` that arrives first is kept until then.
    ///
    /// ```swift
    /// var session = SyncSession(role: .responder, configuration: configuration)
    /// let start = session.start()                    // nil: wait for Hello
    /// let handshake = session.receive(hello)         // .sendHelloAck(HelloAck, then: .read)
    /// let sent = session.knowledgeRead(knowledge)    // .sendKnowledge(Knowledge)
    /// ```
    public init(role: Role, configuration: Configuration) {
        self.role = role
        self.configuration = configuration
        self.localKnowledge = Knowledge()
        self.readsKnowledgeAfterHandshake = true
    }

    /// Whether the session completed or failed.
    public var isFinished: Bool {
        switch state {
        case .complete, .failed: true
        default: false
        }
    }

    /// Whether the handshake is over (the session is exchanging, complete, or failed after the handshake).
    public var isHandshakeDone: Bool {
        switch state {
        case .exchanging, .complete: true
        default: false
        }
    }

    /// The peer, once the handshake succeeded.
    public var peer: Peer? {
        switch state {
        case .exchanging(let exchange): exchange.summary.peer
        case .complete(let summary): summary.peer
        default: nil
        }
    }

    /// Starts the session: the initiator sends `Hello`, the responder waits for one.
    ///
    /// - Returns: ``StartAction/sendHello(_:)`` for the initiator; nil for the responder (it waits for the peer's
    ///   `Hello`) and for a session that already started.
    public mutating func start() -> StartAction? {
        guard case .idle = state else { return nil }
        switch role {
        case .responder:
            state = .awaitingHello
            return nil
        case .initiator:
            state = .awaitingHelloAck
            let hello = SyncMessage.Hello(
                protocolVersions: configuration.supportedVersions, registerID: configuration.registerID.bytes,
                schemaVersion: configuration.schemaVersion, siteID: configuration.siteID.bytes,
                peerName: configuration.name, receiveWindow: configuration.receiveWindow,
                software: configuration.software)
            return .sendHello(hello)
        }
    }

    /// Handles a message from the peer.
    ///
    /// - Returns: what the message asks of the shell, or nil when it asks nothing (wait for the next message).
    public mutating func receive(_ message: SyncMessage) -> ReceiveAction? {
        switch state {
        case .idle:
            return .fail(
                failed(SyncError(.protocolViolation, "received \(message.kindName) before the session started")))
        case .complete, .failed:
            return nil
        case .awaitingHello:
            return receiveWhileAwaitingHello(message)
        case .awaitingHelloAck:
            return receiveWhileAwaitingHelloAck(message)
        case .exchanging(var exchange):
            let action = receive(message, exchanging: &exchange)
            if case .exchanging = state { state = .exchanging(exchange) }
            return action
        }
    }

    /// Reports the local knowledge that ``KnowledgeStep/read`` asked for: sends it as this side's `Knowledge`, then
    /// starts the delta if the peer's `Knowledge` already arrived.
    ///
    /// - Returns: what to send and whether the delta starts; nil when the session had already finished.
    public mutating func knowledgeRead(_ knowledge: Knowledge) -> KnowledgeReadAction? {
        guard case .exchanging(var exchange) = state, !exchange.knowledgeSent else {
            return misuse("knowledgeRead without a pending knowledge read").map(KnowledgeReadAction.fail)
        }
        localKnowledge = knowledge
        exchange.knowledgeSent = true
        let message = SyncMessage.KnowledgeMessage(knowledge)
        // No batch went out before this side's `Knowledge`: the session cannot complete here.
        guard let peerKnowledge = exchange.peerKnowledgeWaiting else {
            state = .exchanging(exchange)
            return .sendKnowledge(message)
        }
        exchange.peerKnowledgeWaiting = nil
        exchange.isProducing = true
        state = .exchanging(exchange)
        return .sendKnowledgeAndStartDelta(message, peerKnowledge: peerKnowledge)
    }

    /// Reports the next batch of the delta, which the session asked for: nil when the delta is exhausted.
    ///
    /// The session asks for a batch with ``ReceiveAction/startDelta(_:)``, ``ReceiveAction/produceBatch``,
    /// ``BatchProducedAction/sendBatchAndProduceNext(_:)`` and
    /// ``KnowledgeReadAction/sendKnowledgeAndStartDelta(_:peerKnowledge:)``.
    ///
    /// - Returns: the batch or `Done` to send, and what follows; nil when the session had already finished.
    public mutating func batchProduced(_ batch: ChangeBatch?) -> BatchProducedAction? {
        guard case .exchanging(var exchange) = state, exchange.isProducing else {
            return misuse("batchProduced without a pending batch read").map(BatchProducedAction.fail)
        }
        exchange.isProducing = false
        guard let batch else {
            exchange.doneSent = true
            let done = SyncMessage.Done(batches: exchange.nextOutgoingSequence - 1)
            if let summary = settle(exchange) { return .sendDoneAndComplete(done, summary) }
            return .sendDone(done)
        }
        let sequence = exchange.nextOutgoingSequence
        exchange.nextOutgoingSequence += 1
        exchange.summary.batchesSent += 1
        exchange.summary.changesSent += batch.changeCount
        exchange.summary.rowsSent += batch.rowCount
        let message = SyncMessage.Batch(sequence: sequence, changes: batch)
        let producesNext = requestBatchIfWindowAllows(&exchange)
        // The batch is in flight: the session cannot complete here.
        state = .exchanging(exchange)
        return producesNext ? .sendBatchAndProduceNext(message) : .sendBatch(message)
    }

    /// Reports that the batch with `sequence` was applied and committed.
    ///
    /// - Returns: the `BatchAck` to send, and whether the session completes; nil when the session had already
    ///   finished.
    public mutating func batchApplied(sequence: UInt64, report: ApplyReport) -> BatchAppliedAction? {
        guard case .exchanging(var exchange) = state, exchange.incomingPending > 0,
            sequence == exchange.appliedThrough + 1
        else {
            return misuse("batchApplied(\(sequence)) does not match a pending apply").map(BatchAppliedAction.fail)
        }
        exchange.appliedThrough = sequence
        exchange.summary.received.add(report)
        let ack = SyncMessage.BatchAck(sequence: sequence, report: report)
        if let summary = settle(exchange) { return .sendBatchAckAndComplete(ack, summary) }
        return .sendBatchAck(ack)
    }

    /// Reports that the batch with `sequence` was refused (nothing of it applied).
    ///
    /// An error with code `SyncError.Code.invalidBatch` tells the peer its batch failed validation; any other
    /// code is sent as is (`SyncError.Code.internalError` for a local failure).
    ///
    /// - Returns: the failure to execute; nil when the session is not exchanging (no batch can be pending).
    public mutating func batchRejected(sequence: UInt64, error: SyncError) -> Failure? {
        guard case .exchanging = state else { return nil }
        return failed(error)
    }

    /// Fails the session because of something the shell detected: a frame that does not decode, a timeout, a store
    /// failure, shutting down. Sends an `Error` to the peer when the code is one the wire carries.
    ///
    /// - Returns: the failure to execute; nil when the session had already finished.
    public mutating func fail(_ error: SyncError) -> Failure? {
        if isFinished { return nil }
        return failed(error)
    }

    /// Reports that the connection closed (end of stream). Normal once complete; an error before.
    ///
    /// Nothing can be sent on a closed connection, so this event can only report a failure.
    ///
    /// - Returns: the error the session failed with (a `SyncError.Code.connectionClosed`); nil when the session had
    ///   already finished.
    public mutating func connectionClosed() -> SyncError? {
        if isFinished { return nil }
        let phase: String
        switch state {
        case .idle, .awaitingHello: phase = "before its Hello"
        case .awaitingHelloAck: phase = "before its HelloAck"
        default: phase = "before the session completed"
        }
        let error = SyncError(.connectionClosed, "the peer closed the connection \(phase)")
        state = .failed(error)
        return error
    }

    /// Moves the session to ``State/failed(_:)`` with `error`, with an `Error` for the peer when the wire carries it.
    mutating func failed(_ error: SyncError) -> Failure {
        state = .failed(error)
        let report = error.isSentToPeer ? SyncMessage.ErrorReport(code: error.code, message: error.message) : nil
        return Failure(error: error, report: report)
    }

    /// The peer's `Error` message: fail with its code and text, and answer nothing.
    mutating func failReported(_ report: SyncMessage.ErrorReport) -> Failure {
        let text =
            report.message.isEmpty
            ? SyncMessage.ErrorReport.unexplained(wireCode: report.code.wireCode.rawValue) : report.message
        let error = SyncError(
            report.code, text.truncatedUTF8(to: SyncProtocol.maximumErrorMessageLength), isReportedByPeer: true)
        state = .failed(error)
        return Failure(error: error, report: nil)
    }

    /// An event the shell should not have sent in this state: fail without blaming the peer (nil once finished).
    mutating func misuse(_ what: String) -> Failure? {
        if isFinished { return nil }
        return failed(SyncError(.internalError, "sync session misuse: \(what)"))
    }
}

extension SyncError {
    /// Whether a session that fails with this error tells the peer in an `Error` message.
    ///
    /// Errors about the connection itself (closed, refused, TLS) and errors the peer reported are not sent back.
    public var isSentToPeer: Bool {
        if isReportedByPeer { return false }
        switch code {
        case .connectionClosed, .connectionFailed, .untrustedPeer, .notTrustedByPeer, .tlsFailure, .busy: return false
        default: return true
        }
    }
}
