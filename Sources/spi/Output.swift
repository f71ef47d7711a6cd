import Foundation
import SPICommandSupport
import SPIRegister
import SPISQLite

/// How commands print records, tables and JSON.
enum Output {
    /// A time in milliseconds since 1970, as ISO 8601 (UTC).
    static func time(milliseconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// A size for people: `512 B`, `12.3 kB`, `4.5 MB`, `1.2 GB` (powers of 1,000).
    static func bytes(_ count: Int) -> String {
        if count < 1_000 { return "\(count) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(count) / 1_000
        var unit = 0
        while value >= 1_000 && unit < units.count - 1 {
            value /= 1_000
            unit += 1
        }
        return String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + units[unit]
    }

    /// A count with its noun, singular for one: `1 change`, `2 changes`, `0 batches`.
    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }

    /// Encodable values as a JSON array, one object per line with sorted keys (as `jsonArray`).
    static func encodedArray<T: Encodable>(_ values: [T]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let lines = try values.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        return lines.isEmpty ? "[]" : "[\n" + lines.map { "  " + $0 }.joined(separator: ",\n") + "\n]"
    }

    /// Prints JSON values one per line inside an array, so that long lists stay readable and diffable.
    static func jsonArray(_ values: [JSONValue]) -> String {
        if values.isEmpty { return "[]" }
        return "[\n" + values.map { "  " + $0.canonicalText }.joined(separator: ",\n") + "\n]"
    }

    /// A change refused by permission, on one line: the row, the columns refused (none: the whole row change), why.
    static func refusal(_ table: String, _ id: String, columns: [String], reason: String) -> String {
        let refused = columns.isEmpty ? "" : " (\(columns.joined(separator: ", ")))"
        return "\(table) \(id)\(refused): \(reason)"
    }

    /// A value as people read it: references as the referenced row's code, booleans as yes/no, NULL as `-`.
    static func display(_ value: DatabaseValue, column: ColumnSpec?, store: RecordStore, withID: Bool = false) throws
        -> String
    {
        if value.isNull { return "-" }
        if let column, let target = column.references, let id = value.textValue {
            guard let label = try store.label(target, id) else {
                // A provider's replica holds its party's scope: a row outside it is not missing, just not here.
                return store.kind == .provider ? "\(id.prefix(8)) (not held here)" : "\(id) (missing)"
            }
            return withID ? "\(label) (\(id))" : label
        }
        if column?.type == .boolean, case .integer(let i) = value { return i == 0 ? "no" : "yes" }
        return value.description
    }

    /// Renders rows as a text table with a header, padding columns and shortening long cells.
    static func table(header: [String], rows: [[String]], limit: Int? = 48) -> String {
        TextTable.render(header: header, rows: rows, limit: limit)
    }

    /// Renders one record as `column: value` lines, references shown with their code and id.
    static func record(_ record: Record, spec: TableSpec, store: RecordStore) throws -> String {
        let width = spec.columnNames.map(\.count).max() ?? 0
        var lines = ["id" + String(repeating: " ", count: width - 2) + "  " + record.id]
        for column in spec.columns {
            let value = try display(record[column.name], column: column, store: store, withID: true)
            lines.append(column.name + String(repeating: " ", count: width - column.name.count) + "  " + value)
        }
        return lines.joined(separator: "\n")
    }

    /// Renders records as a text table of the table's list columns (plus the id when the table has no codes).
    static func list(_ records: [Record], spec: TableSpec, store: RecordStore) throws -> String {
        let columns = spec.listColumns
        let showID = spec.lookupColumn == nil
        // Headers in words: `practice`, not `practice_id`; `role title`, not `role_title`.
        let header = (showID ? ["id"] : []) + columns.map(headerWords)
        var rows: [[String]] = []
        for record in records {
            var row = showID ? [record.id] : []
            for name in columns { row.append(try display(record[name], column: spec.column(name), store: store)) }
            rows.append(row)
        }
        return table(header: header, rows: rows)
    }

    /// A column's name as a list header: without an `_id` suffix, with spaces for underscores.
    static func headerWords(_ column: String) -> String {
        (column.hasSuffix("_id") ? String(column.dropLast(3)) : column).replacingOccurrences(of: "_", with: " ")
    }

    /// The warning for sites whose key two replicas hold (``ApplyReport/sharedKeys``), one line per site; `own` is
    /// this replica's site.
    static func sharedKeyWarnings(_ sites: [String], own: String) -> [String] {
        sites.map { site in
            site == own
                ? "warning: received changes signed with this replica's own key that it never signed: another replica "
                    + "uses the same key (a copied replica file: run `spi key rotate` on the copy), or this file was "
                    + "restored from an older backup (then nothing is wrong)"
                : "warning: site \(site) signed two different sets of changes at one clock: two replicas use its key "
                    + "(a copied replica file: run `spi key rotate` on the copy)"
        }
    }
}
