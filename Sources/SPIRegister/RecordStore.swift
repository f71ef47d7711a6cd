import Foundation
public import SPISQLite

/// Reads and validated writes of register records, inside one transaction of a ``Register``.
///
/// A store exists only inside ``Register/read(_:)`` and ``Register/write(_:)``. Everywhere an id is expected, the
/// store also accepts the row's short code (a party `FAB`, an interface `SPI-INC-FAB`, a practice `INC`, an
/// activity `INC-LOG`, a service or agreement code) or a person's email.
///
/// ```swift
/// let id = try register.write { store in
///     try store.put("party", fields: ["code": "FAB", "name": "Fabrikam Service Desk", "kind": "provider"])
/// }
/// let fab = try register.read { try $0.record("party", "FAB") }
/// ```
public struct RecordStore {
    /// The connection, for queries the store does not cover. Valid only inside the transaction's closure.
    public let db: Connection
    /// Which side the replica is on; only the organization approves or retires SPIs.
    public let kind: ReplicaKind
    /// Today's date (`YYYY-MM-DD`), for rules such as "the next review is in the future".
    public let today: String
    /// Who local edits act for, when they are checked against the access rules (nil: not checked).
    public var actor: AccessActor?
    /// Whether a RACI cell may name an activity of another practice than its SPI's (`spi raci add --other-practice`);
    /// by default such an edit is refused.
    public var allowsOtherPractice = false

    /// Creates a store over a connection that is inside a transaction.
    public init(db: Connection, kind: ReplicaKind, today: String) {
        self.db = db
        self.kind = kind
        self.today = today
    }

    /// The catalog entry of `table`.
    ///
    /// - Throws: `RegisterError.Code.unknownTable`, listing the valid tables.
    public func spec(_ table: String) throws(RegisterError) -> TableSpec {
        try FieldCatalog.requireTable(table)
    }

    /// The canonical lowercase form of `text` if it is a UUID in any case, else nil.
    public static func canonicalUUID(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count == 36, let uuid = UUID(uuidString: trimmed) else { return nil }
        return uuid.uuidString.lowercased()
    }

    /// The id of the existing row of `table` that `reference` names: its id (in any case), its short code or
    /// email (matched exactly, then ignoring case), or a prefix of its id of at least 8 characters that no other
    /// row's id shares (as lists and reports show ids: `613ac432`).
    ///
    /// - Throws: `RegisterError.Code.notFound` for an id with no row, `RegisterError.Code.unknownReference`
    ///   for a code that matches nothing, `RegisterError.Code.ambiguousReference` for one that matches several
    ///   rows (or an id prefix that several ids share), `RegisterError.Code.invalidID` for a non-UUID on a table
    ///   without codes.
    public func resolve(_ table: String, _ reference: String) throws -> String {
        let spec = try spec(table)
        let noun = spec.noun ?? spec.name
        if let id = Self.canonicalUUID(reference) {
            guard try exists(spec.name, id) else {
                throw RegisterError(.notFound, "no \(noun) with id \(id)")
            }
            return id
        }
        guard let lookup = spec.lookupColumn else {
            if let id = try idPrefixMatch(spec, reference) { return id }
            throw RegisterError(
                .invalidID,
                "'\(reference)' is not a UUID, nor the first 8 or more characters of one \(noun)'s id; \(noun) rows are "
                    + "identified by their id")
        }
        let code = reference.trimmingCharacters(in: .whitespaces)
        for collation in ["BINARY", "NOCASE"] {
            let ids = try db.rows(
                "SELECT id FROM \(quoted(spec.name)) WHERE \(quoted(lookup)) = ? COLLATE \(collation) ORDER BY id",
                [.text(code)]
            ).compactMap { $0[0].textValue }
            if ids.count == 1 { return ids[0] }
            if ids.count > 1 {
                throw RegisterError(
                    .ambiguousReference,
                    "\(lookup) '\(code)' matches \(ids.count) \(noun) rows (\(ids.joined(separator: ", "))); use an id")
            }
        }
        if let id = try idPrefixMatch(spec, code) { return id }
        let known = try db.rows(
            "SELECT \(quoted(lookup)) FROM \(quoted(spec.name)) WHERE \(quoted(lookup)) IS NOT NULL "
                + "ORDER BY \(quoted(lookup)) LIMIT 41"
        ).compactMap { $0[0].textValue }
        var message = "no \(noun) has \(lookup) '\(code)', and it is not a UUID"
        if known.isEmpty {
            message += "; there are no \(noun) rows yet"
        } else if known.count <= 40 {
            message += "; known: \(known.joined(separator: ", "))"
        }
        throw RegisterError(.unknownReference, message)
    }

