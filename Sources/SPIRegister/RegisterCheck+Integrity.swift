import SPIReplication
import SPISQLite

extension RegisterCheck {
    /// Data rules that a merge or a shell edit can break: references, codes, enumerations, dates, numbers, ids and
    /// required fields.
    static func checkIntegrity(_ context: Context) throws {
        try checkReferences(context)
        try checkCodes(context)
        try checkEnumerations(context)
        try checkDates(context)
        try checkNumbers(context)
        try checkIDs(context)
        try checkRequiredFields(context)
        try checkValueSizes(context)
        try checkTextEncoding(context)
    }

    /// Text that is not valid UTF-8: only a write around the register (the `sqlite3` shell) can leave it. The replica
    /// reads it as its exact bytes (never repaired) and does not send it.
    static func checkTextEncoding(_ context: Context) throws {
        for table in FieldCatalog.tables {
            let columns = table.columns.filter { $0.type == .text }.map(\.name)
            guard !columns.isEmpty else { continue }
            let sql = "SELECT id, \(columns.joined(separator: ", ")) FROM \(table.name) ORDER BY id"
            for row in try context.db.rows(sql) {
                guard case .text(let id) = row[0] else { continue }
                for (offset, column) in columns.enumerated() {
                    guard case .blob(let bytes) = row[offset + 1] else { continue }
                    context.add(
                        "invalid-text",
                        "\(rowDescription(context, table.name, id)): \(column) holds \(bytes.count) bytes that are not valid "
                            + "UTF-8 text; it is not sent to other replicas",
                        [FindingRow(table: table.name, id: id)])
                }
            }
        }
    }

    /// Values larger than a cell may hold (``Replica/maximumValueBytes``): only a write around the register (the
    /// `sqlite3` shell, an older version) can leave one, and the replica does not send it.
    static func checkValueSizes(_ context: Context) throws {
        let limit = Replica.maximumValueBytes
        for table in FieldCatalog.tables {
            for column in table.columns where column.type == .text {
                let sql = """
                    SELECT id, length(CAST(\(column.name) AS BLOB)) FROM \(table.name)
                    WHERE length(CAST(\(column.name) AS BLOB)) > \(limit) ORDER BY id
                    """
                for row in try context.query(sql) {
                    guard let id = row[0] else { continue }
                    context.add(
                        "value-too-large",
                        "\(rowDescription(context, table.name, id)): \(column.name) holds \(row[1] ?? "?") bytes, more than "
                            + "the \(limit) bytes (1 MiB) a value may hold; it is not sent to other replicas",
                        [FindingRow(table: table.name, id: id)]
                    )
                }
            }
        }
    }

    static func checkReferences(_ context: Context) throws {
        // A provider's replica holds its party's scope: a row it holds may refer to one outside it (a hand-off it
        // receives on another provider's SPI, a target supporting another agreement's), which is not dangling.
        let scoped = Set(AccessRules.visibility(for: .unbound)?.keys.map { $0 } ?? [])
        for reference in references {
            if !context.holdsEverything && reference.to.contains(where: scoped.contains) { continue }
            let missing = reference.to.map { "NOT EXISTS (SELECT 1 FROM \($0) WHERE id = t.\(reference.column))" }
            let sql = """
                SELECT t.id, t.\(reference.column) FROM \(reference.table) t
                WHERE NOT \(blank("t.\(reference.column)")) AND \(missing.joined(separator: " AND "))
                ORDER BY t.id
                """
            for row in try context.query(sql) {
                guard let id = row[0], let value = row[1] else { continue }
                let target = reference.to.joined(separator: " or ")
                context.add(
                    "dangling-reference",
                    "\(rowDescription(context, reference.table, id)): \(reference.column) refers to \(target) "
                        + "\(value), "
                        + "which does not exist",
                    [FindingRow(table: reference.table, id: id)]
                )
            }
        }
    }

