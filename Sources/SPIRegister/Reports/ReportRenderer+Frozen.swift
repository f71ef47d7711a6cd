import Foundation
import SPIReplication
public import SPISQLite

extension ReportRenderer {
    /// The SPI document of the SPIs that have a frozen version `version` (within `provider`'s, when given), each
    /// exactly as it was frozen: its content rows from the frozen version, and the register's other rows (parties,
    /// people, practices) as they are. The document-control block names the frozen version and the signatures of it.
    ///
    /// - Throws: `ReportError.Code.unknownVersion` naming the frozen versions in scope when no SPI has that one;
    ///   as ``render(_:format:db:provider:registerName:generatedAt:today:periods:)``.
    public static func renderFrozenDocument(
        version: String, format: ReportFormat, db: Connection, provider: String?, registerName: String,
        generatedAt: String, today: String
    ) throws -> String {
        guard let todayDate = CivilDate(today) else {
            throw ReportError(.invalidDate, "'\(today)' is not a date; expected YYYY-MM-DD")
        }
        let store = RecordStore(db: db, kind: .organization, today: today)
        // The SPIs in scope with that version frozen, and each one's frozen content.
        var condition = "1"
        var values: [DatabaseValue] = []
        if let provider {
            condition = "provider_id IN (SELECT id FROM party WHERE upper(code) = upper(?) OR id = ?)"
            values = [.text(provider), .text(provider)]
        }
        var chosen: [(id: String, version: Governance.FrozenVersion)] = []
        var known: [String] = []
        for spi in try store.select(store.spec("interface"), where: condition, values, order: "code, id") {
            let versions = try Governance.versions(of: spi.id, in: store)
            known += versions.map { "\(spi["code"].textValue ?? spi.id) \($0.version ?? "-")" }
            if let match = versions.last(where: { $0.version == version }) { chosen.append((spi.id, match)) }
        }
        guard !chosen.isEmpty else {
            throw ReportError(
                .unknownVersion,
                "no SPI\(provider.map { " of \($0)" } ?? "") has a frozen version \(version); "
                    + (known.isEmpty ? "none has a frozen version yet" : "frozen: \(known.joined(separator: ", "))"))
        }
        // A copy of the register in memory, with each chosen SPI's content as frozen.
        let copy = try Connection(path: ":memory:")
        try RegisterSchema.migrate(copy)
        for table in RegisterSchema.tableNames {
            let columns = try db.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap {
                $0[0].textValue
            }
            let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            for row in try db.rows("SELECT \(list) FROM \"\(table)\"") {
                try copy.execute("INSERT INTO \"\(table)\" (\(list)) VALUES (\(marks))", row)
            }
        }
        for (id, frozen) in chosen {
            let content = try InterfaceContent(canonicalText: frozen.content)
            try replace(id, with: content, in: copy)
        }
        var data = try ReportData(copy, today: today)
        // Sign-off as of the frozen version: the signatures of that very content, checked on the register itself.
        let shown = Set(chosen.map(\.id))
        data.interfaces.removeAll { !shown.contains($0.id) }
        data.interfaceByID = data.interfaceByID.filter { shown.contains($0.key) }
        for (id, frozen) in chosen {
            data.frozen[id] = frozen
            if let registerID = try Replica.registerID(db) {
                var state = try Governance.signOff(of: id, registerID: registerID, in: store)
                state.checks = state.checks.filter { $0.signature.digest == frozen.digest }
                data.signOffs[id] = state
            }
        }
        return try render(
            .document, format: format, data: data, provider: provider, registerName: registerName,
            generatedAt: generatedAt, today: todayDate)
    }

    /// Puts `content` in place of the SPI's current rows in `db` (a copy): its content columns, and its owned and
    /// cited rows.
    static func replace(_ id: String, with content: InterfaceContent, in db: Connection) throws {
        let spi = DatabaseValue.text(id)
        try db.execute(
            "DELETE FROM integration_data_item WHERE integration_point_id IN (SELECT id FROM integration_point WHERE interface_id = ?)",
            [spi])
        try db.execute(
            "DELETE FROM information_recipient WHERE information_item_id IN (SELECT id FROM information_item WHERE interface_id = ?)",
            [spi])
        for table in ["interface_service", "raci_assignment", "integration_point", "information_item"] {
            try db.execute("DELETE FROM \(table) WHERE interface_id = ?", [spi])
        }
        // The targets it cited then, in place of those it would cite now.
        try db.execute(
            """
            DELETE FROM service_level_target WHERE agreement_id = (SELECT agreement_id FROM interface WHERE id = ?1)
                AND (NOT EXISTS (SELECT 1 FROM interface_service WHERE interface_id = ?1)
                    OR service_id IN (SELECT service_id FROM interface_service WHERE interface_id = ?1))
            """, [spi])
        for (column, value) in content.interface where column != "id" {
            try db.execute("UPDATE interface SET \"\(column)\" = ? WHERE id = ?", [try value.databaseValue(), spi])
        }
        for table in InterfaceContent.tables {
            for row in (content.rows[table] ?? [:]).values {
                let columns = row.keys.sorted()
                let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
                try db.execute(
                    "INSERT OR REPLACE INTO \"\(table)\" (\(list)) VALUES (\(marks))",
                    try columns.map { try row[$0]?.databaseValue() ?? .null })
            }
        }
    }
}
