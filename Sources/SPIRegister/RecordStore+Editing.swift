import Foundation
public import SPISQLite
public import SPIReplication

extension RecordStore {
    /// Whether a ``put(_:id:values:mode:)`` may insert, update, or both.
    public enum WriteMode: Sendable {
        /// Insert a new row; fail when the row (or, for link rows, the same natural key) exists.
        case insert
        /// Update an existing row; fail when it does not exist.
        case update
        /// Insert when the row does not exist, else update the given columns.
        case upsert
    }

    /// Inserts a row, or updates the given columns of an existing one, from text values as people type them; an
    /// empty text clears the column (SQL NULL). See ``put(_:id:values:mode:)``.
    @discardableResult
    public func put(_ table: String, id reference: String? = nil, fields: [String: String], mode: WriteMode = .upsert)
        throws -> String
    {
        try put(table, id: reference, values: fields.mapValues { DatabaseValue.text($0) }, mode: mode)
    }

    /// Inserts a row, or updates the given columns of an existing one, after validating the edit.
    ///
    /// - Values are converted to the column's type: text is parsed as a number, a date (`YYYY-MM-DD`) or a
    ///   boolean (`0`/`1`, `true`/`false`, `yes`/`no`); empty text means NULL.
    /// - Enumerations must hold one of their values (matched ignoring case, stored as spelled in the catalog).
    /// - References accept an id, a short code or an email, and must name an existing row.
    /// - A new row needs every required column; an existing one may not lose one.
    /// - Codes (and emails) must be unique, ignoring case.
    /// - Domain rules: an agreement ends after it starts and has two different parties; one Accountable per SPI
    ///   activity; approving an SPI needs an approver, a date, an integration point, an information item and a next
    ///   review in the future, and only the organization approves or retires SPIs.
    ///
    /// Without an id, a record gets a new UUIDv7, and a reference or link row (practice, activity, RACI cell,
    /// interface service, information recipient) the UUIDv5 of its natural key.
    ///
    /// ```swift
    /// let spi = try store.put("interface", values: [
    ///     "code": "SPI-INC-FAB", "title": "Incident management with Fabrikam", "practice_id": "INC",
    ///     "provider_id": "FAB", "owner_id": "jane@northwind.example",
    /// ])
    /// ```
    ///
    /// - Returns: the row's id.
    /// - Throws: ``RegisterError`` when the edit is refused; nothing is written then.
    @discardableResult
    public func put(
        _ table: String, id reference: String? = nil, values: [String: DatabaseValue], mode: WriteMode = .upsert
    ) throws -> String {
        let spec = try spec(table)
        let noun = spec.noun ?? spec.name
        for column in values.keys.sorted() where spec.column(column) == nil {
            if column == "id" {
                throw RegisterError(.unknownColumn, "the id is not a column value; give it as the row's id (--id)")
            }
            throw unknownColumn(column, in: spec)
        }

        // Find the row the edit is about.
        var id: String?
        var existing: Record?
        if let reference {
            if let uuid = Self.canonicalUUID(reference) {
                id = uuid
                existing = try recordIfPresent(spec, id: uuid)
            } else if spec.lookupColumn != nil || Self.isIDPrefix(reference) {
                let resolved = try resolve(spec.name, reference)
                id = resolved
                existing = try recordIfPresent(spec, id: resolved)
            } else {
                throw RegisterError(.invalidID, "'\(reference)' is not a UUID; \(noun) rows are identified by their id")
            }
        }

        // Convert and check each value.
        var changes: [String: DatabaseValue] = [:]
        for (name, value) in values {
            changes[name] = try convert(value, for: spec.column(name)!, in: spec)
        }

        // A new row without an id: derive it from the natural key, or make a new UUIDv7.
        if id == nil {
            if let derived = spec.derivedID {
                var keyValues: [String: String] = [:]
                for column in spec.columns {
                    if let text = (changes[column.name] ?? column.defaultValue)?.keyText {
                        keyValues[column.name] = text
                    }
                }
                if let key = derived.key(keyValues) {
                    let derivedID = RecordID.v5(key)
                    id = derivedID
                    existing = try recordIfPresent(spec, id: derivedID)
                }
            }
            if id == nil { id = RecordID.v7() }
        }
        let rowID = id!

        switch (mode, existing) {
        case (.insert, .some):
            throw RegisterError(.duplicateCode, "this \(noun) already exists (id \(rowID))")
        case (.update, nil):
            throw RegisterError(.notFound, "no \(noun) with id \(rowID)")
        default:
            break
        }

        // The row as it will be.
        var row: [String: DatabaseValue] = [:]
        for column in spec.columns {
            row[column.name] = changes[column.name] ?? existing?.values[column.name] ?? column.defaultValue ?? .null
        }
        // An SPI moved back to draft or review is no longer approved: its approver and approval date go.
        if spec.name == "interface", let status = changes["status"]?.textValue,
            status == "draft" || status == "in_review",
            existing?.values["status"] != changes["status"]
        {
            for column in ["approved_by", "approved_on"] where changes[column] == nil && row[column]?.isNull == false {
                changes[column] = .null
                row[column] = .null
            }
        }

        if existing == nil {
            let missing = spec.columns.filter { $0.isRequired && row[$0.name]!.isNull }
            if !missing.isEmpty {
                let names = missing.map { "\($0.name) (--\($0.optionName))" }
                throw RegisterError(
                    .missingField,
                    "a new \(noun) needs \(missing.count == 1 ? "a value" : "values") for "
                        + names.joined(separator: ", "))
            }
        } else {
            for column in spec.columns where column.isRequired && changes[column.name]?.isNull == true {
                throw RegisterError(.missingField, "\(noun) \(column.name) is required and cannot be cleared")
            }
        }

        if let lookup = spec.lookupColumn, spec.lookupIsUnique, let code = changes[lookup], !code.isNull {
            let others = try db.rows(
                "SELECT id FROM \(quoted(spec.name)) WHERE \(quoted(lookup)) = ? COLLATE NOCASE AND id != ? ORDER BY id",
                [code, .text(rowID)])
            if let other = others.first?[0].textValue {
                throw RegisterError(.duplicateCode, "\(noun) \(lookup) '\(code)' is already used by \(other)")
            }
        }

        try checkRules(spec, id: rowID, row: row, existing: existing)
        if actor != nil {
            var written = changes
            if existing == nil {
                for column in spec.columns where written[column.name] == nil { written[column.name] = row[column.name] }
            }
            try checkAccess(
                RowWrite(table: spec.name, id: rowID, kind: existing == nil ? .create : .update, values: written))
        }

        if let existing {
            let changed = spec.columns.filter {
                changes[$0.name] != nil && changes[$0.name] != existing.values[$0.name]
            }
            if !changed.isEmpty {
                let assignments = changed.map { "\(quoted($0.name)) = ?" }.joined(separator: ", ")
                try db.execute(
                    "UPDATE \(quoted(spec.name)) SET \(assignments) WHERE id = ?",
                    changed.map { row[$0.name]! } + [.text(rowID)])
            }
        } else {
            let columns = spec.columnNames.map(quoted).joined(separator: ", ")
            let placeholders = Array(repeating: "?", count: spec.columnNames.count).joined(separator: ", ")
            try db.execute(
                "INSERT INTO \(quoted(spec.name)) (\(columns)) VALUES (\(placeholders))",
                [.text(rowID)] + spec.columns.map { row[$0.name]! })
        }
        return rowID
    }

