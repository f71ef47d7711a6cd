/// How a failed session ends, the one thing every event may ask for: tell the peer when the wire carries the error,
/// then close the connection.
extension SyncSession {
    /// A failure to execute: send ``report`` when there is one, flush what was sent, then close the connection.
    ///
    /// ``SyncSession/fail(_:)`` and ``SyncSession/batchRejected(sequence:error:)`` return one, and each event's action
    /// type has a `fail` case that carries one. The session is in ``State/failed(_:)`` by then; only the session makes
    /// one, so ``report`` is always the `Error` message that matches ``error``.
    ///
    /// ```swift
    /// if let failure = session.fail(SyncError(.timeout, "no message for 60 seconds")) {
    ///     if let report = failure.report { try await write(.error(report)) }
    ///     close()                                  // the session failed with failure.error
    /// }
    /// ```
    public struct Failure: Sendable, Equatable {
        /// The error the session failed with.
        public let error: SyncError
        /// The `Error` message to send the peer before closing, or nil when none goes out: the peer reported the
        /// error, or its code is one the wire does not carry (``SyncError/isSentToPeer``).
        public let report: SyncMessage.ErrorReport?

        init(error: SyncError, report: SyncMessage.ErrorReport?) {
            self.error = error
            self.report = report
        }
    }
}
