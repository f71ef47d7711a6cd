public import SPISQLite

/// What one party may see and write of one table: `spi scope`'s rows.
public struct TableScope: Sendable, Hashable {
    /// The table.
    public var table: String
    /// The rows the party may see now.
    public var visibleRows: Int
    /// The rows the table holds here.
    public var totalRows: Int
    /// The read rule, for people.
    public var read: String
    /// The write rule, for people.
    public var write: String

    /// The scope of `actor` on every register table, counted on `db`.
    public static func all(for actor: AccessActor, _ db: Connection) throws -> [TableScope] {
        let rules = AccessRules.visibility(for: actor)
        return try FieldCatalog.tables.map { spec in
            let total = Int(try db.scalar("SELECT count(*) FROM \(quoted(spec.name))")?.integerValue ?? 0)
            let visible =
                try rules?[spec.name].map { rule in
                    Int(
                        try db.scalar("SELECT count(DISTINCT id) FROM (\(AccessRules.withoutEntry(rule)))")?
                            .integerValue ?? 0)
                } ?? total
            return TableScope(
                table: spec.name, visibleRows: visible, totalRows: total, read: readRule(spec.name, actor),
                write: writeRule(spec.name, actor))
        }
    }

    static func readRule(_ table: String, _ actor: AccessActor) -> String {
        if actor == .organization { return "every row" }
        switch table {
        case "party", "practice", "activity", "party_peer": return "every row"
        case "person": return "the organization's people and the party's own"
        case "service": return "the organization's services, the party's own, and those its SPIs and agreements cover"
        case "agreement": return "agreements the party is a party to"
        case "service_level_target": return "targets of its agreements"
        case "service_level_result": return "levels achieved against the targets of its agreements"
        case "interface": return "SPIs it provides"
        case "finding_action": return "findings given to its people to fix"
        case "integration_point": return "rows of the SPIs it provides, and hand-offs it sends or receives on any SPI"
        case "integration_data_item": return "data items of the integration points it sees"
        default: return "rows of the SPIs it provides"
        }
    }

    static func writeRule(_ table: String, _ actor: AccessActor) -> String {
        switch actor {
        case .organization: return "everything"
        case .unbound: return "nothing (not bound)"
        case .party: break
        }
        switch table {
        case "party": return "the name and notes of its own party"
        case "person": return "its own people"
        case "interface":
            return "its SPIs' title, stage, version and description (not status, approval, owner, review dates)"
        case "raci_assignment", "integration_point", "information_item", "integration_data_item",
            "information_recipient":
            return "rows within its own SPIs"
        case "interface_signature": return "its own party's signatures of its SPIs (append-only)"
        case "service_level_result": return "levels achieved against the targets of agreements it provides"
        case "information_delivery": return "deliveries of the information items of its SPIs"
        case "interface_version": return "versions of its SPIs, frozen when it signs (append-only)"
        case "metric": return "new metrics (not changing existing ones)"
        default: return "nothing"
        }
    }
}
