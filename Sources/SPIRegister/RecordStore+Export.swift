import SPISQLite
import SPIReplication

extension RecordStore {
    /// The canonical JSON export of the register's content.
    ///
    /// An object keyed by table name (all sixteen tables, even empty ones, keys in byte order); each table an array
    /// of its rows sorted by id; each row an object with every column, keys sorted. There is no replication or
    /// local metadata, so two replicas with the same content export the same bytes. The layout puts one row per
    /// line:
    ///
    /// ```json
    /// {
    ///   "activity": [
    ///     {"code":"INC-LOG","description":null,"id":"…","name":"Log and categorize","position":1,"practice_id":"…"},
    ///     …
    ///   ],
    ///   "agreement": [],
    ///   …
    /// }
    /// ```
    ///
    /// Values follow ``JSONValue/init(_:)``: integers without a fraction, reals always with a `.` or an exponent,
    /// text as strings, NULL as `null`, a blob as `{"$blob":"<hex>"}`.
    ///
    /// With `viewer`, only the rows that party may see (see ``AccessRules/visibility(for:)``): what its replica
    /// holds after syncing.
    public func canonicalExport(visibleTo viewer: AccessActor? = nil) throws -> String {
        var out = "{\n"
        let tables = FieldCatalog.tables.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let rules = viewer.flatMap(AccessRules.visibility(for:))
        for (tableIndex, spec) in tables.enumerated() {
            out += "  "
            JSONValue.writeString(spec.name, to: &out)
            let condition = rules?[spec.name].map { "id IN (SELECT id FROM (\(AccessRules.withoutEntry($0))))" } ?? "1"
            let rows = try select(spec, where: condition, [], order: "id")
            if rows.isEmpty {
                out += ": []"
            } else {
                out += ": [\n"
                for (rowIndex, row) in rows.enumerated() {
                    out += "    "
                    row.json.write(to: &out)
                    out += rowIndex == rows.count - 1 ? "\n" : ",\n"
                }
                out += "  ]"
            }
            out += tableIndex == tables.count - 1 ? "\n" : ",\n"
        }
        out += "}\n"
        return out
    }

    /// Loads a canonical export (see ``canonicalExport(visibleTo:)``) as ordinary local writes, which replicate.
    ///
    /// Every row of the file is inserted, or updated to the file's values when it exists; rows that already hold
    /// them are not touched. With `replace`, rows of the register that are not in the file are deleted too, so that
    /// the register's content equals the file's. Domain rules are not checked (the file is a copy of a register,
    /// which may hold findings); types are.
    ///
    /// - Throws: `RegisterError.Code.malformedExport` (or `RegisterError.Code.unknownTable`,
    ///   `RegisterError.Code.unknownColumn`) when the file is not such an export; nothing is written then, as
    ///   long as the caller's transaction rolls back.
    ///
    /// `progress` is called with the rows written or compared so far and the file's row count, every 1,000 rows.
    public func importCanonical(
        _ export: JSONValue, replace: Bool = false, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> ImportSummary {
        guard let tables = export.objectValue else {
            throw RegisterError(.malformedExport, "an export is a JSON object keyed by table name")
        }
        for name in tables.keys.sorted() {
            _ = try spec(name)
        }
        // Check the whole file before writing anything.
        var parsed: [(TableSpec, [Record])] = []
        for spec in FieldCatalog.tables {
            guard let value = tables[spec.name] else { continue }
            guard let rows = value.arrayValue else {
                throw RegisterError(.malformedExport, "\(spec.name): expected an array of rows")
            }
            var records: [Record] = []
            var ids: Set<String> = []
            for (index, row) in rows.enumerated() {
                records.append(try Self.record(from: row, spec: spec, index: index))
                guard ids.insert(records.last!.id).inserted else {
                    throw RegisterError(.malformedExport, "\(spec.name) row \(index): duplicate id \(records.last!.id)")
                }
            }
            parsed.append((spec, records))
        }

        var summary = ImportSummary()
        let total = parsed.reduce(0) { $0 + $1.1.count }
        var done = 0
        for (spec, records) in parsed {
            for record in records {
                done += 1
                if done % 1_000 == 0 { progress?(done, total) }
                if let existing = try recordIfPresent(spec, id: record.id) {
                    let changed = spec.columns.filter { column in
                        guard let value = record.values[column.name] else { return false }
                        return existing.values[column.name] != value
                    }
                    if changed.isEmpty {
                        summary.unchanged += 1
                        continue
                    }
                    let assignments = changed.map { "\(quoted($0.name)) = ?" }.joined(separator: ", ")
                    try db.execute(
                        "UPDATE \(quoted(spec.name)) SET \(assignments) WHERE id = ?",
                        changed.map { record.values[$0.name]! } + [.text(record.id)])
                    summary.updated += 1
                } else {
                    let columns = spec.columns.filter { record.values[$0.name] != nil }
                    let names = (["id"] + columns.map(\.name)).map(quoted).joined(separator: ", ")
                    let placeholders = Array(repeating: "?", count: columns.count + 1).joined(separator: ", ")
                    try db.execute(
                        "INSERT INTO \(quoted(spec.name)) (\(names)) VALUES (\(placeholders))",
                        [.text(record.id)] + columns.map { record.values[$0.name]! })
                    summary.inserted += 1
                }
            }
        }
        if replace {
            for spec in FieldCatalog.tables.reversed() {
                let keep = Set(parsed.first { $0.0.name == spec.name }?.1.map(\.id) ?? [])
                let ids = try db.rows("SELECT id FROM \(quoted(spec.name)) ORDER BY id").compactMap { $0[0].textValue }
                for id in ids where !keep.contains(id) {
                    try Replica.keepLastValues(ofRowIn: spec.name, id: id, db)
                    try db.execute("DELETE FROM \(quoted(spec.name)) WHERE id = ?", [.text(id)])
                    summary.deleted += 1
                }
            }
        }
        return summary
    }

    /// One row of an export, with its values checked against the column types.
    static func record(from row: JSONValue, spec: TableSpec, index: Int) throws -> Record {
        let place = "\(spec.name) row \(index)"
        guard let members = row.objectValue else {
            throw RegisterError(.malformedExport, "\(place): expected an object")
        }
        guard let idText = members["id"]?.stringValue, RecordID.isCanonical(idText) else {
            throw RegisterError(.malformedExport, "\(place): the id must be a lowercase UUID string")
        }
        var values: [String: DatabaseValue] = [:]
        for (name, json) in members where name != "id" {
            guard let column = spec.column(name) else {
                throw RegisterError(
                    .unknownColumn,
                    "\(place): unknown column '\(name)'; the columns are: \(spec.columnNames.joined(separator: ", "))")
            }
            var value = try json.databaseValue()
            switch (column.type.sqlType, value) {
            case (_, .null), ("TEXT", .text), ("INTEGER", .integer), ("REAL", .real):
                break
            case ("REAL", .integer(let i)):
                value = .real(Double(i))
            default:
                throw RegisterError(
                    .malformedExport,
                    "\(place): \(name) holds \(value.typeName), but the column is \(column.type.sqlType)")
            }
            try checkSize(of: value, "\(place) \(name)")
            values[name] = value
        }
        return Record(table: spec.name, id: idText, values: values)
    }
}