    /// Whether `reference` looks like the start of an id: 8 or more characters of lowercase hex and dashes.
    static func isIDPrefix(_ reference: String) -> Bool {
        reference.count >= 8 && reference.count < 36
            && reference.lowercased().allSatisfy { $0 == "-" || ($0.isHexDigit && $0.isASCII) }
    }

    /// The one row of `spec` whose id starts with `reference` (8 or more hex characters), or nil when none does.
    ///
    /// - Throws: `RegisterError.Code.ambiguousReference` when several ids start with it.
    func idPrefixMatch(_ spec: TableSpec, _ reference: String) throws -> String? {
        guard Self.isIDPrefix(reference) else { return nil }
        let prefix = reference.lowercased()
        let ids = try db.rows(
            "SELECT id FROM \(quoted(spec.name)) WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 3",
            [.integer(Int64(prefix.count)), .text(prefix)]
        ).compactMap { $0[0].textValue }
        guard ids.count <= 1 else {
            throw RegisterError(
                .ambiguousReference,
                "'\(reference)' starts the ids of several \(spec.noun ?? spec.name) rows (\(ids.prefix(2).joined(separator: ", ")), …); "
                    + "give more of the id")
        }
        return ids.first
    }

    /// Whether `table` has a row with this id.
    public func exists(_ table: String, _ id: String) throws -> Bool {
        try db.scalar("SELECT count(*) FROM \(quoted(table)) WHERE id = ?", [.text(id)]) != .integer(0)
    }

    /// The row of `table` that `reference` (an id, code or email) names.
    ///
    /// - Throws: as ``resolve(_:_:)``.
    public func record(_ table: String, _ reference: String) throws -> Record {
        let spec = try spec(table)
        let id = try resolve(table, reference)
        guard let record = try recordIfPresent(spec, id: id) else {
            throw RegisterError(.notFound, "no \(spec.noun ?? spec.name) with id \(id)")
        }
        return record
    }

    func recordIfPresent(_ spec: TableSpec, id: String) throws -> Record? {
        try select(spec, where: "id = ?", [.text(id)]).first
    }

    /// The rows of `table` whose columns equal the given values (all rows when `matching` is empty), ordered by
    /// short code when the table has one, then by id.
    ///
    /// - Throws: `RegisterError.Code.unknownTable` or `RegisterError.Code.unknownColumn`.
    public func records(_ table: String, matching filters: [String: DatabaseValue] = [:]) throws -> [Record] {
        let spec = try spec(table)
        var clauses: [String] = []
        var values: [DatabaseValue] = []
        for (column, value) in filters.sorted(by: { $0.key < $1.key }) {
            guard column == "id" || spec.column(column) != nil else { throw unknownColumn(column, in: spec) }
            clauses.append(value.isNull ? "\(quoted(column)) IS NULL" : "\(quoted(column)) = ?")
            if !value.isNull { values.append(value) }
        }
        return try select(
            spec, where: clauses.isEmpty ? "1" : clauses.joined(separator: " AND "), values, order: Self.listOrder(spec)
        )
    }

