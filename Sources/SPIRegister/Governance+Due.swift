import SPIReplication
import SPISQLite

extension Governance {
    /// The SPI reviews and agreement ends that fall due within `days` days of today, and those already overdue; the
    /// SPIs changed since their parties signed them (due to be signed again since the first change); and, for the
    /// information items whose deliveries are recorded, due dates passed with nothing delivered and the next one
    /// within the window.
    ///
    /// - Reviews: the next review date of every SPI that is not retired.
    /// - Agreement ends: the end date of every `active` agreement (an active agreement past its end is overdue:
    ///   renew it or mark it expired).
    ///
    /// Items are sorted by date (overdue first), then kind and code. Dates that are not `YYYY-MM-DD` (edited by
    /// hand) are left out; `spi check` reports them.
    ///
    /// ```swift
    /// let items = try register.read { try Governance.dueItems(in: $0, today: "2025-03-01", within: 30) }
    /// ```
    ///
    /// - Parameters:
    ///   - store: the store of an open transaction (only read).
    ///   - today: the date to count from (`YYYY-MM-DD`); nil for the store's ``RecordStore/today``.
    ///   - days: how many days ahead to look, 0 or more (0: due today or overdue).
    /// - Throws: `RegisterError.Code.invalidValue` for a malformed `today` or a negative `days`.
    public static func dueItems(in store: RecordStore, today: String? = nil, within days: Int) throws -> [DueItem] {
        let today = today ?? store.today
        guard let start = CivilDate(today) else {
            throw RegisterError(.invalidValue, "invalid date '\(today)': expected a date as YYYY-MM-DD")
        }
        guard days >= 0 else {
            throw RegisterError(.invalidValue, "invalid number of days \(days): expected 0 or more")
        }
        let horizon = start.adding(days: days).text
        let queries: [(DueItem.Kind, String, String)] = [
            (
                .review, "interface",
                """
                SELECT i.id, i.code, i.title, i.next_review, coalesce(i.status, 'draft'),
                       coalesce(pe.email, pe.name), pa.code
                FROM interface i
                LEFT JOIN person pe ON pe.id = i.owner_id LEFT JOIN party pa ON pa.id = i.provider_id
                WHERE i.status IS NOT 'retired' AND i.next_review <= ?
                """
            ),
            (
                .agreementEnd, "agreement",
                """
                SELECT a.id, a.code, a.title, a.end_date, a.status, coalesce(pe.email, pe.name), pa.code
                FROM agreement a
                LEFT JOIN person pe ON pe.id = a.owner_id LEFT JOIN party pa ON pa.id = a.provider_id
                WHERE a.status = 'active' AND a.end_date <= ?
                """
            ),
        ]
        var items: [DueItem] = []
        for (kind, table, sql) in queries {
            for row in try store.db.rows(sql, [.text(horizon)]) {
                guard let id = row[0].textValue, let text = row[3].textValue, let date = CivilDate(text) else {
                    continue
                }
                let code = row[1].textValue.flatMap { $0.isEmpty ? nil : $0 } ?? id
                items.append(
                    DueItem(
                        kind: kind, table: table, id: id, code: code, title: row[2].textValue ?? "", date: date.text,
                        days: date.dayNumber - start.dayNumber, status: row[4].textValue, owner: row[5].textValue,
                        provider: row[6].textValue))
            }
        }
        // Management information, for the items whose deliveries are recorded: due dates passed with nothing
        // delivered, and the next due date within the window.
        /// The owner of the SPI an information item belongs to (email, else name).
        func owner(ofItem id: String) throws -> String? {
            try store.db.scalar(
                """
                SELECT coalesce(pe.email, pe.name) FROM information_item n JOIN interface i ON i.id = n.interface_id
                JOIN person pe ON pe.id = i.owner_id WHERE n.id = ?
                """, [.text(id)])?.textValue
        }
        // Findings given to someone to fix, while they stand.
        for action in try findingActions(in: store, today: today) where action.isOpen && action.dueDate <= horizon {
            guard let date = CivilDate(action.dueDate) else { continue }
            let title = RegisterCheck.rule(action.rule)?.title ?? action.rule
            items.append(
                DueItem(
                    kind: .finding, table: "finding_action", id: action.id, code: action.subject,
                    title: "\(title): \(action.message ?? "")", date: date.text, days: date.dayNumber - start.dayNumber,
                    status: action.rule, owner: action.owner, provider: nil))
        }
        for due in try ReportingEvidence.recent(in: store, today: today, count: 3) where due.isMissing {
            items.append(
                DueItem(
                    kind: .report, table: "information_item", id: due.itemID, code: due.spi,
                    title: "\(due.item) (missing)",
                    date: due.due.text, days: due.due.dayNumber - start.dayNumber, owner: try owner(ofItem: due.itemID),
                    provider: due.provider))
        }
        let live = Set(
            try store.db.rows("SELECT id FROM interface WHERE status IS NOT 'retired'").compactMap { $0[0].textValue })
        for item in try ReportingEvidence.tracked(in: store) {
            let (id, row) = (item.id, item.row)
            guard let spi = row[7].textValue, live.contains(spi),
                let next = item.rule.nextDue(onOrAfter: start.adding(days: 1)), next.text <= horizon
            else { continue }
            let period = ReportDueRule.period(of: next, frequency: row[2].textValue)
            let delivered = try store.db.scalar(
                "SELECT 1 FROM information_delivery WHERE information_item_id = ? AND period = ?",
                [.text(id), .text(period)])
            if delivered != nil { continue }
            items.append(
                DueItem(
                    kind: .report, table: "information_item", id: id, code: row[4].textValue ?? "",
                    title: row[1].textValue ?? id, date: next.text, days: next.dayNumber - start.dayNumber,
                    owner: try owner(ofItem: id), provider: row[5].textValue))
        }
        // SPIs changed since signed: signing again is due from the first change (or the signature's day).
        if let registerID = try Replica.registerID(store.db) {
            for state in try signOffStates(registerID: registerID, in: store) where state.status != retired {
                // Not signed yet as of `today` (a date in the past): nothing is due.
                guard let baseline = state.signedBaseline, let signed = CivilDate(baseline.signature.signedOn),
                    signed.dayNumber <= start.dayNumber
                else { continue }
                // Due from the first change, between the signing day and today (the clock of a change is the wall
                // clock of the replica that made it; `today` may be another day).
                let first = state.changes.compactMap(\.atMilliseconds).min().map { Int($0 / 86_400_000) }
                let day = CivilDate(dayNumber: min(max(first ?? signed.dayNumber, signed.dayNumber), start.dayNumber))
                let row = try store.db.rows(
                    """
                    SELECT i.title, coalesce(pe.email, pe.name) FROM interface i LEFT JOIN person pe ON pe.id = i.owner_id
                    WHERE i.id = ?
                    """, [.text(state.interfaceID)]
                ).first
                items.append(
                    DueItem(
                        kind: .signAgain, table: "interface", id: state.interfaceID, code: state.code,
                        title: row?[0].textValue ?? "", date: day.text, days: day.dayNumber - start.dayNumber,
                        status: state.status, owner: row?[1].textValue, provider: state.provider))
            }
        }
        return items.sorted {
            ($0.date, $0.kind.rawValue, $0.code, $0.id) < ($1.date, $1.kind.rawValue, $1.code, $1.id)
        }
    }
}