    /// Removes a row, and the rows it owns (an SPI's RACI cells, integration points and their data items,
    /// information items and their recipients, reviews and service links; an agreement's targets).
    ///
    /// - Returns: every removed row, the named one first.
    /// - Throws: `RegisterError.Code.stillReferenced` when other rows still refer to a row to be removed
    ///   (nothing is removed then), or as ``resolve(_:_:)``.
    @discardableResult
    public func delete(_ table: String, _ reference: String) throws -> [RecordKey] {
        let spec = try spec(table)
        let root = RecordKey(table: spec.name, id: try resolve(spec.name, reference))
        var removed = [root]
        var seen: Set<RecordKey> = [root]
        var next = 0
        while next < removed.count {
            let key = removed[next]
            next += 1
            for (referrer, column) in try referrers(to: key.table, id: key.id) {
                let owned = FieldCatalog.table(referrer.table)?.column(column)?.isOwnedByReference ?? false
                if owned, seen.insert(referrer).inserted { removed.append(referrer) }
            }
        }
        var blockers: [String: Int] = [:]
        for key in removed {
            for (referrer, column) in try referrers(to: key.table, id: key.id) where !seen.contains(referrer) {
                blockers["\(referrer.table).\(column)", default: 0] += 1
            }
        }
        if !blockers.isEmpty {
            let noun = spec.noun ?? spec.name
            let name = try label(spec.name, root.id) ?? root.id
            let list = blockers.sorted { $0.key < $1.key }.map { "\($0.value) by \($0.key)" }
            throw RegisterError(
                .stillReferenced,
                "\(noun) \(name) is still referred to (\(list.joined(separator: ", "))); change or remove those first")
        }
        if actor != nil {
            for key in removed { try checkAccess(RowWrite(table: key.table, id: key.id, kind: .delete, values: [:])) }
        }
        for key in removed.reversed() {
            try Replica.keepLastValues(ofRowIn: key.table, id: key.id, db)
            try db.execute("DELETE FROM \(quoted(key.table)) WHERE id = ?", [.text(key.id)])
        }
        return removed
    }

