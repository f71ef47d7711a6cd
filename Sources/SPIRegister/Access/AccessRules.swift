public import SPIReplication
public import SPISQLite

/// The register's access rules: who a site speaks for, what each party may write, and what it may see.
///
/// Documented in docs/permissions.md. The same rules judge local edits (``RecordStore``), change sets from files,
/// and changes received over TCP, on every node.
///
/// ```swift
/// let actor = try AccessRules.actor(of: site, registerID: replica.registerID, db)
/// if case .refuse(let reason) = try AccessRules.judge(write, by: actor, db) { print(reason) }
/// ```
public enum AccessRules {
    /// Columns of an SPI that only the organization sets: its identity, provider, owner, approval and review dates.
    public static let governedInterfaceColumns: Set<String> = [
        "code", "practice_id", "provider_id", "owner_id", "status", "approved_by", "approved_on",
        "review_interval_months", "next_review", "agreement_id",
    ]

    /// Tables only the organization writes.
    public static let organizationTables: Set<String> = [
        "practice", "activity", "service", "agreement", "service_level_target", "interface_service", "review",
        "party_peer",
    ]

    /// Tables whose rows hang off an SPI by `interface_id`, which its provider may write.
    public static let providerInterfaceTables: Set<String> = ["raci_assignment", "integration_point", "information_item"]

    /// Who `site` speaks for, by the party bindings this replica holds.
    public static func actor(of site: SiteID, registerID: RegisterID, _ db: Connection) throws -> AccessActor {
        if site == registerID { return .organization }
        var result = AccessActor.unbound
        try db.forEachRow(
            """
            SELECT b.party_id, p.kind FROM party_peer b LEFT JOIN party p ON p.id = b.party_id
            WHERE b.site = ? ORDER BY b.id LIMIT 1
            """, [.text(site.description)]
        ) { row in
            guard let party = row.text(0) else { return }
            result = row.text(1) == "organization" ? .organization : .party(party)
        }
        return result
    }

    /// Whether `actor` may make `write`, judged on the state in `db` before the write.
    public static func judge(_ write: RowWrite, by actor: AccessActor, _ db: Connection) throws -> GateDecision {
        let party: String
        switch actor {
        case .organization:
            return .allow
        case .unbound:
            return .refuse("the site is not bound to a party; the organization binds it with `spi party bind`")
        case .party(let id):
            party = id
        }
        let table = write.table
        if organizationTables.contains(table) {
            return .refuse("only the organization writes \(table) rows")
        }
        let old = write.kind == .create ? nil : try row(table, write.id, db)
        if write.kind != .create && old == nil {
            return .refuse("the \(table) row is unknown here, so its scope cannot be checked")
        }
        /// The value of `column` before the write and after it.
        func link(_ column: String) -> (old: String?, new: String?) {
            let before = old?[column]?.textValue
            let after = write.kind == .delete ? before : (write.values[column].map { $0.textValue } ?? before)
            return (before, after)
        }
        func bothOwned(_ column: String, _ owner: (String?) throws -> Bool) throws -> Bool {
            let (before, after) = link(column)
            if old != nil, try !owner(before) { return false }
            return try owner(after)
        }
        func ownsInterface(_ id: String?) throws -> Bool {
            guard let id else { return false }
            return try db.scalar("SELECT provider_id FROM interface WHERE id = ?", [.text(id)])?.textValue == party
        }
        switch table {
        case "party":
            let allowed: Set<String> = ["name", "notes"]
            if write.kind == .update && write.id == party && Set(write.values.keys).isSubset(of: allowed) { return .allow }
            return .refuse("a provider may edit only the name and notes of its own party")
        case "person":
            return try bothOwned("party_id") { $0 == party }
                ? .allow : .refuse("a provider may write only its own people")
        case "interface":
            guard write.kind == .update else { return .refuse("only the organization creates or deletes SPIs") }
            guard old?["provider_id"]?.textValue == party else {
                return .refuse("the SPI is not one of this provider's")
            }
            let governed = Set(write.values.keys).intersection(governedInterfaceColumns)
            return governed.isEmpty
                ? .allow
                : .refuseColumns(
                    governed,
                    "a provider may not change an SPI's status, approval, owner, review dates, provider, practice, agreement or code")
        case _ where providerInterfaceTables.contains(table):
            return try bothOwned("interface_id", ownsInterface)
                ? .allow : .refuse("a provider writes \(table) rows only within its own SPIs")
        case "integration_data_item":
            return try bothOwned("integration_point_id") { point in
                guard let point else { return false }
                return try ownsInterface(
                    db.scalar("SELECT interface_id FROM integration_point WHERE id = ?", [.text(point)])?.textValue)
            } ? .allow : .refuse("a provider writes data items only within its own SPIs")
        case "information_recipient":
            return try bothOwned("information_item_id") { item in
                guard let item else { return false }
                return try ownsInterface(
                    db.scalar("SELECT interface_id FROM information_item WHERE id = ?", [.text(item)])?.textValue)
            } ? .allow : .refuse("a provider writes information recipients only within its own SPIs")
        default:
            return .refuse("only the organization writes \(table) rows")
        }
    }

    /// The row's current values by column, its id included, or nil when it does not exist.
    public static func row(_ table: String, _ id: String, _ db: Connection) throws -> [String: DatabaseValue]? {
        guard let spec = FieldCatalog.table(table),
            let record = try RecordStore(db: db, kind: .organization, today: "").recordIfPresent(spec, id: id)
        else { return nil }
        return record.values.merging(["id": .text(record.id)]) { value, _ in value }
    }
}
