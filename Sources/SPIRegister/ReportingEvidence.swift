import SPISQLite

/// Whether management information was delivered when due: the recent due dates of each information item, with
/// what was delivered for them (`spi info deliver`).
///
/// Evidence starts with the first delivery recorded for an item: due dates before it are not counted as missing
/// (the register did not track them), and an item with no delivery recorded has no evidence at all.
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

    /// For every information item with a delivery recorded and a due rule the calendar understands: its last
    /// `count` due dates on or before `today`, from its first recorded period on, latest first.
    public static func recent(in store: RecordStore, today: String, count: Int = 3) throws -> [Due] {
        guard let day = CivilDate(today) else {
            throw RegisterError(.invalidValue, "invalid date '\(today)': expected a date as YYYY-MM-DD")
        }
        var result: [Due] = []
        let items = try store.db.rows(
            """
            SELECT n.id, n.name, n.frequency, n.due_rule, i.code, p.code, (SELECT min(period) FROM information_delivery d WHERE d.information_item_id = n.id)
            FROM information_item n JOIN interface i ON i.id = n.interface_id LEFT JOIN party p ON p.id = i.provider_id
            WHERE EXISTS (SELECT 1 FROM information_delivery d WHERE d.information_item_id = n.id)
            ORDER BY i.code, n.name, n.id
            """)
        for row in items {
            guard let id = row[0].textValue, let first = row[6].textValue,
                let rule = ReportDueRule(rule: row[3].textValue, frequency: row[2].textValue)
            else { continue }
            var delivered: [String: String] = [:]
            for delivery in try store.db.rows(
                "SELECT period, delivered_on FROM information_delivery WHERE information_item_id = ?", [.text(id)])
            {
                if let period = delivery[0].textValue, let on = delivery[1].textValue { delivered[period] = on }
            }
            for due in rule.previousDues(onOrBefore: day, count: count) {
                let period = ReportDueRule.period(of: due, frequency: row[2].textValue)
                guard period >= first else { break }
                result.append(Due(
                    itemID: id, item: row[1].textValue ?? id, spi: row[4].textValue ?? "", provider: row[5].textValue,
                    due: due, period: period, deliveredOn: delivered[period]))
            }
        }
        return result
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
