import Foundation
public import SPIReplication
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

/// The list of trusted peers of one replica, kept in its local settings (`LocalSettings`) under `peer:NAME`, one
/// JSON object per peer.
///
/// Local settings are not tracked: the list never replicates, never appears in a change set or an export, and each
/// party decides whom it trusts. Adding a peer validates the name and checks for duplicates; a connection is accepted
/// only from a peer listed here (mutual TLS pinned on the peer id). A replica written by an older version kept the
/// list in a table of its own (`_spi_peer`); it moves into the settings the first time the list is opened for
/// writing.
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

    /// The key prefix of the list in the local settings.
    static let prefix = "peer:"

    /// The table an older version kept the list in.
    static let legacyTable = "_spi_peer"

    /// The list an older version kept in its own table, when the replica is read-only (otherwise it has moved).
    private let legacy: [TrustedPeer]

    /// Opens the list of `replica`, moving an older version's table into the local settings when the replica is
    /// writable (a read-only replica's old table is read as it is).
    public init(replica: Replica) throws {
        self.replica = replica
        // Read first: opening the list takes no write lock unless there is an old table to move.
        guard let found = try replica.readLocalSettings({ try Self.legacyPeers(in: $0) }) else {
            legacy = []
            return
        }
        guard !replica.isReadOnly else {
            legacy = found
            return
        }
        legacy = []
        try replica.updateLocalSettings { settings in
            for peer in try Self.legacyPeers(in: settings) ?? [] {
                try settings.set(try Self.encode(peer), for: Self.prefix + peer.name)
            }
            try settings.dropLegacyTable(Self.legacyTable)
        }
    }

    /// The peers of an older version's table; nil when there is none.
    private static func legacyPeers(in settings: borrowing LocalSettings) throws -> [TrustedPeer]? {
        try settings.legacyTable(legacyTable)?.compactMap { row in
            guard let name = row["name"], let id = row["peer_id"].flatMap(PeerID.init) else { return nil }
            return TrustedPeer(
                name: name, peerID: id, address: row["address"].flatMap(PeerAddress.init), created: row["created"] ?? ""
            )
        }
    }

    /// Adds a trusted peer.
    ///
    /// - Parameter ownPeerID: this replica's own peer id, if known, to refuse trusting itself.
    /// - Throws: `PeerError.Code.invalidName`, `PeerError.Code.duplicateName`,
    ///   `PeerError.Code.duplicatePeerID` or `PeerError.Code.ownPeerID`.
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
        try replica.updateLocalSettings { settings in
            let peers = try Self.peers(in: settings)
            if let existing = peers.first(where: { $0.name == name }) {
                throw PeerError(
                    .duplicateName, "a peer named '\(name)' is already trusted (\(existing.peerID)); remove it first")
            }
            if let existing = peers.first(where: { $0.peerID == peerID }) {
                throw PeerError(.duplicatePeerID, "peer id \(peerID) is already trusted as '\(existing.name)'")
            }
            try settings.set(try Self.encode(peer), for: Self.prefix + name)
        }
        return peer
    }

    /// Every trusted peer, sorted by name.
    public func list() throws -> [TrustedPeer] {
        let peers = try replica.readLocalSettings { try Self.peers(in: $0) }
        guard !legacy.isEmpty else { return peers }
        return (peers + legacy).sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
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
    /// - Throws: `PeerError.Code.unknownPeer` when no peer has that name.
    @discardableResult
    public func remove(name: String) throws -> TrustedPeer {
        try replica.updateLocalSettings { settings in
            guard let peer = try Self.peers(in: settings).first(where: { $0.name == name }) else {
                throw PeerError(.unknownPeer, "no trusted peer is named '\(name)'")
            }
            try settings.remove(Self.prefix + name)
            return peer
        }
    }

    /// The peers in the settings, sorted by name (entries that do not decode are skipped).
    private static func peers(in settings: borrowing LocalSettings) throws -> [TrustedPeer] {
        try settings.entries(withPrefix: prefix).compactMap { entry in
            try? JSONDecoder().decode(TrustedPeer.self, from: Data(entry.value.utf8))
        }
    }

    private static func encode(_ peer: TrustedPeer) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(peer), as: UTF8.self)
    }

    /// Checks a peer name: 1–64 characters, letters, digits, `.`, `_` and `-`, starting with a letter or digit.
    ///
    /// - Throws: `PeerError.Code.invalidName`.
    public static func validate(name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-".unicodeScalars
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
