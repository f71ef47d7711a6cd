public import SPIReplication

/// What reporting this side's knowledge asks of the shell.
extension SyncSession {
    /// What ``SyncSession/knowledgeRead(_:)`` asks of the shell: send the knowledge, and start the delta if the peer's
    /// `Knowledge` already arrived.
    ///
    /// The session cannot complete here (no batch goes out before this side's `Knowledge`).
    /// ``SyncSession/knowledgeRead(_:)`` returns nil only for a session that already finished.
    public enum KnowledgeReadAction: Sendable, Equatable {
        /// Send this side's `Knowledge`, then wait for the peer's.
        case sendKnowledge(SyncMessage.KnowledgeMessage)
        /// Send this side's `Knowledge`; the peer's had arrived: prepare the delta of what the peer lacks, then read its
        /// first batch and report it with ``SyncSession/batchProduced(_:)``.
        case sendKnowledgeAndStartDelta(SyncMessage.KnowledgeMessage, peerKnowledge: Knowledge)
        /// The event was the shell's mistake (no knowledge read was asked for): the session failed.
        case fail(Failure)
    }
}