    /// Describes a row for a message; link rows are described by what they link.
    static func rowDescription(_ context: Context, _ table: String, _ id: String) -> String {
        switch table {
        case "raci_assignment":
            if let row = try? context.query(
                "SELECT interface_id, activity_id, party_id, role FROM raci_assignment WHERE id = ?", [.text(id)]
            ).first {
                return "RACI row \(context.label("interface", row[0])) / \(context.label("activity", row[1])) / "
                    + "\(context.label("party", row[2])) \(row[3] ?? "?")"
            }
        case "interface_service":
            if let row = try? context.query(
                "SELECT interface_id, service_id FROM interface_service WHERE id = ?", [.text(id)]
            ).first {
                return "SPI service link \(context.label("interface", row[0])) / \(context.label("service", row[1]))"
            }
        case "information_recipient":
            if let row = try? context.query(
                "SELECT information_item_id FROM information_recipient WHERE id = ?", [.text(id)]
            ).first {
                return "recipient of \(context.describe("information_item", row[0]))"
            }
        case "integration_data_item":
            if let row = try? context.query(
                "SELECT name, integration_point_id FROM integration_data_item WHERE id = ?", [.text(id)]
            ).first {
                return "data item \(row[0] ?? id.prefix(8).description) of "
                    + context.describe("integration_point", row[1])
            }
        case "person":
            if let row = try? context.query("SELECT name FROM person WHERE id = ?", [.text(id)]).first,
                let name = row[0]
            {
                return "person \(name)"
            }
        default:
            break
        }
        return context.describe(table, id)
    }

    static func checkCodes(_ context: Context) throws {
        for (table, column) in uniqueColumns {
            let sql = """
                SELECT id, \(column), upper(trim(\(column))) FROM \(table) WHERE NOT \(blank(column)) ORDER BY id
                """
            var groups: [String: [(id: String, code: String)]] = [:]
            for row in try context.query(sql) {
                guard let id = row[0], let code = row[1], let key = row[2] else { continue }
                groups[key, default: []].append((id, code))
            }
            for (_, rows) in groups where rows.count > 1 {
                context.add(
                    "duplicate-code",
                    "\(rows.count) \(noun(table)) rows share the \(column) \(rows[0].code)",
                    rows.map { FindingRow(table: table, id: $0.id) }
                )
            }
        }
        // Two live SPIs for the same practice × provider.
        let sql = """
            SELECT i.id, i.practice_id, i.provider_id FROM interface i
            WHERE \(live("i")) AND NOT \(blank("i.practice_id")) AND NOT \(blank("i.provider_id"))
            ORDER BY i.id
            """
        var pairs: [[String]: [String]] = [:]
        for row in try context.query(sql) {
            guard let id = row[0], let practice = row[1], let provider = row[2] else { continue }
            pairs[[practice, provider], default: []].append(id)
        }
        for (pair, ids) in pairs where ids.count > 1 {
            let codes = ids.map { context.label("interface", $0) }.joined(separator: ", ")
            context.add(
                "duplicate-interface",
                "\(ids.count) live SPIs (\(codes)) cover practice \(context.label("practice", pair[0])) for "
                    + "provider \(context.label("party", pair[1]))",
                ids.map { FindingRow(table: "interface", id: $0) }
            )
        }
    }

    static func checkEnumerations(_ context: Context) throws {
        for (table, column, values) in enumerations {
            let list = values.map { "'\($0)'" }.joined(separator: ", ")
            let sql = """
                SELECT id, \(column) FROM \(table) WHERE NOT \(blank(column)) AND \(column) NOT IN (\(list)) ORDER BY id
                """
            for row in try context.query(sql) {
                guard let id = row[0] else { continue }
                context.add(
                    "invalid-enum-value",
                    "\(rowDescription(context, table, id)): \(column) is '\(row[1] ?? "")'; allowed: "
                        + values.joined(separator: ", "),
                    [FindingRow(table: table, id: id)]
                )
            }
        }
        // A target's metric is one of the register's metrics (seeded, or added by a party).
        let metrics = """
            SELECT id, metric FROM service_level_target
            WHERE NOT \(blank("metric")) AND metric NOT IN (SELECT code FROM metric) ORDER BY id
            """
        for row in try context.query(metrics) {
            guard let id = row[0] else { continue }
            let known = try context.query("SELECT code FROM metric ORDER BY code").compactMap { $0[0] }
            context.add(
                "invalid-enum-value",
                "\(rowDescription(context, "service_level_target", id)): metric is '\(row[1] ?? "")'; the register's "
                    + "metrics: \(known.joined(separator: ", ")) (`spi metric add` adds one)",
                [FindingRow(table: "service_level_target", id: id)]
            )
        }
        for (table, column) in flags {
            let sql =
                "SELECT id, \(column) FROM \(table) WHERE \(column) IS NULL OR \(column) NOT IN (0, 1) ORDER BY id"
            for row in try context.query(sql) {
                guard let id = row[0] else { continue }
                context.add(
                    "invalid-enum-value",
                    "\(rowDescription(context, table, id)): \(column) is '\(row[1] ?? "NULL")'; allowed: 0, 1",
                    [FindingRow(table: table, id: id)]
                )
            }
        }
    }

