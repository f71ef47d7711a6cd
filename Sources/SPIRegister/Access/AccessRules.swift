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
    public static let providerInterfaceTables: Set<String> = [
        "raci_assignment", "integration_point", "information_item",
    ]

    /// Who `site` speaks for, by the party bindings this replica holds: the latest binding of the site (an unbinding
    /// is a binding with no party).
    public static func actor(of site: SiteID, registerID: RegisterID, _ db: Connection) throws -> AccessActor {
        try actor(of: site, asOf: nil, registerID: registerID, db)
    }

    /// The version of a binding written here and not stamped yet: newer than any other.
    static let pendingVersion = Version(clock: HybridLogicalClock(rawValue: .max), site: nil)

    /// One `party_peer` row, with the version it was made at (``pendingVersion`` when not stamped yet).
    struct BindingRow {
        var id: String
        var version: Version
        var partyID: String?
        var partyKind: String?
        var partyCode: String?
        var peer: String
        var site: String
    }

    /// The binding rows of `site`, or of every site.
    static func bindingRows(of site: SiteID?, _ db: Connection) throws -> [BindingRow] {
        let filter = site == nil ? "" : " WHERE b.site = ?"
        return try db.rows(
            "SELECT b.id, b.party_id, p.kind, p.code, b.peer, b.site FROM party_peer b LEFT JOIN party p ON p.id = b.party_id"
                + filter, site.map { [.text($0.description)] } ?? []
        ).map { row in
            let id = row[0].textValue ?? ""
            return BindingRow(
                id: id, version: try Replica.rowVersion(table: "party_peer", id: id, db) ?? pendingVersion,
                partyID: row[1].textValue.flatMap { $0.isEmpty ? nil : $0 }, partyKind: row[2].textValue,
                partyCode: row[3].textValue, peer: row[4].textValue ?? "", site: row[5].textValue ?? "")
        }
    }

    /// Whether `carrier` succeeds `site`: an authority's binding of `carrier` (or of a successor of `site` that
    /// `carrier` in turn succeeds) names `site` in `replaces`, after a key rotation. A successor holds the old site's
    /// changes and stands for its coverage. `replaces` names one site, or several separated by spaces (a replica
    /// that rotated its key more than once before it was bound again names each of its earlier sites).
    static func succeeds(_ carrier: SiteID, _ site: SiteID, _ db: Connection) throws -> Bool {
        var successors: [String: [String]] = [:]
        try db.forEachRow("SELECT replaces, site FROM party_peer WHERE replaces IS NOT NULL AND site IS NOT NULL") {
            row in
            guard let olds = row.text(0), let new = row.text(1) else { return }
            for old in olds.split(whereSeparator: \.isWhitespace) { successors[String(old), default: []].append(new) }
        }
        guard !successors.isEmpty else { return false }
        var frontier = [site.description]
        var seen: Set<String> = [site.description]
        while let next = frontier.popLast() {
            for successor in successors[next] ?? [] where seen.insert(successor).inserted {
                if successor == carrier.description { return true }
                frontier.append(successor)
            }
        }
        return false
    }

    /// The latest of `rows` (by version, then id), among those made before `clock` when given: a binding counts for
    /// a change when its version's clock is below the change's (the zero version always counts).
    static func latest(_ rows: [BindingRow], before clock: UInt64? = nil) -> BindingRow? {
        rows.filter { row in clock.map { row.version.isZero || row.version.clock.rawValue < $0 } ?? true }
            .max { ($0.version, $0.id) < ($1.version, $1.id) }
    }

    /// Who `site` spoke for when it made a change at `clock`: its latest binding made before that clock (nil: now).
    ///
    /// Bindings are append-only (`spi party bind` adds a row; nothing updates or deletes one), so every replica that
    /// holds the same bindings reaches the same answer for the same change, whatever order they arrived in. A binding
    /// counts for a change when its version's clock is below the change's: a site that had seen the binding when it
    /// made the change has a later clock, by the hybrid logical clock's rule.
    public static func actor(of site: SiteID, asOf clock: UInt64?, registerID: RegisterID, _ db: Connection) throws
        -> AccessActor
    {
        if site == registerID { return .organization }
        guard let binding = latest(try bindingRows(of: site, db), before: clock), let party = binding.partyID else {
            return .unbound
        }
        return binding.partyKind == "organization" ? .organization : .party(party)
    }

    /// Whether the change `write` made by `origin` is allowed, judged as of the change's clock: by the party the
    /// origin was bound to then, and the write rules on the rows here.
    ///
    /// Only the register's authority (the organization's first replica) writes bindings, so a replica holds every
    /// binding that can precede a change once it has received the authority's changes up to the change's clock.
    /// Until then the answer is `GateDecision.hold(_:)`: a verdict reached earlier could differ from another
    /// replica's. A refusal because the row the change belongs to (or hangs off) is not here is a hold too: that row
    /// can still arrive from whichever site made it.
    public static func judge(_ write: RowWrite, origin: SiteID, registerID: RegisterID, _ db: Connection) throws
        -> GateDecision
    {
        if write.table == "party_peer" && origin != registerID {
            return .refuse(
                "only the register's authority (the organization's first replica) binds replicas to parties")
        }
        let clock = write.clock == 0 ? nil : write.clock
        if let clock, origin != registerID, try !Replica.hasReceived(from: registerID, upTo: clock, db) {
            return .hold(
                "this replica has not yet received the organization's bindings up to the time of this change")
        }
        let actor = try actor(of: origin, asOf: clock, registerID: registerID, db)
        let decision = try judge(write, by: actor, db)
        // The row the change belongs to may come from any site that may create it: until it is here, the change
        // waits (bounded by the held store; a batch made for another scope drops it instead).
        guard let clock, case .refuse(let reason) = decision, reason.hasPrefix(undecidedPrefix) else {
            return decision
        }
        // The row itself is not here, though this replica holds every change made before this one by every site that
        // could have created it: its life was never accepted, or has ended. Nothing can arrive to decide otherwise.
        if write.kind != .create, write.before == nil, try row(write.table, write.id, db) == nil,
            try hasReceivedFromEveryWriter(upTo: clock, registerID: registerID, db)
        {
            return write.kind == .delete
                ? .allow
                : .refuse("the \(write.table) row it changes was never created by a permitted change, or was deleted")
        }
        return .hold(reason)
    }

    /// Whether this replica holds every change made up to `clock` by the authority and by every site bound (or
    /// unbound) before that clock: every site whose permitted changes could precede a change made at `clock`.
    static func hasReceivedFromEveryWriter(upTo clock: UInt64, registerID: RegisterID, _ db: Connection) throws -> Bool
    {
        guard try Replica.hasReceived(from: registerID, upTo: clock, db) else { return false }
        var sites = Set<String>()
        for binding in try bindingRows(of: nil, db)
        where binding.version.isZero || binding.version.clock.rawValue < clock {
            sites.insert(binding.site)
        }
        for text in sites {
            guard let site = SiteID(text) else { continue }
            if try !Replica.hasReceived(from: site, upTo: clock, db) { return false }
        }
        return true
    }

    /// How refusals that depend on a row this replica does not hold begin: they become holds while the row can
    /// still arrive.
    static let undecidedPrefix = "unknown here: "

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
        let old = write.kind == .create ? nil : try write.before ?? row(table, write.id, db)
        if write.kind != .create && old == nil {
            return .refuse(undecidedPrefix + "the \(table) row is not here, so its scope cannot be checked")
        }
        /// Whether the row `id` of `parent` is here; a refusal for a missing parent may still become an allowance.
        func missing(_ parent: String, _ id: String?) throws -> Bool {
            guard let id else { return false }
            return try db.scalar("SELECT 1 FROM \(parent) WHERE id = ?", [.text(id)]) == nil
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
            if write.kind == .update && write.id == party && Set(write.values.keys).isSubset(of: allowed) {
                return .allow
            }
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
                    "a provider may not change an SPI's status, approval, owner, review dates, provider, practice, agreement or code"
                )
        case _ where providerInterfaceTables.contains(table):
            if try missing("interface", link("interface_id").old) || missing("interface", link("interface_id").new) {
                return .refuse(
                    undecidedPrefix + "the SPI of this \(table) row is not here, so its scope cannot be checked")
            }
            return try bothOwned("interface_id", ownsInterface)
                ? .allow : .refuse("a provider writes \(table) rows only within its own SPIs")
        case "integration_data_item":
            if try missing("integration_point", link("integration_point_id").new) {
                return .refuse(undecidedPrefix + "the integration point of this data item is not here")
            }
            return try bothOwned("integration_point_id") { point in
                guard let point else { return false }
                return try ownsInterface(
                    db.scalar("SELECT interface_id FROM integration_point WHERE id = ?", [.text(point)])?.textValue)
            } ? .allow : .refuse("a provider writes data items only within its own SPIs")
        case "interface_signature":
            guard write.kind == .create else {
                return .refuse("signatures are append-only: a provider may not change or remove one")
            }
            if try missing("interface", link("interface_id").new) {
                return .refuse(
                    undecidedPrefix + "the SPI of this signature is not here, so its scope cannot be checked")
            }
            guard try ownsInterface(link("interface_id").new) else {
                return .refuse("a provider signs only its own SPIs")
            }
            return link("party_id").new == party ? .allow : .refuse("a provider signs only for its own party")
        case "information_delivery":
            // A provider records deliveries of the information items of its own SPIs.
            if try missing("information_item", link("information_item_id").new) {
                return .refuse(undecidedPrefix + "the information item of this delivery is not here")
            }
            return try bothOwned("information_item_id") { item in
                guard let item else { return false }
                return try ownsInterface(
                    db.scalar("SELECT interface_id FROM information_item WHERE id = ?", [.text(item)])?.textValue)
            } ? .allow : .refuse("a provider records deliveries only of the information items of its own SPIs")
        case "service_level_result":
            // A provider records the levels it achieved against the targets of agreements it provides.
            if try missing("service_level_target", link("target_id").new) {
                return .refuse(
                    undecidedPrefix + "the target of this result is not here, so its scope cannot be checked")
            }
            return try bothOwned("target_id") { target in
                guard let target else { return false }
                return try db.scalar(
                    "SELECT a.provider_id FROM service_level_target t JOIN agreement a ON a.id = t.agreement_id WHERE t.id = ?",
                    [.text(target)])?.textValue == party
            }
                ? .allow
                : .refuse("a provider records achieved levels only against the targets of agreements it provides")
        case "interface_version":
            guard write.kind == .create else {
                return .refuse("frozen versions are append-only: a provider may not change or remove one")
            }
            if try missing("interface", link("interface_id").new) {
                return .refuse(undecidedPrefix + "the SPI of this version is not here, so its scope cannot be checked")
            }
            return try ownsInterface(link("interface_id").new)
                ? .allow : .refuse("a provider freezes versions only of its own SPIs")
        case "information_recipient":
            if try missing("information_item", link("information_item_id").new) {
                return .refuse(undecidedPrefix + "the information item of this recipient is not here")
            }
            return try bothOwned("information_item_id") { item in
                guard let item else { return false }
                return try ownsInterface(
                    db.scalar("SELECT interface_id FROM information_item WHERE id = ?", [.text(item)])?.textValue)
            } ? .allow : .refuse("a provider writes information recipients only within its own SPIs")
        case "metric":
            // Any party adds its own metrics (first-contact resolution, reopen rate); only the organization changes one.
            return write.kind == .create
                ? .allow : .refuse("only the organization changes or removes a metric; add a new one")
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
