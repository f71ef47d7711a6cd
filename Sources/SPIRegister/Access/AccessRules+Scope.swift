import Foundation
public import SPIReplication
public import SPISQLite

extension AccessRules {
    /// The parties every replica sees the people of: the organization's own.
    static let organizationParties = "(SELECT id FROM party WHERE kind = 'organization' OR internal = 1)"

    /// Per table, the rows `actor` may see, as a `SELECT id, entered` for `ReadScope` (nil: every row).
    ///
    /// - Reference data (practices, activities), parties and party bindings: everyone.
    /// - People: the organization's own parties' people, and the party's own.
    /// - Services: those of the organization or of no provider, those the party provides or receives, and those
    ///   its SPIs or agreements cover.
    /// - Agreements and their targets: the two parties of the agreement.
    /// - An SPI and everything hanging off it: its provider.
    /// - Findings given to someone to fix: the party of their owner.
    /// - An integration point and its data items: also the parties that send and receive it, so that both providers
    ///   of a provider-to-provider hand-off see it (the SPI it belongs to stays its provider's).
    public static func visibility(for actor: AccessActor) -> [String: String]? {
        let party: String
        switch actor {
        case .organization: return nil
        case .party(let id): party = sqlLiteral(id)
        case .unbound: party = "''"
        }
        func underInterface(_ table: String) -> String {
            """
            SELECT t.id, {unknown:\(table):t.id:interface_id} OR {unknown:interface:i.id:provider_id}
            FROM \(table) t JOIN interface i ON i.id = t.interface_id WHERE i.provider_id = \(party)
            """
        }
        return [
            "person": """
            SELECT t.id, {unknown:person:t.id:party_id} OR {unknown:party:t.party_id:kind} OR {unknown:party:t.party_id:internal}
            FROM person t WHERE t.party_id = \(party) OR t.party_id IN \(organizationParties)
            """,
            "service": """
            SELECT t.id, {unknown:service:t.id:provider_id} OR {unknown:service:t.id:customer_id}
            FROM service t
            WHERE t.provider_id IS NULL OR t.provider_id = \(party) OR t.customer_id = \(party)
                OR t.provider_id IN \(organizationParties)
            UNION ALL
            SELECT s.service_id, {unknown:interface_service:s.id:service_id} OR {unknown:interface_service:s.id:interface_id}
                OR {unknown:interface:i.id:provider_id}
            FROM interface_service s JOIN interface i ON i.id = s.interface_id WHERE i.provider_id = \(party)
            UNION ALL
            SELECT g.service_id, {unknown:service_level_target:g.id:service_id} OR {unknown:service_level_target:g.id:agreement_id}
                OR {unknown:agreement:a.id:provider_id} OR {unknown:agreement:a.id:customer_id}
            FROM service_level_target g JOIN agreement a ON a.id = g.agreement_id
            WHERE a.provider_id = \(party) OR a.customer_id = \(party)
            """,
            "agreement": """
            SELECT t.id, {unknown:agreement:t.id:provider_id} OR {unknown:agreement:t.id:customer_id}
            FROM agreement t WHERE t.provider_id = \(party) OR t.customer_id = \(party)
            """,
            "service_level_target": """
            SELECT t.id, {unknown:service_level_target:t.id:agreement_id} OR {unknown:agreement:a.id:provider_id}
                OR {unknown:agreement:a.id:customer_id}
            FROM service_level_target t JOIN agreement a ON a.id = t.agreement_id
            WHERE a.provider_id = \(party) OR a.customer_id = \(party)
            """,
            "information_delivery": """
            SELECT t.id, {unknown:information_delivery:t.id:information_item_id}
                OR {unknown:information_item:m.id:interface_id} OR {unknown:interface:i.id:provider_id}
            FROM information_delivery t JOIN information_item m ON m.id = t.information_item_id
            JOIN interface i ON i.id = m.interface_id WHERE i.provider_id = \(party)
            """,
            "service_level_result": """
            SELECT t.id, {unknown:service_level_result:t.id:target_id} OR {unknown:service_level_target:g.id:agreement_id}
                OR {unknown:agreement:a.id:provider_id} OR {unknown:agreement:a.id:customer_id}
            FROM service_level_result t JOIN service_level_target g ON g.id = t.target_id
            JOIN agreement a ON a.id = g.agreement_id
            WHERE a.provider_id = \(party) OR a.customer_id = \(party)
            """,
            "interface": """
            SELECT t.id, {unknown:interface:t.id:provider_id} FROM interface t WHERE t.provider_id = \(party)
            """,
            "finding_action": """
            SELECT t.id, {unknown:finding_action:t.id:owner_id} OR {unknown:person:p.id:party_id}
            FROM finding_action t JOIN person p ON p.id = t.owner_id WHERE p.party_id = \(party)
            """,
            "interface_service": underInterface("interface_service"),
            "raci_assignment": underInterface("raci_assignment"),
            "integration_point": underInterface("integration_point") + """

                UNION ALL
                SELECT t.id, {unknown:integration_point:t.id:from_party_id} OR {unknown:integration_point:t.id:to_party_id}
                FROM integration_point t WHERE t.from_party_id = \(party) OR t.to_party_id = \(party)
                """,
            "information_item": underInterface("information_item"),
            "review": underInterface("review"),
            "interface_signature": underInterface("interface_signature"),
            "interface_version": underInterface("interface_version"),
            "integration_data_item": """
            SELECT t.id, {unknown:integration_data_item:t.id:integration_point_id}
                OR {unknown:integration_point:p.id:interface_id} OR {unknown:interface:i.id:provider_id}
            FROM integration_data_item t JOIN integration_point p ON p.id = t.integration_point_id
            JOIN interface i ON i.id = p.interface_id WHERE i.provider_id = \(party)
            UNION ALL
            SELECT t.id, {unknown:integration_data_item:t.id:integration_point_id}
                OR {unknown:integration_point:p.id:from_party_id} OR {unknown:integration_point:p.id:to_party_id}
            FROM integration_data_item t JOIN integration_point p ON p.id = t.integration_point_id
            WHERE p.from_party_id = \(party) OR p.to_party_id = \(party)
            """,
            "information_recipient": """
            SELECT t.id, {unknown:information_recipient:t.id:information_item_id}
                OR {unknown:information_item:m.id:interface_id} OR {unknown:interface:i.id:provider_id}
            FROM information_recipient t JOIN information_item m ON m.id = t.information_item_id
            JOIN interface i ON i.id = m.interface_id WHERE i.provider_id = \(party)
            """,
        ]
    }

