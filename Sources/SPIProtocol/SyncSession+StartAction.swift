/// What starting a session asks of the shell.
extension SyncSession {
    /// What ``SyncSession/start()`` asks of the shell: only the initiator has something to do.
    ///
    /// ``SyncSession/start()`` returns nil for a responder (it waits for the peer's `Hello`) and for a session that
    /// already started.
    ///
    /// ```swift
    /// if case .sendHello(let hello)? = session.start() { try await write(.hello(hello)) }
    /// ```
    public enum StartAction: Sendable, Equatable {
        /// Send `Hello`, then wait for the peer's answer.
        case sendHello(SyncMessage.Hello)
    }
}
