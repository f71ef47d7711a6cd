import SPISQLite

extension NorthwindDemo {
    /// The demo's rows, by table, as `Resources/northwind-demo.json` holds them, parsed once.
    ///
    /// The resource is a canonical export (see ``RecordStore/canonicalExport(visibleTo:)``) of the rows the demo
    /// adds or changes, with three differences, each undone by ``resolvedExport(_:today:in:)``:
    /// - every date is a ``RelativeDate`` placeholder (`{today+45d}`), so that the file holds no absolute date;
    /// - the rows whose id derives from a date (service-level results and deliveries, keyed by their period) carry
    ///   no id: they get the id a validated edit gives them, the UUIDv5 of their natural key;
    /// - a seeded row the demo changes (a practice's owner) holds only its id and the changed columns, and rows are
    ///   in the order the demo writes them, not by id.
    static let resource = Result { () throws(RegisterError) -> [String: [[String: JSONValue]]] in
        guard let tables = try JSONValue(parsing: PackageResources.northwind_demo_json).objectValue else {
            throw RegisterError(.malformedExport, "the demo's resource is not a JSON object keyed by table name")
        }
        var resource: [String: [[String: JSONValue]]] = [:]
        for (table, value) in tables {
            _ = try FieldCatalog.requireTable(table)
            guard let rows = value.arrayValue?.compactMap(\.objectValue), rows.count == value.arrayValue?.count else {
                throw RegisterError(.malformedExport, "the demo's resource: \(table) is not an array of rows")
            }
            resource[table] = rows
        }
        return resource
    }

    /// Refuses a register that lacks the seeded rows the demo refers to or changes (practices, activities).
    ///
    /// - Throws: `RegisterCheckError.Code.missingReferenceData`, naming them by code.
    static func checkReferenceData(_ resource: [String: [[String: JSONValue]]], in db: Connection) throws {
        var needed: Set<RecordKey> = []
        for (table, rows) in resource {
            let spec = try FieldCatalog.requireTable(table)
            for row in rows {
                // A seeded row the demo changes holds only some columns; it must exist.
                if let id = row["id"]?.stringValue, spec.requiredColumns.contains(where: { row[$0] == nil }) {
                    needed.insert(RecordKey(table: table, id: id))
                }
                for column in spec.columns {
                    guard let target = column.references, let id = row[column.name]?.stringValue,
                        !(resource[target]?.contains { $0["id"]?.stringValue == id } ?? false)
                    else { continue }
                    needed.insert(RecordKey(table: target, id: id))
                }
            }
        }
        var missing: [String] = []
        for key in needed.sorted(by: { ($0.table, $0.id) < ($1.table, $1.id) }) {
            let count = try db.scalar("SELECT count(*) FROM \(key.table) WHERE id = ?", [.text(key.id)])
            guard count?.integerValue == 0 else { continue }
            let code =
                ReferenceData.practices.first { ReferenceData.practiceID($0.code) == key.id }?.code
                ?? ReferenceData.activities.first { ReferenceData.activityID($0.code) == key.id }?.code
            missing.append(code ?? "\(key.table) \(key.id)")
        }
        guard missing.isEmpty else {
            throw RegisterCheckError(
                .missingReferenceData,
                "the register lacks the seeded practices or activities \(missing.sorted().joined(separator: ", "))")
        }
    }

    /// The resource as a canonical export for `today`: its dates resolved and the ids derived from them filled in.
    ///
    /// - Throws: `RegisterCheckError.Code.invalidDate` when a date cannot be resolved,
    ///   `RegisterError.Code.malformedExport` when a row has no id and none derives from it.
    static func resolvedExport(
        _ resource: [String: [[String: JSONValue]]], today: String, in db: Connection
    ) throws -> JSONValue {
        var dueRules: [String: (rule: String?, frequency: String?)] = [:]
        for item in resource["information_item"] ?? [] {
            if let id = item["id"]?.stringValue {
                dueRules[id] = (item["due_rule"]?.stringValue, item["frequency"]?.stringValue)
            }
        }
        var tables: [String: JSONValue] = [:]
        for (table, rows) in resource {
            let spec = try FieldCatalog.requireTable(table)
            var resolved: [JSONValue] = []
            for var row in rows {
                let dueRule = row["information_item_id"]?.stringValue.flatMap { dueRules[$0] }
                for (column, value) in row {
                    guard let text = value.stringValue,
                        let substituted = try RelativeDate.substituting(
                            in: text,
                            {
                                try $0.resolve(today: today, dueRule: dueRule, in: db)
                            })
                    else { continue }
                    row[column] = .string(substituted)
                }
                if row["id"] == nil {
                    let values = row.compactMapValues { (try? $0.databaseValue())?.keyText }
                    guard let key = spec.derivedID?.key(values) else {
                        throw RegisterError(.malformedExport, "the demo's resource: a \(table) row has no id")
                    }
                    row["id"] = .string(RecordID.v5(key))
                }
                resolved.append(.object(row))
            }
            tables[table] = .array(resolved)
        }
        return .object(tables)
    }
}
