/// What reporting a batch read asks of the shell.
extension SyncSession {
    /// What ``SyncSession/batchProduced(_:)`` asks of the shell: send the batch, or `Done` once the delta is exhausted.
    ///
    /// ``SyncSession/batchProduced(_:)`` returns nil only for a session that already finished.
    ///
    /// ```swift
    /// var action = session.batchProduced(try await store.nextBatch())
    /// while case .sendBatchAndProduceNext(let batch)? = action {
    ///     try await write(.batch(batch))
    ///     action = session.batchProduced(try await store.nextBatch())
    /// }
    /// ```
    public enum BatchProducedAction: Sendable, Equatable {
        /// Send the batch; the window is full, so wait for a `BatchAck` before reading another.
        case sendBatch(SyncMessage.Batch)
        /// Send the batch, then read the next one and report it with ``SyncSession/batchProduced(_:)`` (nil when the
        /// delta is exhausted).
        case sendBatchAndProduceNext(SyncMessage.Batch)
        /// The delta is exhausted: send `Done`, then wait for the peer.
        case sendDone(SyncMessage.Done)
        /// The delta is exhausted and the peer had finished: send `Done`, flush, then close the connection.
        case sendDoneAndComplete(SyncMessage.Done, SyncSummary)
        /// The event was the shell's mistake (no batch read was asked for): the session failed.
        case fail(Failure)
    }
}
