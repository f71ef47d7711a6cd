public import SPIIdentity
public import SPISQLite
import SPIReplication

extension RecordStore {
    /// Which row it is, for people, by the codes, names and emails of the rows it hangs off, never a bare id:
    /// `SPI-INC-FAB / INC-LOG / FAB / R` for a RACI cell, `SPI-INC-FAB / 'Incident e-bonding'` for an integration
    /// point, `FAB` for a party. A row that is no longer here is named from `lastValues` (its values when it was
    /// deleted, from `RowHistory.lastValues`) when given, else reads `(a deleted raci)`.
    public func rowName(_ table: String, _ id: String, lastValues: [String: DatabaseValue]? = nil) throws -> String {
        let spec = try spec(table)
        let present = try recordIfPresent(spec, id: id)
        guard let row = present ?? lastValues.map({ Record(table: spec.name, id: id, values: $0) }) else {
            return "(a deleted \(spec.noun ?? spec.name))"
        }
        func ref(_ column: String, _ target: String) throws -> String {
            guard let value = row[column].textValue else { return "(none)" }
            return try label(target, value) ?? "(a deleted \(FieldCatalog.table(target)?.noun ?? target))"
        }
        func quoted(_ column: String) -> String { row[column].textValue.map { "'\($0)'" } ?? "(unnamed)" }
        func spi() throws -> String { try ref("interface_id", "interface") }
        switch table {
        case "raci_assignment":
            return "\(try spi()) / \(try ref("activity_id", "activity")) / \(try ref("party_id", "party")) / "
                + (row["role"].textValue ?? "?")
        case "interface_service":
            return "\(try spi()) / \(try ref("service_id", "service"))"
        case "integration_point", "information_item":
            return "\(try spi()) / \(quoted("name"))"
        case "integration_data_item":
            let point =
                try row["integration_point_id"].textValue.map { try rowName("integration_point", $0) } ?? "(none)"
            return "\(point) / \(quoted("name"))"
        case "information_recipient":
            let item = try row["information_item_id"].textValue.map { try rowName("information_item", $0) } ?? "(none)"
            let who = row["person_id"].textValue != nil ? try ref("person_id", "person") : try ref("party_id", "party")
            return "\(item) → \(who)"
        case "service_level_target":
            return "\(try ref("agreement_id", "agreement")) / \(try ref("service_id", "service")) / "
                + "\(row["metric"].textValue ?? "?") / \(row["priority"].textValue ?? "any priority")"
        case "review":
            return "\(try spi()) / review of \(row["review_date"].textValue ?? "?")"
        case "information_delivery":
            let item = try row["information_item_id"].textValue.map { try rowName("information_item", $0) } ?? "(none)"
            return "\(item) / delivery for \(row["period"].textValue ?? "?")"
        case "service_level_result":
            let target = try row["target_id"].textValue.map { try rowName("service_level_target", $0) } ?? "(none)"
            return "\(target) / \(row["period"].textValue ?? "?")"
        case "interface_signature":
            return "\(try spi()) / signature of \(try ref("party_id", "party")) on \(row["signed_on"].textValue ?? "?")"
        case "interface_version":
            return "\(try spi()) / version \(row["version"].textValue ?? "-") (\(row["event"].textValue ?? "?"))"
        case "finding_action":
            let table = row["subject_table"].textValue ?? "?"
            let subject = try row["subject_row"].textValue.map { try rowName(table, $0) } ?? "?"
            return "\(row["rule"].textValue ?? "?") on \(FieldCatalog.table(table)?.noun ?? table) \(subject)"
        case "party_peer":
            let peer = row["peer"].textValue.map { String($0.prefix(7)) + "…" } ?? "?"
            return "binding of replica \(peer) to \(try ref("party_id", "party"))"
        default:
            return try label(table, id) ?? "(unnamed \(spec.noun ?? spec.name))"
        }
    }

    /// Who a site is, for people: the party it spoke for (by code) at the clock `asOf` (a change's; nil: now), or
    /// `the organization`, by the bindings this replica holds, with `(this replica)` for its own site;
    /// `an unbound replica` otherwise, and `seeded` for the zero version.
    public func siteName(_ site: SiteID?, own: SiteID, registerID: RegisterID, asOf clock: UInt64? = nil) throws
        -> String
    {
        guard let site else { return "seeded" }
        let actor = try AccessRules.actor(of: site, asOf: clock, registerID: registerID, db)
        let who: String
        switch actor {
        case .organization: who = "the organization"
        case .party(let party): who = try label("party", party) ?? "a deleted party"
        case .unbound: who = "an unbound replica"
        }
        return site == own ? "\(who) (this replica)" : who
    }
}
