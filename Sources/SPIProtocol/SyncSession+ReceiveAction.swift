public import SPIReplication

/// What a message from the peer asks of the shell.
extension SyncSession {
    /// What ``SyncSession/receive(_:)`` asks of the shell: what a message from the peer can cause.
    ///
    /// ``SyncSession/receive(_:)`` returns nil when the message asks nothing (wait for the next one): a `Knowledge`
    /// that waits for this side's, a `Done` or a `BatchAck` that leaves the session going with no batch to read, or
    /// any message once the session finished. A message causes at most one store call (a knowledge read, the delta,
    /// a batch read, an apply), which the shell reports with the matching event.
    ///
    /// ```swift
    /// switch session.receive(message) {
    /// case .apply(let batch, let sequence)?:
    ///     let report = try await store.apply(batch)
    ///     next = session.batchApplied(sequence: sequence, report: report)
    /// // …
    /// }
    /// ```
    public enum ReceiveAction: Sendable, Equatable {
        /// The peer's `Hello` is accepted (this side is the responder): send `HelloAck`, then this side's `Knowledge`
        /// as the step says.
        case sendHelloAck(SyncMessage.HelloAck, then: KnowledgeStep)
        /// The peer's `HelloAck` is accepted (this side is the initiator): the handshake is done, and this side's
        /// `Knowledge` goes out as the step says.
        case beginExchange(KnowledgeStep)
        /// The peer's `Knowledge` arrived: prepare the delta of what the peer lacks (`Replica.deltaCursor(for:)`),
        /// then read its first batch and report it with ``SyncSession/batchProduced(_:)`` (nil when there is none).
        case startDelta(Knowledge)
        /// A batch of the peer arrived: apply it in one transaction and report with
        /// ``SyncSession/batchApplied(sequence:report:)`` or ``SyncSession/batchRejected(sequence:error:)``.
        case apply(ChangeBatch, sequence: UInt64)
        /// A `BatchAck` made room in the window: read the next batch of the delta and report it with
        /// ``SyncSession/batchProduced(_:)`` (nil when the delta is exhausted).
        case produceBatch
        /// The message finished the session (the last `BatchAck` or the peer's `Done`): flush what was sent, then
        /// close the connection.
        case complete(SyncSummary)
        /// The message failed the session: it broke the protocol, failed a check of the handshake, or was the peer's
        /// `Error` or `Busy`.
        case fail(Failure)
    }
}