    /// Converts one input value to the column's type and checks it.
    func convert(_ input: DatabaseValue, for column: ColumnSpec, in spec: TableSpec) throws -> DatabaseValue {
        var value = input
        if case .text(let raw) = input {
            // Free text keeps its spacing; codes, enumerations, references, numbers and dates are trimmed.
            let isFreeText =
                column.type == .text && column.references == nil && column.allowedValues.isEmpty
                && column.name != spec.lookupColumn
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            value = text.isEmpty ? .null : .text(isFreeText ? raw : text)
        }
        if value.isNull { return .null }
        let noun = spec.noun ?? spec.name
        try Self.checkSize(of: value, "\(noun) \(column.name)")
        func invalid(_ expectation: String) -> RegisterError {
            RegisterError(.invalidValue, "invalid \(noun) \(column.name) '\(input)': \(expectation)")
        }
        if let target = column.references {
            guard let text = value.textValue else { throw invalid("expected an id or a code") }
            return .text(try resolve(target, text))
        }
        switch column.type {
        case .text:
            guard let text = value.textValue else { throw invalid("expected text") }
            if !column.allowedValues.isEmpty {
                guard let match = column.allowedValues.first(where: { $0.lowercased() == text.lowercased() }) else {
                    throw invalid("expected one of \(column.allowedValues.joined(separator: ", "))")
                }
                return .text(match)
            }
            return .text(text)
        case .date:
            guard let text = value.textValue, CivilDate.isValid(text) else {
                throw invalid("expected a date as YYYY-MM-DD")
            }
            return .text(text)
        case .integer:
            switch value {
            case .integer: return value
            case .text(let text):
                guard let i = Int64(text) else { throw invalid("expected a whole number") }
                return .integer(i)
            default: throw invalid("expected a whole number")
            }
        case .real:
            switch value {
            case .real(let d) where d.isFinite: return value
            case .integer(let i): return .real(Double(i))
            case .text(let text):
                guard let d = Double(text), d.isFinite else { throw invalid("expected a number") }
                return .real(d)
            default: throw invalid("expected a number")
            }
        case .boolean:
            switch value {
            case .integer(let i) where i == 0 || i == 1: return value
            case .text(let text):
                switch text.lowercased() {
                case "1", "true", "yes": return .integer(1)
                case "0", "false", "no": return .integer(0)
                default: throw invalid("expected true or false")
                }
            default: throw invalid("expected true or false")
            }
        }
    }

