extension SyncMessage {
    /// The sender has no more batches for this session (protocol/sync.md §8).
    ///
    /// ```swift
    /// let message = SyncMessage.done(SyncMessage.Done(batches: 2))
    /// ```
    public struct Done: Sendable, Hashable {
        /// How many batches the sender sent in this session.
        public var batches: UInt64

        /// Creates a `Done` counting `batches`.
        public init(batches: UInt64) {
            self.batches = batches
        }
    }
}
