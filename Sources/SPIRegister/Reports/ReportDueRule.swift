import Foundation

/// A due rule of an information item (such as "5th business day"), read together with its frequency, so that the
/// reporting calendar can name the next due date.
///
/// Understood rules (case-insensitive); business days are Monday to Friday, without public holidays:
/// - `every business day` (daily);
/// - `every Monday` … `every Sunday` (weekly);
/// - `Nth business day`, `Nth day`, `last business day`, `last day`, optionally followed by `of January` …
///   `of December`. Monthly items fall due every month; quarterly items in the first month of each quarter
///   (January, April, July, October) for `Nth …` rules, and in its last month for `last …` rules; annually items in
///   the named month (January for `Nth …`, December for `last …` when no month is named).
///
/// Anything else (typically an `on_event` rule such as "within 2 business days of resolution") has no next date.
///
/// ```swift
/// ReportDueRule(rule: "5th business day", frequency: "monthly")?.nextDue(onOrAfter: CivilDate("2025-03-14")!)
/// // 2025-04-07
/// ```
struct ReportDueRule {
    enum Kind: Equatable {
        case everyBusinessDay
        case weekday(Int)
        case nthBusinessDay(Int)
        case nthDay(Int)
        case lastBusinessDay
        case lastDay
    }

    var kind: Kind
    var frequency: String
    var month: Int?

    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]

    /// The understood forms per frequency, for error messages and help.
    static func forms(for frequency: String) -> String {
        switch frequency {
        case "daily": return "'every business day'"
        case "weekly": return "'every Monday' … 'every Sunday'"
        default:
            return "'5th business day', 'last business day', '10th day' or 'last day', optionally followed by "
                + "'of March'"
        }
    }

    /// Why `rule` is not understood for an item of `frequency`, or nil when it is (or needs no rule: `on_event`
    /// items take any text, and an empty rule is allowed).
    static func problem(rule: String?, frequency: String?) -> String? {
        guard let rule, !rule.trimmingCharacters(in: .whitespaces).isEmpty, let frequency, frequency != "on_event",
            ReportDueRule(rule: rule, frequency: frequency) == nil
        else { return nil }
        return "the due rule '\(rule)' is not understood for a \(frequency) item; write \(forms(for: frequency)) "
            + "(on_event items take any text)"
    }

    /// Reads a rule; nil when it is not one of the understood forms or does not fit the frequency.
    init?(rule: String?, frequency: String?) {
        guard let frequency, frequency != "on_event" else { return nil }
        let words = (rule ?? "").lowercased().split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        self.frequency = frequency
        if frequency == "daily", words.isEmpty || words == ["every", "business", "day"] || words == ["daily"] {
            kind = .everyBusinessDay
            return
        }
        if words.count == 2, words[0] == "every", let day = Self.weekdays.firstIndex(of: words[1]) {
            guard frequency == "weekly" else { return nil }
            kind = .weekday(day + 1)
            return
        }
        var rest = words[...]
        if rest.count >= 2, rest[rest.endIndex - 2] == "of", let month = Self.months.firstIndex(of: rest.last!) {
            self.month = month + 1
            rest = rest.dropLast(2)
        }
        guard ["monthly", "quarterly", "annually"].contains(frequency) else { return nil }
        switch Array(rest) {
        case ["last", "business", "day"]: kind = .lastBusinessDay
        case ["last", "day"]: kind = .lastDay
        case let w where w.count == 3 && w[1] == "business" && w[2] == "day":
            guard let n = Self.ordinal(w[0]), (1...23).contains(n) else { return nil }
            kind = .nthBusinessDay(n)
        case let w where w.count == 2 && w[1] == "day":
            guard let n = Self.ordinal(w[0]), (1...31).contains(n) else { return nil }
            kind = .nthDay(n)
        default: return nil
        }
    }

    /// `5th` → 5, `1st` → 1, `22nd` → 22; nil otherwise.
    static func ordinal(_ word: String) -> Int? {
        let digits = word.prefix { $0.isNumber }
        let suffix = word.dropFirst(digits.count)
        guard let n = Int(digits), ["st", "nd", "rd", "th"].contains(suffix) else { return nil }
        return n
    }

    /// The first due date on or after `today`.
    func nextDue(onOrAfter today: CivilDate) -> CivilDate? {
        switch kind {
        case .everyBusinessDay:
            var date = today
            while !date.isBusinessDay { date = date.adding(days: 1) }
            return date
        case .weekday(let weekday):
            return today.adding(days: (weekday - today.weekday + 7) % 7)
        default:
            for offset in 0..<30 {
                let (year, month) = CivilDate.month(today.year, today.month, plus: offset)
                guard falls(in: month), let date = date(year: year, month: month), date >= today else { continue }
                return date
            }
            return nil
        }
    }

    /// The last `count` due dates on or before `today`, latest first.
    func previousDues(onOrBefore today: CivilDate, count: Int) -> [CivilDate] {
        var dates: [CivilDate] = []
        switch kind {
        case .everyBusinessDay:
            var date = today
            while dates.count < count {
                if date.isBusinessDay { dates.append(date) }
                date = date.adding(days: -1)
            }
        case .weekday(let weekday):
            var date = today.adding(days: -((today.weekday - weekday + 7) % 7))
            while dates.count < count {
                dates.append(date)
                date = date.adding(days: -7)
            }
        default:
            for offset in stride(from: 0, through: -48, by: -1) where dates.count < count {
                let (year, month) = CivilDate.month(today.year, today.month, plus: offset)
                guard falls(in: month), let date = date(year: year, month: month), date <= today else { continue }
                dates.append(date)
            }
        }
        return dates
    }

    /// The period a delivery due on `due` is recorded under: the month it falls due in (`2026-12`), or the due day
    /// itself for weekly and daily items.
    static func period(of due: CivilDate, frequency: String?) -> String {
        frequency == "weekly" || frequency == "daily" ? due.text : String(due.text.prefix(7))
    }

    /// Whether the item falls due in this month of the year.
    func falls(in month: Int) -> Bool {
        let fromEnd = kind == .lastBusinessDay || kind == .lastDay
        switch frequency {
        case "monthly": return self.month == nil || self.month == month
        case "quarterly":
            if let named = self.month { return (month - named) % 3 == 0 }
            return fromEnd ? month % 3 == 0 : month % 3 == 1
        case "annually": return month == (self.month ?? (fromEnd ? 12 : 1))
        default: return false
        }
    }

    /// The due date within a given month.
    func date(year: Int, month: Int) -> CivilDate? {
        let length = CivilDate.daysIn(year: year, month: month)
        switch kind {
        case .nthDay(let n):
            return CivilDate(year: year, month: month, day: min(n, length))
        case .lastDay:
            return CivilDate(year: year, month: month, day: length)
        case .nthBusinessDay(let n):
            var count = 0
            for day in 1...length {
                let date = CivilDate(year: year, month: month, day: day)
                if date.isBusinessDay {
                    count += 1
                    if count == n { return date }
                }
            }
            return nil
        case .lastBusinessDay:
            var date = CivilDate(year: year, month: month, day: length)
            while !date.isBusinessDay { date = date.adding(days: -1) }
            return date
        default:
            return nil
        }
    }
}