    /// Refuses a value larger than a cell may hold (``Replica/maximumValueBytes``), naming `what` and the size
    /// without echoing the value.
    static func checkSize(of value: DatabaseValue, _ what: String) throws {
        let bytes = value.limitedByteCount
        guard bytes > Replica.maximumValueBytes else { return }
        throw RegisterError(
            .invalidValue,
            "invalid \(what): \(bytes) bytes, more than the \(Replica.maximumValueBytes) bytes (1 MiB) a value may hold"
        )
    }

    /// Segregation of duties on approval and retirement: the person is of the organization (a party of kind
    /// `organization`, or an internal party such as the SIAM office), not the SPI's owner, and, once the register
    /// names approvers (`person.approver`), one of them.
    ///
    /// - Parameters:
    ///   - approver: the approving (or retiring) person's id.
    ///   - owner: the SPI's owner's id.
    ///   - action: what the person does, for the message: `approve` or `retire`.
    /// - Throws: `RegisterError.Code.ruleViolated` naming the rule.
    func checkSegregation(approver: String, owner: String?, action: String = "approve") throws {
        let rows = try db.rows(
            "SELECT p.name, pa.kind, pa.internal, coalesce(pa.code, pa.name) FROM person p LEFT JOIN party pa ON pa.id = p.party_id WHERE p.id = ?",
            [.text(approver)])
        let name = rows.first?[0].textValue ?? approver
        if approver == owner {
            throw RegisterError(
                .ruleViolated,
                "segregation of duties: \(name) owns this SPI and cannot \(action) it; another person of the organization "
                    + "\(action)s it")
        }
        let kind = rows.first?[1].textValue
        let isInternal = rows.first?[2] == .integer(1)
        guard kind == "organization" || isInternal else {
            let party = rows.first?[3].textValue.map { " (\($0), \(kind ?? "no party"))" } ?? ""
            throw RegisterError(
                .ruleViolated,
                "segregation of duties: \(name)\(party) cannot \(action) an SPI; only a person of the organization or of an "
                    + "internal party \(action)s one")
        }
        // The register's own rule, once it names approvers: only they approve.
        if try db.scalar("SELECT 1 FROM person WHERE approver = 1 LIMIT 1") != nil,
            try db.scalar("SELECT approver FROM person WHERE id = ?", [.text(approver)]) != .integer(1)
        {
            let approvers = try db.rows(
                "SELECT coalesce(email, name) FROM person WHERE approver = 1 ORDER BY 1 LIMIT 6"
            )
            .compactMap { $0[0].textValue }
            throw RegisterError(
                .ruleViolated,
                "segregation of duties: \(name) is not an approver of this register and cannot \(action) an SPI; its approvers are "
                    + approvers.joined(separator: ", ")
                    + " (a person becomes one with `spi person set PERSON --approver true`)")
        }
    }

