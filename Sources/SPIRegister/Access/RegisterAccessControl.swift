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

    public func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision {
        guard origin == peerSite || peerActor.isOrganization else {
            return .refuse(
                "relayed by a replica that does not act for the organization: only the organization's replicas relay "
                    + "changes of other sites (origin \(origin))")
        }
        if origin != peerSite {
            // The organization's replica judged this change when it arrived from its origin.
            return .allow
        }
        // The peer's own change: by the party its site was bound to when it made it.
        return try AccessRules.judge(write, origin: origin, registerID: registerID, db)
    }

    public func mayCover(_ site: SiteID) -> Bool {
        peerActor.isOrganization || site == peerSite
    }

    /// Always false: even a peer acting for the organization has its own changes judged, by the binding its site had
    /// when it made them (a replica bound to the organization after it made an edit did not act for it then), so that
    /// every replica reaches the same verdict whatever path the change took. Its relays are trusted.
    public var allowsEverything: Bool { false }

    /// Held changes are judged again by their origin alone: their carrier was judged when they arrived.
    public var originGate: any WriteGate { FileWriteGate(registerID: registerID, ownSite: ownSite) }

    public func receiverScope(_ db: Connection) throws -> String? {
        try FileWriteGate(registerID: registerID, ownSite: ownSite).receiverScope(db)
    }

    public func keeps(table: String, id: String, isNew: Bool, _ db: Connection) throws -> Bool {
        try FileWriteGate(registerID: registerID, ownSite: ownSite).keeps(table: table, id: id, isNew: isNew, db)
    }
}

/// Judges the changes of a change-set file by their origin, with the register's write rules, and keeps only what the
/// receiving replica's own party may see.
///
/// A file is not authenticated: its changes are judged by the origins they claim, so a file can carry at most what
/// those origins may write. Apply files only from parties you trust to have made them (see docs/permissions.md).
public struct FileWriteGate: WriteGate {
    /// The register.
    public let registerID: RegisterID
    /// The receiving replica's site, whose own read scope decides what it keeps (nil: keep everything).
    public let ownSite: SiteID?

    /// Creates a gate for the register's files, applied by the replica with `ownSite`.
    public init(registerID: RegisterID, ownSite: SiteID? = nil) {
        self.registerID = registerID
        self.ownSite = ownSite
    }

    public func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision {
        try AccessRules.judge(write, origin: origin, registerID: registerID, db)
    }

    public func mayCover(_ site: SiteID) -> Bool { true }

    /// This replica's own read scope (``AccessRules/scopeName(of:)`` of its current actor): nil for the authority
    /// and for a gate without a receiving site, which hold every row.
    public func receiverScope(_ db: Connection) throws -> String? {
        guard let ownSite, ownSite != registerID else { return nil }
        return AccessRules.scopeName(of: try AccessRules.actor(of: ownSite, registerID: registerID, db))
    }

    public func keeps(table: String, id: String, isNew: Bool, _ db: Connection) throws -> Bool {
        guard let ownSite else { return true }
        let viewer = try AccessRules.actor(of: ownSite, registerID: registerID, db)
        return try AccessRules.keeps(table: table, id: id, isNew: isNew, viewer: viewer, db)
    }
}
