extension SyncMessage {
    /// The protocol's `Error` message: why the sender ends the session early (protocol/sync.md §9).
    ///
    /// Only the codes the wire carries travel as themselves: a local-only code (`SyncError.Code.busy`, …) is sent
    /// as `SyncError.Code.internalError`, and a code this build does not know arrives as
    /// `SyncError.Code.unspecified`. The message is cut to ``SyncProtocol/maximumErrorMessageLength`` bytes when
    /// sent.
    ///
    /// ```swift
    /// let message = SyncMessage.error(SyncMessage.ErrorReport(code: .registerMismatch, message: "register mismatch"))
    /// ```
    public struct ErrorReport: Sendable, Hashable {
        /// What kind of failure ended the session.
        public var code: SyncError.Code
        /// An explanation for people.
        public var message: String

        /// Creates an `Error` message.
        public init(code: SyncError.Code, message: String) {
            self.code = code
            self.message = message
        }

        /// The text that stands for an `Error` message's empty one: it names the wire code, which may be one this
        /// side does not know.
        static func unexplained(wireCode: Int) -> String { "the peer gave no explanation (error code \(wireCode))" }
    }
}