    /// The domain rules that involve more than one column or row.
    func checkRules(_ spec: TableSpec, id: String, row: [String: DatabaseValue], existing: Record?) throws {
        func text(_ column: String) -> String? { row[column]?.textValue }
        func changed(_ column: String) -> Bool { existing?.values[column] != row[column] }
        func refuse(_ message: String) -> RegisterError { RegisterError(.ruleViolated, message) }

        switch spec.name {
        case "agreement":
            if let start = text("start_date"), let end = text("end_date"), end <= start {
                throw refuse("an agreement ends after it starts: end_date \(end) is not after start_date \(start)")
            }
            if let customer = text("customer_id"), customer == text("provider_id") {
                throw refuse("an agreement's customer and provider must be different parties")
            }
        case "service_level_target":
            if case .real(let target) = row["target"] ?? .null {
                if target < 0 { throw refuse("a service level target is not negative") }
                if text("unit") == "percent", target > 100 {
                    throw refuse("a percentage target is at most 100")
                }
            }
            if text("supports_id") == id { throw refuse("a target cannot support itself") }
            if let metric = text("metric"), changed("metric"),
                try db.scalar("SELECT 1 FROM metric WHERE code = ?", [.text(metric)]) == nil
            {
                let known = try db.rows("SELECT code FROM metric ORDER BY code").compactMap { $0[0].textValue }
                throw RegisterError(
                    .invalidValue,
                    "unknown metric '\(metric)'; the register's metrics: \(known.joined(separator: ", ")); add one with "
                        + "`spi metric add --code CODE --name NAME --unit UNIT`")
            }
        case "interface":
            if case .integer(let months) = row["review_interval_months"] ?? .null, months < 1 {
                throw refuse("the review interval is at least 1 month")
            }
            let status = text("status")
            if (status == "approved" || status == "retired") && changed("status") && kind == .provider {
                throw RegisterError.approvalIsTheOrganizations
            }
            if status == "approved", let approver = text("approved_by"), changed("status") || changed("approved_by") {
                try checkSegregation(approver: approver, owner: text("owner_id"))
            }
            // Retiring records who retired the SPI (a review with outcome `retired`), held to the approval's rule.
            if status == "retired" && changed("status") {
                let retirer = try db.scalar(
                    """
                    SELECT reviewer_id FROM review WHERE interface_id = ? AND outcome = 'retired'
                    ORDER BY review_date DESC, id DESC LIMIT 1
                    """,
                    [.text(id)])?.textValue
                guard let retirer else {
                    let code = text("code") ?? id
                    throw refuse(
                        "retiring an SPI records who retires it: `spi interface retire \(code) --by PERSON` (a person "
                            + "of the organization who does not own it)")
                }
                try checkSegregation(approver: retirer, owner: text("owner_id"), action: "retire")
            }
            if status == "approved" && changed("status") {
                var missing: [String] = []
                if text("approved_by") == nil { missing.append("an approver (approved_by)") }
                if text("approved_on") == nil { missing.append("an approval date (approved_on)") }
                if (text("next_review") ?? "") <= today { missing.append("a next review date after \(today)") }
                let points = try db.scalar("SELECT count(*) FROM integration_point WHERE interface_id = ?", [.text(id)])
                if points == .integer(0) { missing.append("at least one integration point") }
                let items = try db.scalar("SELECT count(*) FROM information_item WHERE interface_id = ?", [.text(id)])
                if items == .integer(0) { missing.append("at least one information item") }
                let raci = try Governance.accountableFailures(Record(table: spec.name, id: id, values: row), in: self)
                if !raci.isEmpty {
                    missing.append(
                        "exactly one Accountable per activity (\(raci.compactMap(\.subject).joined(separator: ", ")))")
                }
                if !missing.isEmpty {
                    throw refuse("approving an SPI needs " + missing.joined(separator: ", "))
                }
            }
        case "review":
            // A retirement record names who retired the SPI, held to the approval's segregation of duties.
            if text("outcome") == "retired", changed("outcome") || changed("reviewer_id") || changed("interface_id"),
                let interface = text("interface_id")
            {
                guard let reviewer = text("reviewer_id") else {
                    throw refuse("a retirement names who retires the SPI: `spi interface retire SPI --by PERSON`")
                }
                let owner = try db.scalar("SELECT owner_id FROM interface WHERE id = ?", [.text(interface)])?.textValue
                try checkSegregation(approver: reviewer, owner: owner, action: "retire")
            }
        case "raci_assignment":
            if !allowsOtherPractice, changed("activity_id") || changed("interface_id"),
                let interface = text("interface_id"), let activity = text("activity_id"),
                let spiPractice = try db.scalar("SELECT practice_id FROM interface WHERE id = ?", [.text(interface)])?
                    .textValue,
                let practice = try db.scalar("SELECT practice_id FROM activity WHERE id = ?", [.text(activity)])?
                    .textValue,
                practice != spiPractice
            {
                let activityName = try label("activity", activity) ?? activity
                throw refuse(
                    "\(activityName) is an activity of \(try label("practice", practice) ?? practice), not of "
                        + "\(try label("interface", interface) ?? interface)'s practice \(try label("practice", spiPractice) ?? spiPractice); "
                        + "give --other-practice to assign it anyway")
            }
            if text("role") == "A", let interface = text("interface_id"), let activity = text("activity_id") {
                let others = try db.rows(
                    """
                    SELECT party_id FROM raci_assignment
                    WHERE interface_id = ? AND activity_id = ? AND role = 'A' AND id != ?
                    """,
                    [.text(interface), .text(activity), .text(id)])
                if let other = others.first?[0].textValue {
                    let party = try label("party", other) ?? other
                    let activityName = try label("activity", activity) ?? activity
                    throw refuse(
                        "\(activityName) already has an Accountable party (\(party)) in this SPI; "
                            + "an activity has exactly one A")
                }
            }
        case "integration_point":
            if let from = text("from_party_id"), from == text("to_party_id") {
                throw refuse("an integration point hands off between two different parties")
            }
        case "information_delivery":
            guard let item = text("information_item_id"), let period = text("period") else { break }
            let frequency = try db.scalar("SELECT frequency FROM information_item WHERE id = ?", [.text(item)])?
                .textValue
            let daily = ["weekly", "daily", "on_event"].contains(frequency ?? "")
            if let problem = ServiceLevel.periodProblem(period, for: daily ? "day" : "month") {
                throw refuse(problem + (daily ? " (the day it fell due)" : " (the month it fell due in)"))
            }
        case "service_level_result":
            guard let target = text("target_id"),
                let measured = try db.rows(
                    "SELECT period, unit FROM service_level_target WHERE id = ?", [.text(target)]
                ).first
            else { break }
            if let period = text("period"), let problem = ServiceLevel.periodProblem(period, for: measured[0].textValue)
            {
                throw refuse(problem)
            }
            if case .real(let value) = row["value"] ?? .null {
                if value < 0 { throw refuse("an achieved level is not negative") }
                if measured[1].textValue == "percent", value > 100 {
                    throw refuse("an achieved percentage is at most 100")
                }
            }
        case "information_item":
            if changed("due_rule") || changed("frequency"),
                let problem = ReportDueRule.problem(rule: text("due_rule"), frequency: text("frequency"))
            {
                throw refuse(problem)
            }
        case "information_recipient":
            if (text("party_id") == nil) == (text("person_id") == nil) {
                throw refuse("an information recipient is either a party or a person: give party_id or person_id")
            }
        default:
            break
        }
    }
}

