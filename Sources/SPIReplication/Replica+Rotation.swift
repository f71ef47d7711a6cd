import Foundation
public import Logging
import SPISQLite

/// What ``Replica/rotateSite(ofReplicaAt:from:to:logger:)`` did.
public struct SiteRotation: Sendable, Hashable {
    /// The site the replica had: its changes stay that site's, signed with its key.
    public var previous: SiteID
    /// The site the replica has now, from the new key.
    public var site: SiteID
    /// Whether the old key was there to sign the replica's last changes before the rotation.
    public var signedWithOldKey: Bool
    /// Row and cell versions the replica made under the old site that the old key never signed (only when that key
    /// was lost): they cannot be proven as the old site's, so they become the new site's, with their clocks.
    public var reattributed: Int
}

extension Replica {
    /// Rotates the key of the replica at `path`, the whole sequence `spi key rotate` runs: a new key beside the
    /// replica (`<db>.key.next`), the replica moved to the new key's site (``rotateSite(ofReplicaAt:from:to:logger:)``),
    /// then the new key put in place of the old one. An interruption anywhere leaves a replica and a key that the
    /// next `PeerIdentity.load(forReplicaAt:site:logger:)` settles (the replica's site says which key is its own).
    ///
    /// - Parameter previous: the old key, when it is not beside the replica (normally it is, and is used).
    /// - Returns: what the rotation did and the replica's new identity. Open the replica again afterwards.
    /// - Throws: `ReplicationError.Code.authorityKey` for the register's authority, before anything is written.
    public static func rotateKey(
        ofReplicaAt path: String, from previous: ChangeSetSigner? = nil, logger: Logger
    ) throws -> (rotation: SiteRotation, identity: PeerIdentity) {
        try refuseAuthority(try Replica(path: path, readOnly: true, logger: logger))
        let next = try PeerIdentity.prepareRotation(forReplicaAt: path, logger: logger)
        let rotation = try rotateSite(ofReplicaAt: path, from: previous, to: try next.changeSetSigner(), logger: logger)
        let identity = try PeerIdentity.completeRotation(forReplicaAt: path, logger: logger)
        guard identity.peerID.siteID == rotation.site else {
            throw ReplicationError(
                .malformed,
                "\(path): the key put in place (site \(identity.peerID.siteID)) is not the replica's site \(rotation.site)"
            )
        }
        return (rotation, identity)
    }

    /// Throws `ReplicationError.Code.authorityKey` when `replica` is its register's authority.
    private static func refuseAuthority(_ replica: Replica) throws {
        let path = replica.path
        guard replica.siteID != replica.registerID else {
            throw ReplicationError(
                .authorityKey,
                "\(path) is the register's authority (its site is the register id): every replica recognises the "
                    + "authority by its site, so its key cannot be rotated; restore its key from a backup")
        }
    }

