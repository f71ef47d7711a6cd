/// What reporting an applied batch asks of the shell.
extension SyncSession {
    /// What ``SyncSession/batchApplied(sequence:report:)`` asks of the shell: acknowledge the batch, and complete when
    /// it was the last thing outstanding.
    ///
    /// ``SyncSession/batchApplied(sequence:report:)`` returns nil only for a session that already finished.
    public enum BatchAppliedAction: Sendable, Equatable {
        /// Send the `BatchAck`, then wait for the peer.
        case sendBatchAck(SyncMessage.BatchAck)
        /// Send the `BatchAck`, which was the last thing outstanding: flush, then close the connection.
        case sendBatchAckAndComplete(SyncMessage.BatchAck, SyncSummary)
        /// The event was the shell's mistake (it matches no pending apply): the session failed.
        case fail(Failure)
    }
}
