import SPIReplication

/// The exchange after the handshake: knowledge, batches and acknowledgements both ways, and completion
/// (protocol/sync.md §6-8).
extension SyncSession {

    mutating func receive(_ message: SyncMessage, exchanging exchange: inout Exchange) -> [Action] {
        switch message {
        case .knowledge(let message):
            guard !exchange.peerKnowledgeReceived else {
                return fail(SyncError(.protocolViolation, "received a second Knowledge"))
            }
            let knowledge: Knowledge
            do {
                knowledge = try message.knowledge()
            } catch {
                return fail(SyncError(.malformedMessage, "the peer's Knowledge is invalid", underlying: error))
            }
            exchange.peerKnowledgeReceived = true
            guard exchange.knowledgeSent else {
                // This side's `Knowledge` goes first: no batch may precede it.
                exchange.peerKnowledgeWaiting = knowledge
                return []
            }
            exchange.isProducing = true
            return [.startDelta(knowledge), .produceBatch]

        case .batch(let batch):
            guard exchange.peerKnowledgeReceived else {
                return fail(SyncError(.protocolViolation, "received Batch before the peer's Knowledge"))
            }
            guard !exchange.peerDone else {
                return fail(SyncError(.protocolViolation, "received Batch \(batch.sequence) after the peer's Done"))
            }
            guard batch.sequence == exchange.nextIncomingSequence else {
                return fail(
                    SyncError(
                        .protocolViolation,
                        "received Batch \(batch.sequence); expected Batch \(exchange.nextIncomingSequence)"))
            }
            guard exchange.incomingPending < UInt64(configuration.receiveWindow) else {
                return fail(
                    SyncError(
                        .protocolViolation,
                        "received Batch \(batch.sequence) with \(exchange.incomingPending) unacknowledged; the "
                            + "receive window is \(configuration.receiveWindow)"))
            }
            exchange.nextIncomingSequence += 1
            exchange.summary.batchesReceived += 1
            return [.apply(batch.changes, sequence: batch.sequence)]

        case .batchAck(let ack):
            guard ack.sequence == exchange.acknowledgedThrough + 1, ack.sequence < exchange.nextOutgoingSequence else {
                return fail(
                    SyncError(
                        .protocolViolation,
                        "received BatchAck \(ack.sequence); the oldest unacknowledged batch is "
                            + (exchange.outgoingInFlight > 0 ? "\(exchange.acknowledgedThrough + 1)" : "none")))
            }
            exchange.acknowledgedThrough = ack.sequence
            exchange.summary.batchesAcknowledged += 1
            exchange.summary.peerReport.add(ack.report)
            return requestBatchIfWindowAllows(&exchange) + settle(exchange)

        case .done(let done):
            guard exchange.peerKnowledgeReceived else {
                return fail(SyncError(.protocolViolation, "received Done before the peer's Knowledge"))
            }
            guard !exchange.peerDone else {
                return fail(SyncError(.protocolViolation, "received a second Done"))
            }
            guard done.batches == exchange.nextIncomingSequence - 1 else {
                return fail(
                    SyncError(
                        .protocolViolation,
                        "the peer's Done counts \(done.batches) batches; \(exchange.nextIncomingSequence - 1) arrived"))
            }
            exchange.peerDone = true
            return settle(exchange)

        case .error(let error):
            return failReported(error)

        case .hello, .helloAck, .busy:
            return fail(SyncError(.protocolViolation, "received \(message.kindName) after the handshake"))
        }
    }

    /// Asks for another batch when the delta is not exhausted, none is being read, and the window has room.
    func requestBatchIfWindowAllows(_ exchange: inout Exchange) -> [Action] {
        guard exchange.peerKnowledgeReceived, exchange.knowledgeSent, exchange.peerKnowledgeWaiting == nil,
            !exchange.doneSent, !exchange.isProducing, exchange.outgoingInFlight < exchange.sendWindow
        else { return [] }
        exchange.isProducing = true
        return [.produceBatch]
    }

    /// Stores `exchange` as the state, or completes the session when both directions are finished.
    mutating func settle(_ exchange: Exchange) -> [Action] {
        if exchange.doneSent, exchange.outgoingInFlight == 0, exchange.peerDone, exchange.incomingPending == 0 {
            state = .complete(exchange.summary)
            return [.complete(exchange.summary)]
        }
        state = .exchanging(exchange)
        return []
    }
}
