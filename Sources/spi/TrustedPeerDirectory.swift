import SPIApp
import SPIIdentity
import SPIRegister
import SPITransport

/// The app's view of the replica's trusted peers: the same store `spi peer add` and `spi peer list` use.
struct TrustedPeerDirectory: PeerDirectory {
    /// This replica's own peer id, which it may not trust as a peer.
    let ownPeerID: PeerID

    func peers(of register: Register) throws -> [TrustedPeerRow] {
        try TrustedPeerStore(replica: register.replica).list().map { peer in
            TrustedPeerRow(name: peer.name, peerID: peer.peerID.description, address: peer.address?.description)
        }
    }

    func add(name: String, peerID: String, address: String?, to register: Register) throws {
        let id = try PeerID(parsing: peerID)
        let address = try address.map { try PeerAddress(parsing: $0, defaultPort: 7373) }
        try TrustedPeerStore(replica: register.replica).add(
            name: name, peerID: id, address: address, ownPeerID: ownPeerID)
    }
}
