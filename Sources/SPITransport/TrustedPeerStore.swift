import Foundation
public import SPIReplication
import SPISQLite
public import SPIIdentity

/// A peer this replica trusts: a name for people, the peer id its TLS key must hash to, and where to reach it.
public struct TrustedPeer: Sendable, Hashable, Codable {
    /// A short local name (letters, digits, `.`, `_`, `-`; at most 64 characters).
    public var name: String
    /// The peer id a connection must present.
    public var peerID: PeerID
    /// Where to reach the peer, if known.
    public var address: PeerAddress?
    /// When the peer was added, as ISO 8601 UTC text.
    public var created: String

    /// Creates a trusted peer record.
    public init(name: String, peerID: PeerID, address: PeerAddress?, created: String) {
        self.name = name
        self.peerID = peerID
        self.address = address
        self.created = created
    }
}

/// The list of trusted peers of one replica, kept in its local table `_spi_peer`.
///
/// The table is local settings, like `_spi_meta`: it is not tracked, so it never replicates, never appears in a
/// change set or an export, and each party decides whom it trusts. Adding a peer validates the name and checks for
/// duplicates; a connection is accepted only from a peer listed here (mutual TLS pinned on the peer id).
///
/// ```swift
/// let peers = try TrustedPeerStore(replica: replica)
/// try peers.add(name: "contoso", peerID: try PeerID(parsing: idText), address: try PeerAddress(parsing: "10.0.0.5:7373"))
/// for peer in try peers.list() { print(peer.name, peer.peerID) }
/// try peers.remove(name: "contoso")
/// ```
public struct TrustedPeerStore {
    /// The replica whose list this is.
    public let replica: Replica

    /// The table's definition (created on first use, through a write transaction of the replica).
    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS _spi_peer (
            name TEXT PRIMARY KEY NOT NULL, peer_id TEXT NOT NULL UNIQUE, address TEXT, created TEXT NOT NULL) STRICT
        """

    /// Opens the list of `replica`, creating its table if the replica is writable and has none.
    public init(replica: Replica) throws {
        self.replica = replica
        let exists = try replica.read { db in
            try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = '_spi_peer'") == .integer(1)
        }
        if !exists, !(try replica.read { $0.isReadOnly }) {
            try replica.write { db in try db.execute(Self.createTableSQL) }
        }
    }

    /// Adds a trusted peer.
    ///
    /// - Parameter ownPeerID: this replica's own peer id, if known, to refuse trusting itself.
    /// - Throws: ``PeerError/Code/invalidName``, ``PeerError/Code/duplicateName``,
    ///   ``PeerError/Code/duplicatePeerID`` or ``PeerError/Code/ownPeerID``.
    @discardableResult
    public func add(
        name: String, peerID: PeerID, address: PeerAddress? = nil, ownPeerID: PeerID? = nil
    ) throws -> TrustedPeer {
        try Self.validate(name: name)
        if peerID == ownPeerID {
            throw PeerError(.ownPeerID, "\(peerID) is this replica's own peer id; add the other party's id")
        }
        let created = ISO8601DateFormatter().string(from: Date())
        let peer = TrustedPeer(name: name, peerID: peerID, address: address, created: created)
        try replica.write { db in
            try db.execute(Self.createTableSQL)
            if let existing = try db.rows("SELECT peer_id FROM _spi_peer WHERE name = ?", [.text(name)]).first?[0] {
                throw PeerError(
                    .duplicateName,
                    "a peer named '\(name)' is already trusted (\(existing.textValue ?? "?")); remove it first")
            }
            if let existing = try db.rows(
                "SELECT name FROM _spi_peer WHERE peer_id = ?", [.text(peerID.description)]
            ).first?[0] {
                throw PeerError(
                    .duplicatePeerID, "peer id \(peerID) is already trusted as '\(existing.textValue ?? "?")'")
            }
            try db.execute(
                "INSERT INTO _spi_peer(name, peer_id, address, created) VALUES (?, ?, ?, ?)",
                [
                    .text(name), .text(peerID.description), address.map { .text($0.description) } ?? .null,
                    .text(created),
                ])
        }
        return peer
    }

    /// Every trusted peer, sorted by name.
    public func list() throws -> [TrustedPeer] {
        try replica.read { db in
            guard try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = '_spi_peer'") == .integer(1) else {
                return []
            }
            return try db.rows("SELECT name, peer_id, address, created FROM _spi_peer ORDER BY name").compactMap {
                row in
                guard let name = row[0].textValue, let idText = row[1].textValue, let id = PeerID(idText) else {
                    return nil
                }
                return TrustedPeer(
                    name: name, peerID: id, address: row[2].textValue.flatMap(PeerAddress.init),
                    created: row[3].textValue ?? "")
            }
        }
    }

    /// The trusted peer with `peerID`, if any.
    public func peer(withID peerID: PeerID) throws -> TrustedPeer? {
        try list().first { $0.peerID == peerID }
    }

    /// The trusted peer named `name`, if any.
    public func peer(named name: String) throws -> TrustedPeer? {
        try list().first { $0.name == name }
    }

    /// Stops trusting the peer named `name`. Sessions already running with it are not interrupted.
    ///
    /// - Returns: the removed peer.
    /// - Throws: ``PeerError/Code/unknownPeer`` when no peer has that name.
    @discardableResult
    public func remove(name: String) throws -> TrustedPeer {
        guard let peer = try peer(named: name) else {
            throw PeerError(.unknownPeer, "no trusted peer is named '\(name)'")
        }
        try replica.write { db in try db.execute("DELETE FROM _spi_peer WHERE name = ?", [.text(name)]) }
        return peer
    }

    /// Checks a peer name: 1–64 characters, letters, digits, `.`, `_` and `-`, starting with a letter or digit.
    ///
    /// - Throws: ``PeerError/Code/invalidName``.
    public static func validate(name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars
                .contains($0)
        }
        guard !name.isEmpty, name.count <= 64, allowed, let first = name.unicodeScalars.first,
            !"._-".unicodeScalars.contains(first)
        else {
            throw PeerError(
                .invalidName,
                "'\(name)' is not a valid peer name: use 1-64 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit")
        }
    }
}

@available(*, unavailable)
extension TrustedPeerStore: Sendable {}
