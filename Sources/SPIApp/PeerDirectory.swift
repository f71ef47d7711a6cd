public import SPIRegister

/// The replica's trusted peers, for the app's pairing section: `spi app` hands one in, backed by the sync transport's
/// store of trusted peers (the app itself needs no transport). Each call runs on the register's queue.
public protocol PeerDirectory: Sendable {
    /// The peers `register`'s replica trusts, by name.
    func peers(of register: Register) throws -> [TrustedPeerRow]
    /// Trusts a peer: `peerID` as `spi whoami` prints it, `address` as `HOST:PORT` (optional).
    func add(name: String, peerID: String, address: String?, to register: Register) throws
}

/// One trusted peer, as the app shows it.
public struct TrustedPeerRow: Sendable, Hashable {
    /// The local name.
    public var name: String
    /// The peer id.
    public var peerID: String
    /// Where to reach it, when known.
    public var address: String?

    /// A peer.
    public init(name: String, peerID: String, address: String?) {
        self.name = name
        self.peerID = peerID
        self.address = address
    }
}
