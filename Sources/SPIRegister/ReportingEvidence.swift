import SPIReplication
import SPISQLite

/// Whether management information was delivered when due: the recent due dates of each information item, with
/// what was delivered for them (`spi info deliver`).
///
/// Evidence of an item starts at the earlier of its first recorded delivery and its SPI coming into force (the
/// organization approved it and both parties signed its current content: from the latest of those signatures, the
/// item is owed). Due dates before that start are not counted as missing (nobody had agreed to them, or the register
/// did not track them); an item of an SPI not in force with no delivery recorded has no evidence at all.
///
/// ```swift
/// let recent = try register.read { try ReportingEvidence.recent(in: $0, today: "2026-12-07") }
/// for due in recent where due.isMissing { print(due.item, due.period, "missing") }
/// ```
public enum ReportingEvidence {
    /// One due date of one information item and its delivery.
    public struct Due: Sendable, Hashable {
        /// The information item's id.
        public var itemID: String
        /// The item's name.
        public var item: String
        /// Its SPI's code.
        public var spi: String
        /// Its SPI's provider (party code).
        public var provider: String?
        /// The due date.
        public var due: CivilDate
        /// The period deliveries for it are recorded under.
        public var period: String
        /// The day it was delivered, when recorded.
        public var deliveredOn: String?

        /// Days late: positive when delivered after the due date; nil when not delivered.
        public var daysLate: Int? {
            guard let deliveredOn, let day = CivilDate(deliveredOn) else { return nil }
            return day.dayNumber - due.dayNumber
        }
        /// Whether it was delivered on or before the due date.
        public var isOnTime: Bool { (daysLate ?? 1) <= 0 }
        /// Whether nothing was delivered for it.
        public var isMissing: Bool { deliveredOn == nil }

        /// The state in words: `delivered on time (2026-12-04)`, `delivered 3 days late (2026-12-08)`, `missing`.
        public var summary: String {
            guard let deliveredOn, let late = daysLate else { return "missing" }
            if late <= 0 { return "delivered on time (\(deliveredOn))" }
            return "delivered \(late) day\(late == 1 ? "" : "s") late (\(deliveredOn))"
        }
    }

    /// For every tracked information item (a delivery recorded, or its SPI in force) with a due rule the calendar
    /// understands: its last `count` due dates on or before `today`, from the first period it is owed for, latest
    /// first.
    public static func recent(in store: RecordStore, today: String, count: Int = 3) throws -> [Due] {
        guard let day = CivilDate(today) else {
            throw RegisterError(.invalidValue, "invalid date '\(today)': expected a date as YYYY-MM-DD")
        }
        var result: [Due] = []
        for item in try tracked(in: store) {
            let (id, row, first, rule) = (item.id, item.row, item.first, item.rule)
            var delivered: [String: String] = [:]
            for delivery in try store.db.rows(
                "SELECT period, delivered_on FROM information_delivery WHERE information_item_id = ?", [.text(id)])
            {
                if let period = delivery[0].textValue, let on = delivery[1].textValue { delivered[period] = on }
            }
            for due in rule.previousDues(onOrBefore: day, count: count) {
                let period = ReportDueRule.period(of: due, frequency: row[2].textValue)
                guard period >= first else { break }
                result.append(
                    Due(
                        itemID: id, item: row[1].textValue ?? id, spi: row[4].textValue ?? "",
                        provider: row[5].textValue,
                        due: due, period: period, deliveredOn: delivered[period]))
            }
        }
        return result
    }

    /// An information item whose evidence is tracked: its row (id, name, frequency, due rule, SPI code, provider
    /// code), the first period it is owed for, and its due rule.
    struct TrackedItem {
        var id: String
        var row: [DatabaseValue]
        var first: String
        var rule: ReportDueRule
    }

    /// The information items whose evidence is tracked (see the type's discussion), each with the first period it is
    /// owed for: the earlier of its first recorded delivery's period and the period of its first due date on or after
    /// its SPI came into force. Items of retired SPIs are left out unless they have deliveries.
    static func tracked(in store: RecordStore) throws -> [TrackedItem] {
        let inForce = try inForceSince(in: store)
        let items = try store.db.rows(
            """
            SELECT n.id, n.name, n.frequency, n.due_rule, i.code, p.code,
                (SELECT min(period) FROM information_delivery d WHERE d.information_item_id = n.id), i.id
            FROM information_item n JOIN interface i ON i.id = n.interface_id LEFT JOIN party p ON p.id = i.provider_id
            ORDER BY i.code, n.name, n.id
            """)
        var tracked: [TrackedItem] = []
        for row in items {
            guard let id = row[0].textValue,
                let rule = ReportDueRule(rule: row[3].textValue, frequency: row[2].textValue)
            else { continue }
            let owed = row[7].textValue.flatMap { inForce[$0] }.flatMap { rule.nextDue(onOrAfter: $0) }
                .map { ReportDueRule.period(of: $0, frequency: row[2].textValue) }
            guard let first = [row[6].textValue, owed].compactMap({ $0 }).min() else { continue }
            tracked.append(TrackedItem(id: id, row: row, first: first, rule: rule))
        }
        return tracked
    }

    /// Per SPI in force (its id), the day it came into force: the later of the latest current signatures of the
    /// organization's side and of the provider. Empty on a file without a register id.
    static func inForceSince(in store: RecordStore) throws -> [String: CivilDate] {
        guard let registerID = try Replica.registerID(store.db) else { return [:] }
        var since: [String: CivilDate] = [:]
        for state in try Governance.signOffStates(registerID: registerID, in: store)
        where state.isInForce && state.status != Governance.retired {
            let current = state.checks.filter { $0.verdict == .current }
            let days = [current.last { $0.isOrganizationSide }, current.last { !$0.isOrganizationSide }]
                .compactMap { $0.flatMap { CivilDate($0.signature.signedOn) } }
            if days.count == 2, let day = days.max(by: { $0.dayNumber < $1.dayNumber }) {
                since[state.interfaceID] = day
            }
        }
        return since
    }

    /// The period a delivery made on `date` is for: the latest due date of the item on or before that day (or the
    /// next one, when the item is delivered ahead of its first due date), as ``Due/period``; nil when the item's
    /// rule is not understood.
    public static func period(ofItem item: Record, deliveredOn date: String) -> String? {
        guard let day = CivilDate(date),
            let rule = ReportDueRule(rule: item["due_rule"].textValue, frequency: item["frequency"].textValue)
        else { return nil }
        // A delivery answers the due date it is nearest: the next one when that is closer than the last.
        let last = rule.previousDues(onOrBefore: day, count: 1).first
        let next = rule.nextDue(onOrAfter: day)
        let due: CivilDate?
        switch (last, next) {
        case (let l?, let n?): due = n.dayNumber - day.dayNumber < day.dayNumber - l.dayNumber ? n : l
        case (let l?, nil): due = l
        case (nil, let n): due = n
        }
        return due.map { ReportDueRule.period(of: $0, frequency: item["frequency"].textValue) }
    }
}
