public import SPIReplication
public import SPISQLite
public import SPIIdentity

/// The register's access control for sync sessions: parties bound to peers, read scopes and write rules.
///
/// - A peer's site is derived from its verified key (`PeerID.siteID`), and its party from the
///   `party_peer` bindings this replica holds.
/// - It receives only the rows its party may see, of every origin this replica holds: every change carries its
///   origin's signature, so any replica may relay any change.
/// - Its changes are judged by their origin's write rules (the binding the origin had when it made them), except
///   those of other sites that a peer acting for the organization relays (it judged them when they reached it).
///   It may claim to hold all of another site's changes only when it acts for the organization or has this
///   replica's own scope: a provider holds only what its party may see.
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
        // A binding written since the last stamp has no version yet: stamp first, so that a peer just bound gets the
        // rows of its new scope whole (RegisterReadScope).
        try replica.stamp()
        let (peerActor, binding, ownActor) = try replica.read { db in
            (
                try AccessRules.actor(of: peerSite, registerID: replica.registerID, db),
                try AccessRules.latestBinding(of: peerSite, db),
                try AccessRules.actor(of: ownSite, registerID: replica.registerID, db)
            )
        }
        // Every replica relays every origin in the peer's scope: each change carries its origin's signature. It vouches
        // for other sites' changes only when it holds all the peer may see.
        let scope: (any ReadScope)? = RegisterReadScope(
            viewer: peerActor, origins: nil, binding: binding, sender: ownActor)
        let gate = RegisterWriteGate(
            peerSite: peerSite, peerActor: peerActor, ownSite: ownSite, registerID: replica.registerID)
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

    public func mayCover(_ site: SiteID, _ db: Connection) throws -> Bool { try carried.mayCover(site, db) }

    public var carrier: SiteID? { peerSite }

    public func trusts(_ origin: SiteID) -> Bool { carried.trusts(origin) }

    /// Always false: even a peer acting for the organization has its own changes judged, by the binding its site had
    /// when it made them (a replica bound to the organization after it made an edit did not act for it then), so that
    /// every replica reaches the same verdict whatever path the change took. Its relays are trusted.
    public var allowsEverything: Bool { false }

    public func originGate(carrier: SiteID?) -> any WriteGate { carried.originGate(carrier: carrier) }

    public func receiverScope(_ db: Connection) throws -> String? { try carried.receiverScope(db) }

    public func keeps(table: String, id: String, _ db: Connection) throws -> Bool {
        try carried.keeps(table: table, id: id, db)
    }
}

/// Judges the changes of a change-set file by their origin, with the register's write rules, and keeps only what the
/// receiving replica's own party may see.
///
/// With the file's verified writer (its signature: `Replica.applyChanges(from:requireSignature:gate:progress:)`),
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
        if let writer, origin != writer, try AccessRules.actor(of: writer, registerID: registerID, db).isOrganization {
            // Relayed by a writer that acts for the organization, as over TCP: it judged the change when it arrived
            // from its origin (whose signature proves where it comes from).
            return .allow
        }
        return try AccessRules.judge(write, origin: origin, registerID: registerID, db)
    }

    /// Whether the writer may claim that this replica holds every change of `site` it may see: for its own site, when
    /// it acts for the organization (it holds every change), for a site it succeeds after a key rotation
    /// (`AccessRules.succeeds(_:_:_:)`), or when it has this replica's own scope (a provider's other replica). A provider holds only what its party may see, so it cannot vouch for the changes of
    /// other sites that another party may see.
    public func mayCover(_ site: SiteID, _ db: Connection) throws -> Bool {
        guard let writer, site != writer else { return true }
        let carrier = try AccessRules.actor(of: writer, registerID: registerID, db)
        if carrier.isOrganization { return true }
        // A replica that succeeds the site (after a key rotation, by the authority's binding) holds all of its changes.
        if try AccessRules.succeeds(writer, site, db) { return true }
        guard case .party = carrier, let own = try receiverScope(db) else { return false }
        return AccessRules.scopeName(of: carrier) == own
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
