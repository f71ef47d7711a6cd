import SPIReplication

/// The exchange after the handshake: knowledge, batches and acknowledgements both ways, and completion
/// (protocol/sync.md §6-8).
extension SyncSession {

    mutating func receive(_ message: SyncMessage, exchanging exchange: inout Exchange) -> ReceiveAction? {
        switch message {
        case .knowledge(let message):
            guard !exchange.peerKnowledgeReceived else {
                return .fail(failed(SyncError(.protocolViolation, "received a second Knowledge")))
            }
            let knowledge: Knowledge
            do {
                knowledge = try message.knowledge()
            } catch {
                return .fail(
                    failed(SyncError(.malformedMessage, "the peer's Knowledge is invalid", underlying: error)))
            }
            exchange.peerKnowledgeReceived = true
            guard exchange.knowledgeSent else {
                // This side's `Knowledge` goes first: no batch may precede it.
                exchange.peerKnowledgeWaiting = knowledge
                return nil
            }
            exchange.isProducing = true
            return .startDelta(knowledge)

        case .batch(let batch):
            guard exchange.peerKnowledgeReceived else {
                return .fail(failed(SyncError(.protocolViolation, "received Batch before the peer's Knowledge")))
            }
            guard !exchange.peerDone else {
                return .fail(
                    failed(
                        SyncError(.protocolViolation, "received Batch \(batch.sequence) after the peer's Done")))
            }
            guard batch.sequence == exchange.nextIncomingSequence else {
                return .fail(
                    failed(
                        SyncError(
                            .protocolViolation,
                            "received Batch \(batch.sequence); expected Batch \(exchange.nextIncomingSequence)")))
            }
            guard exchange.incomingPending < UInt64(configuration.receiveWindow) else {
                return .fail(
                    failed(
                        SyncError(
                            .protocolViolation,
                            "received Batch \(batch.sequence) with \(exchange.incomingPending) unacknowledged; the "
                                + "receive window is \(configuration.receiveWindow)")))
            }
            exchange.nextIncomingSequence += 1
            exchange.summary.batchesReceived += 1
            return .apply(batch.changes, sequence: batch.sequence)

        case .batchAck(let ack):
            guard ack.sequence == exchange.acknowledgedThrough + 1, ack.sequence < exchange.nextOutgoingSequence else {
                return .fail(
                    failed(
                        SyncError(
                            .protocolViolation,
                            "received BatchAck \(ack.sequence); the oldest unacknowledged batch is "
                                + (exchange.outgoingInFlight > 0 ? "\(exchange.acknowledgedThrough + 1)" : "none"))))
            }
            exchange.acknowledgedThrough = ack.sequence
            exchange.summary.batchesAcknowledged += 1
            exchange.summary.peerReport.add(ack.report)
            // A batch is read only before this side's `Done`, and the session completes only after it: never both.
            let producesNext = requestBatchIfWindowAllows(&exchange)
            if let summary = settle(exchange) { return .complete(summary) }
            return producesNext ? .produceBatch : nil

        case .done(let done):
            guard exchange.peerKnowledgeReceived else {
                return .fail(failed(SyncError(.protocolViolation, "received Done before the peer's Knowledge")))
            }
            guard !exchange.peerDone else {
                return .fail(failed(SyncError(.protocolViolation, "received a second Done")))
            }
            guard done.batches == exchange.nextIncomingSequence - 1 else {
                return .fail(
                    failed(
                        SyncError(
                            .protocolViolation,
                            "the peer's Done counts \(done.batches) batches; \(exchange.nextIncomingSequence - 1) "
                                + "arrived")))
            }
            exchange.peerDone = true
            return settle(exchange).map(ReceiveAction.complete)

        case .error(let error):
            return .fail(failReported(error))

        case .hello, .helloAck, .busy:
            return .fail(failed(SyncError(.protocolViolation, "received \(message.kindName) after the handshake")))
        }
    }

    /// Asks for another batch when the delta is not exhausted, none is being read, and the window has room.
    ///
    /// - Returns: whether a batch is asked for (`exchange.isProducing` is then set).
    func requestBatchIfWindowAllows(_ exchange: inout Exchange) -> Bool {
        guard exchange.peerKnowledgeReceived, exchange.knowledgeSent, exchange.peerKnowledgeWaiting == nil,
            !exchange.doneSent, !exchange.isProducing, exchange.outgoingInFlight < exchange.sendWindow
        else { return false }
        exchange.isProducing = true
        return true
    }

    /// Stores `exchange` as the state, or completes the session when both directions are finished.
    ///
    /// - Returns: the counts of a session that completed; nil when it goes on.
    mutating func settle(_ exchange: Exchange) -> SyncSummary? {
        if exchange.doneSent, exchange.outgoingInFlight == 0, exchange.peerDone, exchange.incomingPending == 0 {
            state = .complete(exchange.summary)
            return exchange.summary
        }
        state = .exchanging(exchange)
        return nil
    }
}