    static func checkDates(_ context: Context) throws {
        for (table, column) in dates {
            let sql = "SELECT id, \(column) FROM \(table) WHERE NOT \(blank(column)) ORDER BY id"
            for row in try context.query(sql) {
                guard let id = row[0], let value = row[1], !CivilDate.isValid(value) else { continue }
                context.add(
                    "invalid-date",
                    "\(rowDescription(context, table, id)): \(column) is '\(value)', not a YYYY-MM-DD date",
                    [FindingRow(table: table, id: id)]
                )
            }
        }
    }

    static func checkNumbers(_ context: Context) throws {
        let targets = """
            SELECT id, target, unit FROM service_level_target
            WHERE target IS NOT NULL AND (target < 0 OR (unit IS 'percent' AND target > 100)) ORDER BY id
            """
        for row in try context.query(targets) {
            guard let id = row[0] else { continue }
            context.add(
                "invalid-number",
                "\(context.describe("service_level_target", id)): target \(row[1] ?? "") \(row[2] ?? "") is out of "
                    + "range",
                [FindingRow(table: "service_level_target", id: id)]
            )
        }
        let intervals = """
            SELECT id, review_interval_months FROM interface
            WHERE review_interval_months IS NOT NULL AND review_interval_months <= 0 ORDER BY id
            """
        for row in try context.query(intervals) {
            guard let id = row[0] else { continue }
            context.add(
                "invalid-number",
                "\(context.describe("interface", id)): review interval of \(row[1] ?? "") months is not positive",
                [FindingRow(table: "interface", id: id)]
            )
        }
    }

    static func checkIDs(_ context: Context) throws {
        let hex = "[0-9a-f]"
        let pattern = [8, 4, 4, 4, 12].map { String(repeating: hex, count: $0) }.joined(separator: "-")
        for table in RegisterSchema.tableNames {
            for row in try context.query("SELECT id FROM \(table) WHERE id NOT GLOB '\(pattern)' ORDER BY id") {
                guard let id = row[0] else { continue }
                context.add(
                    "invalid-id",
                    "\(noun(table)) row '\(id)' does not have a canonical lowercase UUID id",
                    [FindingRow(table: table, id: id)]
                )
            }
        }
    }

    static func checkRequiredFields(_ context: Context) throws {
        for (table, columns) in requiredFields {
            let flags = columns.map { blank($0) }
            let sql = """
                SELECT id, \(flags.joined(separator: ", ")) FROM \(table)
                WHERE \(flags.joined(separator: " OR ")) ORDER BY id
                """
            for row in try context.query(sql) {
                guard let id = row[0] else { continue }
                let missing = columns.indices.filter { row[$0 + 1] == "1" }.map { columns[$0] }
                context.add(
                    "missing-required-field",
                    "\(rowDescription(context, table, id)): missing \(missing.joined(separator: ", "))",
                    [FindingRow(table: table, id: id)]
                )
            }
        }
        let recipients = """
            SELECT id, \(blank("information_item_id")), \(blank("party_id")) AND \(blank("person_id"))
            FROM information_recipient
            WHERE \(blank("information_item_id")) OR (\(blank("party_id")) AND \(blank("person_id"))) ORDER BY id
            """
        for row in try context.query(recipients) {
            guard let id = row[0] else { continue }
            var missing: [String] = []
            if row[1] == "1" { missing.append("information_item_id") }
            if row[2] == "1" { missing.append("party_id or person_id") }
            context.add(
                "missing-required-field",
                "\(rowDescription(context, "information_recipient", id)): missing \(missing.joined(separator: ", "))",
                [FindingRow(table: "information_recipient", id: id)]
            )
        }
    }
}