    /// The order lists show a table's rows in: process order where there is one (activities by their position in
    /// the practice; RACI cells by SPI, then activity position, then party and role), else by code, else by id.
    static func listOrder(_ spec: TableSpec) -> String {
        switch spec.name {
        case "activity":
            return "(SELECT code FROM practice p WHERE p.id = practice_id), position IS NULL, position, code, id"
        case "raci_assignment":
            return """
                (SELECT code FROM interface i WHERE i.id = interface_id),
                (SELECT position FROM activity a WHERE a.id = activity_id) IS NULL,
                (SELECT position FROM activity a WHERE a.id = activity_id),
                (SELECT code FROM activity a WHERE a.id = activity_id),
                (SELECT code FROM party p WHERE p.id = party_id), instr('RACI', role), id
                """
        default:
            return spec.lookupColumn.map { "\(quoted($0)), id" } ?? "id"
        }
    }

    func select(_ spec: TableSpec, where condition: String, _ values: [DatabaseValue], order: String = "id") throws
        -> [Record]
    {
        let columns = spec.columnNames.map(quoted).joined(separator: ", ")
        let sql = "SELECT \(columns) FROM \(quoted(spec.name)) WHERE \(condition) ORDER BY \(order)"
        var records: [Record] = []
        try db.forEachRow(sql, values) { stmt in
            var row: [String: DatabaseValue] = [:]
            for (offset, column) in spec.columns.enumerated() { row[column.name] = stmt.value(Int32(offset + 1)) }
            records.append(Record(table: spec.name, id: stmt.text(0) ?? "", values: row))
        }
        return records
    }

    /// A short name for a row, for people: its code or email, else its name (nil when the row does not exist).
    ///
    /// ```swift
    /// try store.label("party", fabID)   // "FAB"
    /// ```
    public func label(_ table: String, _ id: String) throws -> String? {
        let spec = try spec(table)
        guard !spec.labelColumns.isEmpty else { return nil }
        let columns = spec.labelColumns.map(quoted).joined(separator: ", ")
        guard let row = try db.rows("SELECT \(columns) FROM \(quoted(spec.name)) WHERE id = ?", [.text(id)]).first
        else { return nil }
        for (offset, value) in row.enumerated() where !value.isNull {
            if let column = spec.column(spec.labelColumns[offset]), let target = column.references,
                let text = value.textValue
            {
                return try label(target, text) ?? text
            }
            return value.description
        }
        return nil
    }

    /// The rows that refer to the row `id` of `table`, with the referring column.
    public func referrers(to table: String, id: String) throws -> [(key: RecordKey, column: String)] {
        var result: [(key: RecordKey, column: String)] = []
        for (spec, column) in FieldCatalog.referencesTo(table) {
            let ids = try db.rows(
                "SELECT id FROM \(quoted(spec.name)) WHERE \(quoted(column.name)) = ? ORDER BY id", [.text(id)])
            for row in ids {
                if let referrer = row[0].textValue {
                    result.append((RecordKey(table: spec.name, id: referrer), column.name))
                }
            }
        }
        return result
    }

    func unknownColumn(_ column: String, in spec: TableSpec) -> RegisterError {
        RegisterError(
            .unknownColumn,
            "unknown column '\(column)' in \(spec.name); its columns are: \(spec.columnNames.joined(separator: ", "))")
    }
}

/// A SQL identifier in double quotes (catalog names never contain quotes, but quote them all the same).
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

extension RecordStore {
    /// The rows of `table` whose columns equal the given values, written as people type them: codes and emails
    /// resolve to ids, enumerations and booleans are checked as in ``put(_:id:fields:mode:)``.
    ///
    /// ```swift
    /// let cells = try store.records("raci_assignment", matchingFields: ["interface_id": "SPI-INC-FAB", "role": "A"])
    /// ```
    public func records(_ table: String, matchingFields fields: [String: String]) throws -> [Record] {
        let spec = try spec(table)
        var filters: [String: DatabaseValue] = [:]
        for (name, text) in fields {
            if name == "id" {
                filters["id"] = .text(try resolve(spec.name, text))
                continue
            }
            guard let column = spec.column(name) else { throw unknownColumn(name, in: spec) }
            filters[name] = try convert(.text(text), for: column, in: spec)
        }
        return try records(spec.name, matching: filters)
    }
}