    /// Gives the replica at `path` the site of a new key, on purpose: the old site's changes stay its own (with their
    /// proofs, so that this replica and every other can still relay them), and what the replica writes from now on
    /// is the new site's, signed with the new key.
    ///
    /// In one transaction: the changes made under the old site and not signed yet are signed with the old key, when
    /// it is given (`previous`) or beside the replica; the old site gets a new local number, taking its versions, proofs, key and knowledge
    /// with it; the new site takes the replica's own number. When the old key is lost, the changes it never signed
    /// cannot be proven as its own, so they become the new site's changes, with their clocks (``SiteRotation/reattributed``):
    /// receivers judge them by the new site's binding at those clocks, which normally refuses them.
    ///
    /// The new site speaks for no party until the organization binds it (a register's rule): sync with the
    /// organization before editing. Open the replica again afterwards: an open `Replica` keeps the site it had.
    ///
    /// - Throws: `ReplicationError.Code.authorityKey` for the register's authority;
    ///   `ReplicationError.Code.alreadyExists` when the replica has that site already.
    @discardableResult
    public static func rotateSite(
        ofReplicaAt path: String, from previous: ChangeSetSigner? = nil, to signer: ChangeSetSigner, logger: Logger
    ) throws -> SiteRotation {
        let replica = try Replica(path: path, logger: logger)
        if let previous, previous.site == replica.siteID { replica.signer = previous }
        let old = replica.siteID
        try refuseAuthority(replica)
        guard signer.site != old else {
            throw ReplicationError(.alreadyExists, "\(path) already has the site of that key (\(old))")
        }
        _ = try replica.stamp()
        let signedWithOldKey = replica.signer != nil
        let reattributed = try replica.connection.transaction(.immediate) { db -> Int in
            if signedWithOldKey { try replica.signPendingGroups(db) }
            let signed = DatabaseValue.integer(
                try db.scalar("SELECT value FROM _spi_meta WHERE key = 'proof.signed'")?.integerValue ?? 0)
            let own = DatabaseValue.integer(ownSiteIndex)
            guard let moved = try db.scalar("SELECT max(idx) + 1 FROM _spi_site")?.integerValue else {
                throw ReplicationError(.malformed, "\(path) has no sites")
            }
            let number = DatabaseValue.integer(moved)
            try db.execute("UPDATE _spi_site SET idx = ? WHERE idx = ?", [number, own])
            try db.execute("INSERT INTO _spi_site(idx, site) VALUES (?, ?)", [own, .blob(signer.site.bytes)])
            // Versions, by their clock: the old site's are those its key signed. Every group up to `proof.signed`
            // is; past it, a delta may have signed (and sent) some already, with the old key, as it sent them.
            for (table, site, clock) in [
                ("_spi_row", "site", "hlc"), ("_spi_clock", "site", "hlc"), ("_spi_clock", "prior_site", "prior_hlc"),
                ("_spi_mark", "site", "hlc"), ("_spi_held", "site", "hlc"), ("_spi_held_cap", "site", "hlc"),
            ] {
                try db.execute(
                    """
                    UPDATE \(table) SET \(site) = ?1 WHERE \(site) = ?2 AND (\(clock) <= ?3
                        OR EXISTS (SELECT 1 FROM _spi_group g WHERE g.site = ?2 AND g.hlc = \(table).\(clock)))
                    """, [number, own, signed])
            }
            // What proves them, and what this replica knows of the old site: all of it.
            for table in ["_spi_group", "_spi_group_chunk", "_spi_key", "_spi_knowledge"] {
                try db.execute("UPDATE \(table) SET site = ? WHERE site = ?", [number, own])
            }
            try db.execute(
                "INSERT INTO _spi_knowledge(site, hlc) VALUES (?, (SELECT value FROM _spi_meta WHERE key = 'clock.last'))",
                [own])
            try db.execute("UPDATE _spi_meta SET value = ? WHERE key = 'site.id'", [.text(signer.site.description)])
            let previous = try db.scalar("SELECT value FROM _spi_meta WHERE key = 'site.previous'")?.textValue
            try db.execute(
                "INSERT OR REPLACE INTO _spi_meta(key, value) VALUES ('site.previous', ?)",
                [.text([previous, old.description].compactMap { $0 }.joined(separator: " "))])
            let rows = try db.scalar("SELECT count(*) FROM _spi_row WHERE site = ?", [own])?.integerValue ?? 0
            let cells = try db.scalar("SELECT count(*) FROM _spi_clock WHERE site = ?", [own])?.integerValue ?? 0
            return Int(rows + cells)
        }
        logger.notice(
            "the replica has a new site",
            metadata: [
                "replica.path": "\(path)", "replica.site": "\(signer.site)", "replica.previousSite": "\(old)",
                "replica.reattributed": "\(reattributed)",
            ])
        return SiteRotation(
            previous: old, site: signer.site, signedWithOldKey: signedWithOldKey, reattributed: reattributed)
    }

    /// The sites the replica in `db` had before its key rotations, oldest first.
    static func previousSites(_ db: Connection) throws -> [SiteID] {
        let text = try db.scalar("SELECT value FROM _spi_meta WHERE key = 'site.previous'")?.textValue
        return (text ?? "").split(separator: " ").compactMap { SiteID(String($0)) }
    }
}

extension Replica {
    /// The sites whose key the checked `groups` show to be held by two replicas (``ApplyReport/sharedKeys``), logged
    /// as a warning.
    func sharedKeys(among groups: [VerifiedGroup]) -> Set<SiteID> {
        var sites: Set<SiteID> = []
        for group in groups where group.stored == .other || (group.key.site == siteID && group.stored == .none) {
            sites.insert(group.key.site)
        }
        for site in sites {
            let message =
                site == siteID
                ? "received changes signed with this replica's own key that it never signed: another replica uses "
                    + "the same key (a copied replica file; run `spi key rotate` on the copy), or this file was "
                    + "restored from an older backup"
                : "a site signed two different sets of changes at one clock: two replicas use its key (a copied "
                    + "replica file; run `spi key rotate` on the copy)"
            logger.warning("\(message)", metadata: ["replica.sharedKeySite": "\(site)"])
        }
        return sites
    }
}
