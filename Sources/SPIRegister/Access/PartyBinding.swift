import SPIReplication
import SPISQLite
public import SPIIdentity

/// A replica bound to a party: the organization's statement that the replica with this peer id speaks for it.
///
/// Bindings are rows of the replicated `party_peer` table, which only the organization writes; every replica
/// uses them to judge who made a change (``AccessRules/actor(of:registerID:_:)``).
///
/// ```swift
/// try register.write { store in try PartyBinding.bind(party: "FAB", peer: fabrikamPeerID, store) }
/// ```
public struct PartyBinding: Sendable, Hashable {
    /// The party's row id.
    public var partyID: String
    /// The party's code, when it has one.
    public var partyCode: String?
    /// The replica's peer id.
    public var peerID: String
    /// The replica's site id, derived from the peer id.
    public var siteID: String

    /// Binds the replica with `peer` to `party` (an id or code) from now on, replacing an earlier binding of that peer.
    ///
    /// Bindings are append-only: this adds a `party_peer` row, and the latest binding of a peer counts. Changes the
    /// replica made earlier stay judged by the binding that held when they were made (see
    /// ``AccessRules/actor(of:asOf:registerID:_:)``), so a rebinding never changes the verdict on an old change.
    ///
    /// - Throws: `RegisterError.Code.forbidden` when the store checks access and does not act for the
    ///   organization; as ``RecordStore/resolve(_:_:)`` for an unknown party.
    ///
    /// With `replacing`, the replica succeeds the ones with those sites (its old keys, after `spi key rotate`): every
    /// replica then takes the old sites' coverage (protocol/permissions.md §2.4) from the new one, which alone holds
    /// the old sites' changes from then on.
    @discardableResult
    public static func bind(party: String, peer: PeerID, replacing old: [SiteID] = [], _ store: RecordStore) throws
        -> PartyBinding
    {
        let partyID = try store.resolve("party", party)
        var values: [String: DatabaseValue] = [
            "party_id": .text(partyID), "peer": .text(peer.description), "site": .text(peer.siteID.description),
        ]
        if !old.isEmpty {
            guard !old.contains(peer.siteID) else {
                throw RegisterError(
                    .invalidValue, "a replica cannot replace itself: give the old peer id to --replaces")
            }
            var seen: Set<SiteID> = []
            values["replaces"] = .text(
                old.filter { seen.insert($0).inserted }.map(\.description).joined(separator: " "))
        }
        try store.put("party_peer", id: RecordID.v7(), values: values, mode: .insert)
        return PartyBinding(
            partyID: partyID, partyCode: try store.record("party", partyID).values["code"]?.textValue,
            peerID: peer.description, siteID: peer.siteID.description)
    }

    /// Ends the binding of the replica with `peer` from now on: adds a binding row with no party.
    ///
    /// - Throws: `RegisterError.Code.forbidden` when the store checks access and does not act for the
    ///   organization.
    public static func unbind(peer: PeerID, _ store: RecordStore) throws {
        try store.checkAccess(RowWrite(table: "party_peer", id: "", kind: .create, values: [:]))
        try store.db.execute(
            "INSERT INTO party_peer(id, party_id, peer, site) VALUES (?, NULL, ?, ?)",
            [.text(RecordID.v7()), .text(peer.description), .text(peer.siteID.description)])
    }

    /// The current binding of every bound peer (its latest binding row), by party code then peer id.
    public static func all(_ store: RecordStore) throws -> [PartyBinding] {
        Dictionary(grouping: try AccessRules.bindingRows(of: nil, store.db), by: \.peer).values
            .compactMap { rows in AccessRules.latest(rows) }
            .compactMap { row in
                row.partyID.map {
                    PartyBinding(partyID: $0, partyCode: row.partyCode, peerID: row.peer, siteID: row.site)
                }
            }
            .sorted { ($0.partyCode ?? "", $0.peerID) < ($1.partyCode ?? "", $1.peerID) }
    }
}

extension PartyBinding {
    /// The sites the binding of a rotated replica names in `replaces` (`spi key rotate` prints them): `last`, the site
    /// it had just before its rotation, and each of its `earlier` sites that no binding in `store` names yet (the
    /// replica rotated again before the organization bound it). Without them, nobody could stand for the earlier
    /// sites' coverage: their changes would reach other replicas only from this one, and never by relay.
    public static func sitesToReplace(last: SiteID, earlier: [SiteID], _ store: RecordStore) throws -> [SiteID] {
        var named: Set<String> = []
        try store.db.forEachRow("SELECT replaces FROM party_peer WHERE replaces IS NOT NULL") { row in
            for site in (row.text(0) ?? "").split(whereSeparator: \.isWhitespace) { named.insert(String(site)) }
        }
        return earlier.filter { $0 != last && !named.contains($0.description) } + [last]
    }
}

extension Register {
    /// The access actor of a party (an id or code): the organization for a party of kind `organization`.
    ///
    /// - Throws: as ``RecordStore/resolve(_:_:)`` for an unknown party.
    public func actor(ofParty party: String) throws -> AccessActor {
        try read { store in
            let id = try store.resolve("party", party)
            return try store.record("party", id).values["kind"]?.textValue == "organization"
                ? .organization : .party(id)
        }
    }
}
