public import SPISQLite

/// The Northwind example register: one organization, its internal service integrator, three providers and the
/// twelve SPIs that link them, with a few gaps planted for the gap report to find.
///
/// - **Northwind Retail** (`NWR`, the organization) and the **Northwind SIAM Office** (`SIAM`, internal integrator);
/// - **Fabrikam Service Desk** (`FAB`, Jira Service Management), **Contoso Cloud Hosting** (`CON`, BMC Helix) and
///   **Tailspin Application Services** (`TAIL`, ServiceNow);
/// - people at each party, services, an SLA with the business and an underpinning contract with each provider,
///   service-level targets linked to the SLA targets they support;
/// - SPIs `SPI-INC-FAB`, `SPI-INC-CON`, `SPI-INC-TAIL`, `SPI-PRB-CON`, `SPI-PRB-TAIL`, `SPI-CHG-CON`, `SPI-CHG-TAIL`,
///   `SPI-SR-FAB`, `SPI-SLM-CON`, `SPI-CAP-CON`, `SPI-CFG-TAIL`, `SPI-ISM-FAB`, each with RACI, integration points
///   and their data items, information items and their recipients, services and reviews.
///
/// The rows are data, not code: the resource `Resources/northwind-demo.json`, embedded in the library, is a canonical
/// export (see ``RecordStore/canonicalExport(visibleTo:)``) loaded through the same import as a user's file
/// (``RecordStore/importCanonical(_:replace:progress:)``, `spi import`). Its dates are written relative to `today`
/// (`{today+45d}`, `{month-3m}`, `{due2+3d}` for a report's due date), so the demo never goes stale. Ids are UUIDv5
/// of `demo:<kind>:<key>` (for example `RecordID.v5("demo:party:FAB")`), and link rows follow the register's
/// conventions, so the demo is the same on every run. ``plantedGaps`` lists the gaps.
///
/// ```swift
/// try db.transaction { db in try NorthwindDemo.populate(db, today: "2025-03-01") }
/// let findings = try RegisterCheck.run(db, today: "2025-03-01")   // finds every planted gap
/// ```
public enum NorthwindDemo {
    /// Fills a register with the Northwind example.
    ///
    /// Runs inside the caller's open write transaction (it neither begins nor commits one). The register must have
    /// the current schema and the seeded practices and activities. The rows are written as ordinary local edits
    /// (they replicate), by the canonical import: their types are checked, and domain rules are not, since the
    /// demo holds the planted gaps on purpose (``RegisterCheck`` reports them as findings).
    ///
    /// - Parameters:
    ///   - db: the register, inside a write transaction.
    ///   - today: the date the demo is built around, as `YYYY-MM-DD`.
    /// - Throws: ``RegisterCheckError`` when `today` is not a date (`invalidDate`), the seeded practices or
    ///   activities are missing (`missingReferenceData`), or the demo is already there (`notEmpty`);
    ///   `SQLiteError` when a write fails; ``RegisterError`` when the resource does not load (a defect of the
    ///   resource, which the tests rule out).
    public static func populate(_ db: Connection, today: String) throws {
        guard CivilDate.isValid(today) else {
            throw RegisterCheckError(.invalidDate, "'\(today)' is not a date; expected YYYY-MM-DD")
        }
        let resource = try resource.get()
        try checkReferenceData(resource, in: db)
        let existing = try db.scalar("SELECT count(*) FROM party WHERE id = ?", [.text(RecordID.v5("demo:party:NWR"))])
        if let count = existing?.integerValue, count > 0 {
            throw RegisterCheckError(.notEmpty, "the register already holds the Northwind demo")
        }
        let export = try resolvedExport(resource, today: today, in: db)
        _ = try RecordStore(db: db, kind: .organization, today: today).importCanonical(export)
    }

    /// The gaps planted in the demo, each found by ``RegisterCheck/run(_:today:)`` under its rule.
    public static let plantedGaps: [PlantedGap] = [
        PlantedGap(
            rule: "raci-multiple-accountable", table: "interface", code: "SPI-CHG-TAIL",
            description: "Activity CHG-CAB (Authorize) has two Accountables: the SIAM office and Tailspin."
        ),
        PlantedGap(
            rule: "raci-no-responsible", table: "interface", code: "SPI-PRB-CON",
            description: "Activity PRB-KE (Record known errors) has an Accountable but nobody Responsible."
        ),
        PlantedGap(
            rule: "interface-without-information-item", table: "interface", code: "SPI-CFG-TAIL",
            description: "The draft configuration SPI with Tailspin defines no management information."
        ),
        PlantedGap(
            rule: "information-item-without-recipient", table: "information_item", code: "Capacity forecast",
            description: "Contoso's quarterly capacity forecast (SPI-CAP-CON) goes to nobody."
        ),
        PlantedGap(
            rule: "review-overdue", table: "interface", code: "SPI-ISM-FAB",
            description:
                "The information security SPI with Fabrikam was due for its annual review almost three weeks ago."
        ),
        PlantedGap(
            rule: "target-weaker-than-supported", table: "service_level_target", code: "UC-CON-POS-AV",
            description: "Contoso promises 99.0 % availability for the POS back end, under the 99.5 % POS SLA target."
        ),
        PlantedGap(
            rule: "agreement-ending-soon", table: "agreement", code: "UC-FAB",
            description: "Fabrikam's service desk contract ends in 45 days."
        ),
        PlantedGap(
            rule: "handoff-without-spi", table: "integration_point", code: "Hosting access request",
            description:
                "Fabrikam hands access requests to Contoso's request fulfilment, but Contoso has no SPI for it."
        ),
        PlantedGap(
            rule: "practice-without-owner", table: "practice", code: "CFG",
            description: "Service configuration management has an SPI (SPI-CFG-TAIL) but no process owner."
        ),
    ]

    /// The id of the row a planted gap names (see ``PlantedGap``), or nil when the register has no such row.
    public static func rowID(of gap: PlantedGap, in db: Connection) throws -> String? {
        switch gap.table {
        case "service_level_target":
            let id = RecordID.v5("demo:target:\(gap.code)")
            return try db.scalar("SELECT id FROM service_level_target WHERE id = ?", [.text(id)])?.textValue
        case "information_item", "integration_point":
            return try db.scalar("SELECT id FROM \(gap.table) WHERE name = ? ORDER BY id", [.text(gap.code)])?
                .textValue
        default:
            guard RegisterSchema.tableNames.contains(gap.table) else { return nil }
            return try db.scalar("SELECT id FROM \(gap.table) WHERE code = ? ORDER BY id", [.text(gap.code)])?
                .textValue
        }
    }

    /// The codes of the demo's twelve SPIs, in the resource's order.
    public static var interfaceCodes: [String] {
        ((try? resource.get())?["interface"] ?? []).compactMap { $0["code"]?.stringValue }
    }
}
