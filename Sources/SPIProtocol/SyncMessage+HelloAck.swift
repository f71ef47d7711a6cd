extension SyncMessage {
    /// The responder's acceptance of a `Hello` (protocol/sync.md §5): the version chosen, and its replica.
    ///
    /// The fields are as the responder sent them; the initiator's session checks them (§4.2, §5).
    ///
    /// ```swift
    /// let ack = SyncMessage.HelloAck(
    ///     protocolVersion: 1, registerID: register.bytes, schemaVersion: 1, siteID: site.bytes, peerName: "org",
    ///     receiveWindow: 4, software: "spi 0.1.0")
    /// ```
    public struct HelloAck: Sendable, Hashable {
        /// The protocol version of the session: one the initiator offered.
        public var protocolVersion: UInt32
        /// The responder's register id: 16 bytes when well formed.
        public var registerID: [UInt8]
        /// The register schema version of the responder's replica.
        public var schemaVersion: UInt32
        /// The responder replica's site id: 16 bytes when well formed.
        public var siteID: [UInt8]
        /// A display name for logs: at most 256 bytes of UTF-8 when well formed.
        public var peerName: String
        /// How many unacknowledged batches the responder accepts: 1–64, or 0 for the default of 4.
        public var receiveWindow: UInt32
        /// The responder's software and version, for logs: at most 256 bytes of UTF-8 when well formed.
        public var software: String

        /// Creates a `HelloAck` with these fields.
        public init(
            protocolVersion: UInt32, registerID: [UInt8], schemaVersion: UInt32, siteID: [UInt8], peerName: String,
            receiveWindow: UInt32, software: String
        ) {
            self.protocolVersion = protocolVersion
            self.registerID = registerID
            self.schemaVersion = schemaVersion
            self.siteID = siteID
            self.peerName = peerName
            self.receiveWindow = receiveWindow
            self.software = software
        }
    }
}
