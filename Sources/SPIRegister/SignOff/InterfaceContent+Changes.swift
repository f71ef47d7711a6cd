import SPISQLite

/// One difference between two contents of an SPI, in words (``InterfaceContent/changes(to:in:)``).
public struct ContentChange: Sendable, Hashable {
    /// What happened to the row.
    public enum Kind: String, Sendable, Hashable {
        /// The row is new.
        case added
        /// The row is gone.
        case removed
        /// Some of the row's columns have other values.
        case changed
    }

    /// What happened.
    public var kind: Kind
    /// The row's table.
    public var table: String
    /// The row's id (for lookups; never shown to people).
    public var rowID: String
    /// The columns whose values differ (empty unless ``kind`` is ``Kind/changed``).
    public var columns: [String]
    /// The change in words, with codes, names and emails, never bare ids: `RACI INC-LOG / FAB: role R → A`.
    public var description: String
}

extension InterfaceContent {
    /// What changed from this content to `newer`, in words, SPI row first, then table by table.
    ///
    /// References are named by the codes, names or emails of the rows in `store` (or in either content); one that
    /// resolves nowhere reads "(a removed party)", never an id.
    public func changes(to newer: InterfaceContent, in store: RecordStore) throws -> [ContentChange] {
        var result: [ContentChange] = []
        let namer = ContentNamer(store: store, contents: [self, newer])
        let spiColumns = Set(interface.keys).union(newer.interface.keys).subtracting(["id"]).sorted()
        let changed = spiColumns.filter { interface[$0] ?? .null != newer.interface[$0] ?? .null }
        if !changed.isEmpty {
            let parts = try changed.map { column in
                "\(column) \(try namer.value("interface", column, interface[column])) → "
                    + (try namer.value("interface", column, newer.interface[column]))
            }
            result.append(
                ContentChange(
                    kind: .changed, table: "interface", rowID: interfaceID, columns: changed,
                    description: "SPI: " + parts.joined(separator: "; ")))
        }
        for table in Self.tables {
            let old = rows[table] ?? [:]
            let new = newer.rows[table] ?? [:]
            for id in Set(old.keys).union(new.keys).sorted() {
                switch (old[id], new[id]) {
                case (nil, let row?):
                    result.append(
                        ContentChange(
                            kind: .added, table: table, rowID: id, columns: [],
                            description: "added " + (try namer.describe(table, row))))
                case (let row?, nil):
                    result.append(
                        ContentChange(
                            kind: .removed, table: table, rowID: id, columns: [],
                            description: "removed " + (try namer.describe(table, row))))
                case (let before?, let after?):
                    let columns = Set(before.keys).union(after.keys).subtracting(["id"]).sorted()
                        .filter { before[$0] ?? .null != after[$0] ?? .null }
                    guard !columns.isEmpty else { continue }
                    let parts = try columns.map { column in
                        "\(column) \(try namer.value(table, column, before[column])) → "
                            + (try namer.value(table, column, after[column]))
                    }
                    result.append(
                        ContentChange(
                            kind: .changed, table: table, rowID: id, columns: columns,
                            description: "\(try namer.name(table, before)): " + parts.joined(separator: "; ")))
                case (nil, nil):
                    continue
                }
            }
        }
        return result
    }
}

/// Names rows and values of SPI content for people: codes, names and emails from the register, or from the
/// contents themselves for rows the register no longer holds.
struct ContentNamer {
    let store: RecordStore
    let contents: [InterfaceContent]

    /// A row of content by table and id, from either content.
    func contentRow(_ table: String, _ id: String) -> [String: JSONValue]? {
        for content in contents { if let row = content.rows[table]?[id] { return row } }
        return nil
    }

    /// The label of the row `id` of `table`: its code, email or name, or "(a removed …)".
    func label(_ table: String, _ id: String) throws -> String {
        if let label = try store.label(table, id) { return label }
        if let row = contentRow(table, id), let name = row["name"]?.stringValue { return "'\(name)'" }
        let noun = FieldCatalog.table(table)?.noun ?? table.replacingOccurrences(of: "_", with: " ")
        return "(a removed \(noun))"
    }

    /// A column's value in words: a referenced row's label, quoted text, a number, or "(none)".
    func value(_ table: String, _ column: String, _ value: JSONValue?) throws -> String {
        switch value ?? .null {
        case .null: return "(none)"
        case .string(let text):
            if let referenced = FieldCatalog.table(table)?.column(column)?.references {
                return try label(referenced, text)
            }
            return "'\(text)'"
        case .integer(let number): return String(number)
        case .real(let number): return JSONValue.real(number).canonicalText
        case .bool(let flag): return flag ? "yes" : "no"
        case .array, .object: return "(structured value)"
        }
    }

    func text(_ row: [String: JSONValue], _ column: String) -> String? { row[column]?.stringValue }

    /// The row's name: which row it is, in words (`RACI INC-LOG / FAB`).
    func name(_ table: String, _ row: [String: JSONValue]) throws -> String {
        func ref(_ column: String, _ referenced: String) throws -> String {
            guard let id = text(row, column) else { return "(none)" }
            return try label(referenced, id)
        }
        switch table {
        case "raci_assignment":
            return "RACI \(try ref("activity_id", "activity")) / \(try ref("party_id", "party"))"
        case "interface_service":
            return "service \(try ref("service_id", "service"))"
        case "integration_point":
            return "integration point '\(text(row, "name") ?? "")'"
        case "integration_data_item":
            let point =
                try text(row, "integration_point_id").map { id -> String in
                    if let name = contentRow("integration_point", id).flatMap({ text($0, "name") }) {
                        return "'\(name)'"
                    }
                    return try label("integration_point", id)
                } ?? "(none)"
            return "data item '\(text(row, "name") ?? "")' of integration point \(point)"
        case "information_item":
            return "information item '\(text(row, "name") ?? "")'"
        case "information_recipient":
            let item =
                try text(row, "information_item_id").map { id -> String in
                    if let name = contentRow("information_item", id).flatMap({ text($0, "name") }) {
                        return "'\(name)'"
                    }
                    return try label("information_item", id)
                } ?? "(none)"
            let who = text(row, "person_id") != nil ? try ref("person_id", "person") : try ref("party_id", "party")
            return "recipient \(who) of information item \(item)"
        case "service_level_target":
            let priority = text(row, "priority") ?? "any priority"
            return "target \(try ref("service_id", "service")) \(text(row, "metric") ?? "") \(priority)"
        default:
            return "\(table) row"
        }
    }

    /// A row named with its defining values, for an addition or removal (`RACI INC-LOG / FAB: R`).
    func describe(_ table: String, _ row: [String: JSONValue]) throws -> String {
        let name = try self.name(table, row)
        switch table {
        case "raci_assignment":
            let title = text(row, "role_title").map { " (\($0))" } ?? ""
            return "\(name): \(text(row, "role") ?? "")\(title)"
        case "integration_point":
            let from = try text(row, "from_party_id").map { try label("party", $0) } ?? "(none)"
            let to = try text(row, "to_party_id").map { try label("party", $0) } ?? "(none)"
            return "\(name): \(from) → \(to) by \(text(row, "channel") ?? "(no channel)")"
        case "service_level_target":
            return "\(name): \(try value(table, "target", row["target"])) \(text(row, "unit") ?? "")"
        default:
            return name
        }
    }
}
