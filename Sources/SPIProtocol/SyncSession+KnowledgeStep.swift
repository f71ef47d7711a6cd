/// How this side's `Knowledge` goes out once the handshake is done.
extension SyncSession {
    /// How this side's `Knowledge` goes out once the handshake is done: sent at once, or read first.
    ///
    /// A session made with ``SyncSession/init(role:configuration:localKnowledge:)`` has its knowledge and sends it; one
    /// made with ``SyncSession/init(role:configuration:)`` asks the shell to read it. The two
    /// ``ReceiveAction`` cases that end the handshake carry one: ``ReceiveAction/sendHelloAck(_:then:)`` and
    /// ``ReceiveAction/beginExchange(_:)``.
    public enum KnowledgeStep: Sendable, Equatable {
        /// Send this side's `Knowledge`, then wait for the peer's messages.
        case send(SyncMessage.KnowledgeMessage)
        /// Read what the local replica holds now and report it with ``SyncSession/knowledgeRead(_:)``, which sends it
        /// as this side's `Knowledge`. Asked once, right after the handshake.
        case read
    }
}
