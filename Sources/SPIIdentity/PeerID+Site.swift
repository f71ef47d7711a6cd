extension PeerID {
    /// The site id of the replica that holds this key: the first 16 bytes of the peer id.
    ///
    /// A register replica's site id is derived from its key when it is created, so a verified TLS peer is also a
    /// verified site: a peer cannot send changes under another replica's site id as its own. The organization's
    /// first replica is the register's authority, and the register id is its site id.
    public var siteID: SiteID { SiteID(bytes: digest.prefix(16))! }
}
