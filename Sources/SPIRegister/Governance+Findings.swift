import Foundation
import SPISQLite

extension Governance {
    /// Gives the current finding of `rule` that points at `reference` (the row's code, name, id or id prefix, or its
    /// name in words as `spi check` shows it) to `owner` (a person: email or id), to fix by `due`. Assigning the
    /// same finding again changes its owner, date and note.
    ///
    /// - Throws: `RegisterError.Code.invalidValue` for an unknown rule, a bad date, or no current finding of the
    ///   rule at that row (the message lists the rows it points at now); `RegisterError.Code.ambiguousReference`
    ///   when the reference matches findings at several rows; as ``RecordStore/put(_:id:fields:mode:)`` otherwise.
    @discardableResult
    public static func assign(
        rule: String, row reference: String, owner: String, due: String, note: String? = nil, in store: RecordStore,
        today: String? = nil
    ) throws -> FindingAction {
        guard RegisterCheck.rule(rule) != nil else {
            throw RegisterError(.invalidValue, "no rule '\(rule)'; `spi check` names the rule of each finding")
        }
        guard CivilDate(due) != nil else {
            throw RegisterError(.invalidValue, "invalid due date '\(due)': expected a date as YYYY-MM-DD")
        }
        let all = try RegisterCheck.run(store.db, today: today ?? store.today)
        let findings = all.filter { $0.rule == rule }
        let wanted = reference.trimmingCharacters(in: .whitespaces)
        var matches: [FindingRow] = []
        for finding in findings {
            guard let row = finding.rows.first, !matches.contains(row) else { continue }
            let label = try store.label(row.table, row.id)
            let name = try store.rowName(row.table, row.id)
            if row.id == wanted.lowercased() || (wanted.count >= 8 && row.id.hasPrefix(wanted.lowercased()))
                || label?.caseInsensitiveCompare(wanted) == .orderedSame
                || name.caseInsensitiveCompare(wanted) == .orderedSame
            {
                matches.append(row)
            }
        }
        guard let row = matches.first else {
            let current = try findings.compactMap { finding in
                try finding.rows.first.map { try store.rowName($0.table, $0.id) }
            }
            throw RegisterError(
                .invalidValue,
                "no current \(rule) finding points at '\(reference)'"
                    + (current.isEmpty
                        ? "; `spi check` finds none of that rule"
                        : "; it points at: \(current.joined(separator: ", "))"))
        }
        guard matches.count == 1 else {
            let names = try matches.map { try store.rowName($0.table, $0.id) }.joined(separator: ", ")
            throw RegisterError(
                .ambiguousReference, "'\(reference)' matches \(rule) findings at \(names); give the row's id")
        }
        var fields = [
            "rule": rule, "subject_table": row.table, "subject_row": row.id, "owner_id": owner, "due_date": due,
        ]
        if let note { fields["note"] = note }
        let id = try store.put("finding_action", fields: fields, mode: .upsert)
        // Assigning changes no finding: the ones just computed describe the action.
        return try findingActions(in: store, findings: all, today: today).first { $0.id == id }!
    }

    /// Every finding given to someone to fix, oldest due date first, each with its finding's message while the
    /// finding stands (nil once fixed).
    ///
    /// - Parameter findings: the findings of `spi check`, when already at hand (they are computed otherwise).
    public static func findingActions(in store: RecordStore, findings: [Finding]? = nil, today: String? = nil) throws
        -> [FindingAction]
    {
        let rows = try store.records("finding_action")
        guard !rows.isEmpty else { return [] }
        let findings = try findings ?? RegisterCheck.run(store.db, today: today ?? store.today)
        var messages: [String: String] = [:]
        for finding in findings {
            guard let row = finding.rows.first else { continue }
            let key = "\(finding.rule)/\(row.table)/\(row.id)"
            if messages[key] == nil { messages[key] = finding.message }
        }
        return try rows.map { row in
            let rule = row["rule"].textValue ?? "", table = row["subject_table"].textValue ?? ""
            let subject = row["subject_row"].textValue ?? ""
            let owner =
                try row["owner_id"].textValue.map { id -> String in
                    let person = try store.records("person", matching: ["id": .text(id)]).first
                    return person?["email"].textValue ?? person?["name"].textValue ?? id
                } ?? "-"
            return FindingAction(
                id: row.id, rule: rule, subjectTable: table, subjectID: subject,
                subject: (try? store.rowName(table, subject)) ?? subject, owner: owner,
                dueDate: row["due_date"].textValue ?? "", note: row["note"].textValue,
                message: messages["\(rule)/\(table)/\(subject)"])
        }.sorted { ($0.dueDate, $0.rule, $0.subject) < ($1.dueDate, $1.rule, $1.subject) }
    }
}
