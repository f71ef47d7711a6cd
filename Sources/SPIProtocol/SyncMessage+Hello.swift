extension SyncMessage {
    /// The initiator's first message (protocol/sync.md §5): every protocol version it speaks, and its replica.
    ///
    /// The fields are as the initiator sent them; the responder's session checks them (§4.2, §5).
    ///
    /// ```swift
    /// let hello = SyncMessage.Hello(
    ///     protocolVersions: [1], registerID: register.bytes, schemaVersion: 1, siteID: site.bytes,
    ///     peerName: "provider-a", receiveWindow: 4, software: "spi 0.1.0")
    /// ```
    public struct Hello: Sendable, Hashable {
        /// Every protocol version the initiator speaks.
        public var protocolVersions: [UInt32]
        /// The initiator's register id: 16 bytes when well formed.
        public var registerID: [UInt8]
        /// The register schema version of the initiator's replica.
        public var schemaVersion: UInt32
        /// The initiator replica's site id: 16 bytes when well formed.
        public var siteID: [UInt8]
        /// A display name for logs: at most 256 bytes of UTF-8 when well formed.
        public var peerName: String
        /// How many unacknowledged batches the initiator accepts: 1–64, or 0 for the default of 4.
        public var receiveWindow: UInt32
        /// The initiator's software and version, for logs: at most 256 bytes of UTF-8 when well formed.
        public var software: String

        /// Creates a `Hello` with these fields.
        public init(
            protocolVersions: [UInt32], registerID: [UInt8], schemaVersion: UInt32, siteID: [UInt8], peerName: String,
            receiveWindow: UInt32, software: String
        ) {
            self.protocolVersions = protocolVersions
            self.registerID = registerID
            self.schemaVersion = schemaVersion
            self.siteID = siteID
            self.peerName = peerName
            self.receiveWindow = receiveWindow
            self.software = software
        }
    }
}
