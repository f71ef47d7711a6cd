extension SyncMessage {
    /// The responder's answer to a `Hello` when it serves as many sessions as it allows (protocol/sync.md §5).
    ///
    /// The delay travels in whole milliseconds (at most `UInt32.max`); the message is cut to
    /// ``SyncProtocol/maximumErrorMessageLength`` bytes when sent.
    ///
    /// ```swift
    /// let message = SyncMessage.busy(SyncMessage.Busy(retryAfter: .seconds(5), message: "busy: 8 sessions"))
    /// ```
    public struct Busy: Sendable, Hashable {
        /// How long the initiator should wait before it tries again.
        public var retryAfter: Duration
        /// An explanation for people; may be empty.
        public var message: String

        /// Creates a `Busy` message.
        public init(retryAfter: Duration, message: String) {
            self.retryAfter = retryAfter
            self.message = message
        }
    }
}
