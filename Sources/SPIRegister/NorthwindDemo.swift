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
/// Dates are relative to `today`, so the demo never goes stale. Ids are UUIDv5 of `demo:<kind>:<key>` (for example
/// `RecordID.v5("demo:party:FAB")`), and link rows follow the register's conventions, so the demo is the same on
/// every run. ``plantedGaps`` lists the gaps.
///
/// ```swift
/// try db.transaction { db in try NorthwindDemo.populate(db, today: "2025-03-01") }
/// let findings = try RegisterCheck.run(db, today: "2025-03-01")   // finds every planted gap
/// ```
public enum NorthwindDemo {
    /// Fills a register with the Northwind example.
    ///
    /// Runs inside the caller's open write transaction (it neither begins nor commits one). The register must have
    /// the current schema and the seeded practices and activities.
    ///
    /// - Parameters:
    ///   - db: the register, inside a write transaction.
    ///   - today: the date the demo is built around, as `YYYY-MM-DD`.
    /// - Throws: ``RegisterCheckError`` when `today` is not a date (`invalidDate`), the seeded practices or
    ///   activities are missing (`missingReferenceData`), or the demo is already there (`notEmpty`);
    ///   ``SQLiteError`` when a write fails.
    public static func populate(_ db: Connection, today: String) throws {
        guard CivilDate.isValid(today) else {
            throw RegisterCheckError(.invalidDate, "'\(today)' is not a date; expected YYYY-MM-DD")
        }
        let writer = try Writer(db: db, today: today)
        try writer.writeAll()
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
            description: "Fabrikam hands access requests to Contoso's request fulfilment, but Contoso has no SPI for it."
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

    /// The codes of the demo's twelve SPIs.
    public static var interfaceCodes: [String] { interfaces.map(\.code) }

    /// The demo's id of a party, by code (`v5("demo:party:<CODE>")`).
    static func partyID(_ code: String) -> String { RecordID.v5("demo:party:\(code)") }
    /// The demo's id of a person, by key.
    static func personID(_ key: String) -> String { RecordID.v5("demo:person:\(key)") }
    /// The demo's id of a service, by code.
    static func serviceID(_ code: String) -> String { RecordID.v5("demo:service:\(code)") }
    /// The demo's id of an agreement, by code.
    static func agreementID(_ code: String) -> String { RecordID.v5("demo:agreement:\(code)") }
    /// The demo's id of a service-level target, by key.
    static func targetID(_ key: String) -> String { RecordID.v5("demo:target:\(key)") }
    /// The demo's id of an SPI, by code.
    static func interfaceID(_ code: String) -> String { RecordID.v5("demo:interface:\(code)") }
}