    /// A visibility rule with every `{unknown:…}` replaced by `0`: plain SQL selecting the visible ids.
    public static func withoutEntry(_ rule: String) -> String {
        var result = ""
        var rest = Substring(rule)
        while let start = rest.range(of: "{unknown:"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            result += rest[..<start.lowerBound] + "0"
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// Whether the replica whose own actor is `viewer` may hold row `id` of `table` as it now stands in `db`, after a
    /// batch that was not made for its scope (see `WriteGate.keeps(table:id:_:)`): only a row it may see. A new row
    /// it may not see is not stored, and a copy it held before that is outside its scope now is not updated.
    public static func keeps(table: String, id: String, viewer: AccessActor, _ db: Connection) throws -> Bool {
        guard let rules = visibility(for: viewer), let rule = rules[table] else { return true }
        return try db.scalar("SELECT 1 FROM (\(withoutEntry(rule))) WHERE id = ? LIMIT 1", [.text(id)]) != nil
    }

    /// The name of `actor`'s read scope, as batches carry it (`ChangeBatch.scope`): empty for the organization (every
    /// row), `party:ID` for a party, `unbound` for an unbound replica.
    public static func scopeName(of actor: AccessActor) -> String {
        switch actor {
        case .organization: ""
        case .party(let id): "party:" + id
        case .unbound: "unbound"
        }
    }

    /// The version of the latest binding row of `site` (see ``actor(of:asOf:registerID:_:)``), or nil when it has
    /// none (or it is not stamped yet).
    public static func latestBinding(of site: SiteID, _ db: Connection) throws -> Version? {
        guard let binding = latest(try bindingRows(of: site, db)), binding.version != pendingVersion else { return nil }
        return binding.version
    }

    /// `text` as a SQL string literal.
    static func sqlLiteral(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// The rows and origins one peer may receive, by the register's access rules.
public struct RegisterReadScope: ReadScope, Sendable {
    /// The rules by table (nil: every row of every table).
    public let rules: [String: String]?
    /// The origins this replica may send the peer (nil: all).
    public let origins: Set<SiteID>?
    /// The scope's name, carried in its batches: ``AccessRules/scopeName(of:)`` of the viewer.
    public let name: String
    /// The peer's latest binding: its row version, as this replica holds it.
    public let binding: Version?
    /// Whether the sending replica's own scope includes the viewer's: it acts for the organization (by its own
    /// bindings), or speaks for the same party. Otherwise its deltas claim coverage of its own site only.
    public let coversOtherSites: Bool

    /// The scope of a peer that speaks for `viewer`, from a replica that may send changes of `origins`.
    ///
    /// `binding` is the version of the peer's latest binding row: when the peer has not seen it yet (it was just
    /// bound or rebound), every row of its scope counts as entered and is sent whole, since its knowledge may cover
    /// rows that were outside its scope when it received them.
    ///
    /// `sender` is the actor of the sending replica by its own bindings (nil: one that holds every row, such as a
    /// replica without access control).
    public init(viewer: AccessActor, origins: Set<SiteID>?, binding: Version? = nil, sender: AccessActor? = nil) {
        self.rules = AccessRules.visibility(for: viewer)
        self.origins = origins
        let name = AccessRules.scopeName(of: viewer)
        self.name = name
        self.binding = binding
        self.coversOtherSites = sender.map { $0.isOrganization || AccessRules.scopeName(of: $0) == name } ?? true
    }

    public func rule(for table: String) -> ScopeRule? {
        rules?[table].map { ScopeRule(select: $0) }
    }

    public func rule(for table: String, peer: Knowledge) -> ScopeRule? {
        // (A peer that knows nothing yet gets every row in the ordinary delta anyway.)
        var unseenBinding = false
        if let binding, let site = binding.site, !peer.clocks.isEmpty {
            unseenBinding = binding.clock.rawValue > peer[site]
        }
        guard let rules else {
            // The organization's scope filters nothing; but a replica just bound to the organization may have claimed
            // knowledge under a narrower scope before (unbound, or a party's): every row counts as entered.
            return unseenBinding ? ScopeRule(select: "SELECT id, 1 FROM \(quoted(table))", everyRowEntered: true) : nil
        }
        guard let rule = rules[table] else { return nil }
        guard unseenBinding else { return ScopeRule(select: rule) }
        // The peer has not seen its binding: every row it may see counts as entered.
        return ScopeRule(
            select: rule.replacingOccurrences(
                of: #"SELECT (\w+\.\w+), "#, with: "SELECT $1, 1 OR ", options: .regularExpression),
            everyRowEntered: true)
    }

    /// Parties and bindings open every delta that relays all origins, so that the receiver knows who may write what
    /// (and its own scope) before anything else arrives.
    public var leadingTables: [String] { ["party", "party_peer"] }
}
