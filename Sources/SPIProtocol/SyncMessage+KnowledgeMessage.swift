public import SPIReplication

extension SyncMessage {
    /// What the sender's replica holds, per origin site, in its wire form (protocol/sync.md §6): the session reads
    /// and validates it (``knowledge()``) when it arrives, so that an invalid one is answered like any other invalid
    /// message.
    ///
    /// ```swift
    /// let message = SyncMessage.knowledge(SyncMessage.KnowledgeMessage(try replica.knowledge()))
    /// ```
    public struct KnowledgeMessage: Sendable, Hashable {
        /// The protobuf message, as the sender put it.
        package var message: Spi_V1_Knowledge

        /// The wire form of `knowledge`, with entries sorted by site so that equal knowledge encodes to equal bytes.
        public init(_ knowledge: Knowledge) {
            self.message = knowledge.proto
        }

        /// Wraps a received protobuf message, unchecked.
        package init(_ message: Spi_V1_Knowledge) {
            self.message = message
        }

        /// The knowledge the message carries.
        ///
        /// - Throws: `ReplicationError.Code.malformed` when it names a site id that is not 16 bytes, or carries too
        ///   many wants.
        public func knowledge() throws -> Knowledge {
            try Knowledge(proto: message)
        }
    }
}