extension DatabaseValue {
    /// The value as it appears in a natural key: text as is, numbers in decimal; nil for NULL and blobs.
    var keyText: String? {
        switch self {
        case .text(let s): s.isEmpty ? nil : s
        case .integer(let i): String(i)
        case .real(let d): String(d)
        case .null, .blob: nil
        }
    }
}

extension RecordStore {
    /// Refuses an edit that the replica's party may not make (when ``actor`` is set).
    func checkAccess(_ write: RowWrite) throws {
        guard let actor else { return }
        let decision = try AccessRules.judge(write, by: actor, db)
        switch decision {
        case .allow:
            return
        case .refuse(let reason), .hold(let reason):
            throw RegisterError(.forbidden, "this replica may not make this edit: \(reason)")
        case .refuseColumns(let columns, let reason):
            throw RegisterError(
                .forbidden, "this replica may not change \(columns.sorted().joined(separator: ", ")): \(reason)")
        }
    }
}

extension RecordStore {
    /// Why the replica's party may not make `write`, in the words an edit's refusal uses, or nil when it may (or when
    /// the store does not check access). Lets a user interface offer only the edits that would be accepted.
    public func refusal(of write: RowWrite) throws -> String? {
        do {
            try checkAccess(write)
            return nil
        } catch let error as RegisterError where error.code == .forbidden {
            return error.message
        }
    }
}
