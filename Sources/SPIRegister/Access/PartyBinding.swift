import SPIReplication
import SPISQLite
public import SPITransport

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

    /// Binds the replica with `peer` to `party` (an id or code), replacing an earlier binding of that peer.
    ///
    /// - Throws: ``RegisterError/Code/forbidden`` when the store checks access and does not act for the
    ///   organization; as ``RecordStore/resolve(_:_:)`` for an unknown party.
    @discardableResult
    public static func bind(party: String, peer: PeerID, _ store: RecordStore) throws -> PartyBinding {
        let partyID = try store.resolve("party", party)
        try store.put(
            "party_peer",
            values: [
                "party_id": .text(partyID), "peer": .text(peer.description),
                "site": .text(peer.siteID.description),
            ])
        return PartyBinding(
            partyID: partyID, partyCode: try store.record("party", partyID).values["code"]?.textValue,
            peerID: peer.description, siteID: peer.siteID.description)
    }

    /// Every binding, by party code then peer id.
    public static func all(_ store: RecordStore) throws -> [PartyBinding] {
        try store.db.rows(
            """
            SELECT b.party_id, p.code, b.peer, b.site FROM party_peer b LEFT JOIN party p ON p.id = b.party_id
            ORDER BY p.code, b.peer
            """
        ).map { row in
            PartyBinding(
                partyID: row[0].textValue ?? "", partyCode: row[1].textValue, peerID: row[2].textValue ?? "",
                siteID: row[3].textValue ?? "")
        }
    }
}

extension Register {
    /// The access actor of a party (an id or code): the organization for a party of kind `organization`.
    ///
    /// - Throws: as ``RecordStore/resolve(_:_:)`` for an unknown party.
    public func actor(ofParty party: String) throws -> AccessActor {
        try read { store in
            let id = try store.resolve("party", party)
            return try store.record("party", id).values["kind"]?.textValue == "organization" ? .organization : .party(id)
        }
    }
}
