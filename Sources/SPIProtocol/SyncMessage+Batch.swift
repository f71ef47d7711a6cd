public import SPIReplication

extension SyncMessage {
    /// A batch of changes the receiver lacks, numbered 1, 2, 3, … in each direction of a session
    /// (protocol/sync.md §7).
    ///
    /// ```swift
    /// let message = SyncMessage.batch(SyncMessage.Batch(sequence: 1, changes: batch))
    /// ```
    public struct Batch: Sendable, Hashable {
        /// The batch's number in this direction of the session, from 1.
        public var sequence: UInt64
        /// The changes, in the replication layer's wire form (the receiver's `Replica.apply` validates them).
        public var changes: ChangeBatch

        /// Creates a batch message.
        public init(sequence: UInt64, changes: ChangeBatch) {
            self.sequence = sequence
            self.changes = changes
        }
    }
}
