public import SPIReplication
public import SPISQLite
public import SPITransport

/// The register's access control for sync sessions: parties bound to peers, read scopes and write rules.
///
/// - A peer's site is derived from its verified key (``SPITransport/PeerID/siteID``), and its party from the
///   `party_peer` bindings this replica holds.
/// - It receives only the rows its party may see, and, from a provider's replica, only that replica's own changes
///   (only the organization's replicas relay changes of other sites).
/// - Its changes are judged by their origin: changes of its own site by its party's write rules; changes of other
///   sites only when it acts for the organization (a trusted relay: it judged them when they reached it), and
///   never from a provider's replica.
///
/// ```swift
/// let server = try SyncServer(configuration: .init(replicaPath: path, schemaVersion: 2,
///                                                  accessControl: RegisterAccessControl()), …)
/// ```
public struct RegisterAccessControl: SyncAccessControl {
    /// Creates the register's access control.
    public init() {}

    public func access(for peer: PeerID, replica: Replica) throws -> SessionAccess {
        let peerSite = peer.siteID
        let ownSite = replica.siteID
        let (peerActor, localIsOrganization) = try replica.read { db in
            let peerActor = try AccessRules.actor(of: peerSite, registerID: replica.registerID, db)
            let localKind = try db.scalar("SELECT value FROM _spi_meta WHERE key = ?", [.text(Register.kindKey)])?.textValue
            let localActor = try AccessRules.actor(of: ownSite, registerID: replica.registerID, db)
            return (peerActor, localActor.isOrganization || localKind == ReplicaKind.organization.rawValue)
        }
        let origins: Set<SiteID>? = localIsOrganization ? nil : [ownSite]
        let binding = try replica.read { db in try AccessRules.latestBinding(of: peerSite, db) }
        let scope: (any ReadScope)? = RegisterReadScope(viewer: peerActor, origins: origins, binding: binding)
        let gate = RegisterWriteGate(peerSite: peerSite, peerActor: peerActor, ownSite: ownSite, registerID: replica.registerID)
        return SessionAccess(scope: scope, gate: gate, description: "\(peerActor)")
    }
}

/// Judges a peer's changes by their origin, with the register's write rules.
public struct RegisterWriteGate: WriteGate {
    /// The peer's site, derived from its verified key.
    public let peerSite: SiteID
    /// Who the peer speaks for.
    public let peerActor: AccessActor
    /// This replica's site.
    public let ownSite: SiteID
    /// The register.
    public let registerID: RegisterID

    /// Creates a gate for one session.
    public init(peerSite: SiteID, peerActor: AccessActor, ownSite: SiteID, registerID: RegisterID) {
        self.peerSite = peerSite
        self.peerActor = peerActor
        self.ownSite = ownSite
        self.registerID = registerID
    }

    /// The peer's changes are judged exactly as those of a file the peer wrote: by the same gate, with the peer as
    /// the carrier.
    var carried: FileWriteGate { FileWriteGate(registerID: registerID, ownSite: ownSite, writer: peerSite) }

    public func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision {
        try carried.judge(write, origin: origin, db)
    }

    public func carries(_ origin: SiteID, _ db: Connection) throws -> GateDecision { try carried.carries(origin, db) }

    public var carrier: SiteID? { peerSite }

    public func trusts(_ origin: SiteID) -> Bool { carried.trusts(origin) }

    /// Always false: even a peer acting for the organization has its own changes judged, by the binding its site had
    /// when it made them (a replica bound to the organization after it made an edit did not act for it then), so that
    /// every replica reaches the same verdict whatever path the change took. Its relays are trusted.
    public var allowsEverything: Bool { false }

    public func originGate(carrier: SiteID?) -> any WriteGate { carried.originGate(carrier: carrier) }

    public func receiverScope(_ db: Connection) throws -> String? { try carried.receiverScope(db) }

    public func keeps(table: String, id: String, _ db: Connection) throws -> Bool { try carried.keeps(table: table, id: id, db) }
}

/// Judges the changes of a change-set file by their origin, with the register's write rules, and keeps only what the
/// receiving replica's own party may see.
///
/// With the file's verified writer (its signature: ``Replica/applyChanges(from:requireSignature:gate:progress:)``),
/// changes of other origins are accepted only when the writer acts for the organization (a trusted relay, as over
/// TCP), and coverage is claimed only for the writer's own site otherwise: a provider cannot pass a change off as the
/// organization's or another party's by writing a file.
public struct FileWriteGate: WriteGate {
    /// The register.
    public let registerID: RegisterID
    /// The receiving replica's site, whose own read scope decides what it keeps (nil: keep everything).
    public let ownSite: SiteID?
    /// The file's verified writer (nil: not known, and changes are judged by the origins they claim).
    public let writer: SiteID?

    /// Creates a gate for the register's files (or for held changes), applied by the replica with `ownSite`, written
    /// (or carried) by `writer` when it is known.
    public init(registerID: RegisterID, ownSite: SiteID? = nil, writer: SiteID? = nil) {
        self.registerID = registerID
        self.ownSite = ownSite
        self.writer = writer
    }

    /// Creates a gate for a file written by `writer` (verified by its signature), applied by `replica`.
    public init(replica: Replica, writer: SiteID) {
        self.init(registerID: replica.registerID, ownSite: replica.siteID, writer: writer)
    }

    public func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision {
        if let writer, origin != writer {
            // Carried by a writer that acts for the organization (``carries(_:_:)``), as over TCP: it judged the
            // change when it arrived from its origin.
            return .allow
        }
        return try AccessRules.judge(write, origin: origin, registerID: registerID, db)
    }

    public func carries(_ origin: SiteID, _ db: Connection) throws -> GateDecision {
        guard let writer else { return .allow }
        return try AccessRules.carries(origin, carrier: writer, registerID: registerID, db)
    }

    public var carrier: SiteID? { writer }

    /// The register's authority may write everything: its changes need no judging once carried.
    public func trusts(_ origin: SiteID) -> Bool { origin == registerID }

    public func originGate(carrier: SiteID?) -> any WriteGate {
        FileWriteGate(registerID: registerID, ownSite: ownSite, writer: carrier)
    }

    /// This replica's own read scope (``AccessRules/scopeName(of:)`` of its current actor; empty for the organization,
    /// which sees every row), or nil for a gate without a receiving site.
    public func receiverScope(_ db: Connection) throws -> String? {
        guard let ownSite else { return nil }
        return AccessRules.scopeName(of: try AccessRules.actor(of: ownSite, registerID: registerID, db))
    }

    public func keeps(table: String, id: String, _ db: Connection) throws -> Bool {
        guard let ownSite else { return true }
        let viewer = try AccessRules.actor(of: ownSite, registerID: registerID, db)
        return try AccessRules.keeps(table: table, id: id, viewer: viewer, db)
    }
}
