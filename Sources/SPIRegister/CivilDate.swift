import SPIReplication

/// A calendar date (proleptic Gregorian, years 1–9999) as the register stores it (`YYYY-MM-DD` text), with the
/// arithmetic the reporting calendar needs; no time zones. The one place that parses and checks a date.
///
/// ```swift
/// let d = CivilDate("2025-03-14")!
/// d.weekday              // 5 (Friday; Monday is 1)
/// d.adding(days: 3).text // "2025-03-17"
/// CivilDate("2025-02-29") // nil: 2025 is not a leap year
/// ```
public struct CivilDate: Hashable, Comparable, Sendable {
    /// The year, 1–9999 when parsed.
    public var year: Int
    /// The month, 1–12.
    public var month: Int
    /// The day of the month, from 1.
    public var day: Int

    /// A date from its parts (not checked: arithmetic may pass through any day number).
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` (exactly ten characters, ASCII digits); nil when it is not a real date.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let c = utf8[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(c - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1,
            (1...12).contains(month), (1...Self.daysIn(year: year, month: month)).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Whether `text` is a real date as `YYYY-MM-DD`.
    public static func isValid(_ text: String) -> Bool { CivilDate(text) != nil }

    /// The date as `YYYY-MM-DD`.
    public var text: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date of a day number (civil-from-days).
    public init(dayNumber: Int) {
        let (year, month, day) = HybridLogicalClock.civilDate(fromDays: Int64(dayNumber))
        self.init(year: Int(year), month: month, day: day)
    }

    /// ISO weekday: Monday 1 … Sunday 7.
    public var weekday: Int {
        let w = (dayNumber % 7 + 7 + 3) % 7 // 1970-01-01 was a Thursday (3 when Monday is 0)
        return w + 1
    }

    /// Whether it falls Monday to Friday.
    public var isBusinessDay: Bool { weekday <= 5 }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// The same day `months` months later (earlier when negative), on the month's last day when it is shorter:
    /// 2025-01-31 plus one month is 2025-02-28.
    public func adding(months: Int) -> CivilDate {
        let (year, month) = Self.month(year, month, plus: months)
        return CivilDate(year: year, month: month, day: min(day, Self.daysIn(year: year, month: month)))
    }

    /// The number of days in a month.
    public static func daysIn(year: Int, month: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// The first month of `year`/`month` moved by `months`.
    static func month(_ year: Int, _ month: Int, plus months: Int) -> (year: Int, month: Int) {
        let index = year * 12 + (month - 1) + months
        return (index / 12, index % 12 + 1)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.dayNumber < rhs.dayNumber }
}
