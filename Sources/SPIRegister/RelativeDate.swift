import SPISQLite

/// A date written relative to the day it is read, as the Northwind demo's resource writes every date, so that the
/// demo never goes stale: `{today-21d}`, `{today-120d+12m}`, `{month-3m}`, `{due2+3d}`, `{due1:period}`.
///
/// - The anchor: `today`, the day the demo is built around; `month`, the first day of today's month; `dueN`, the
///   N-th latest due date, on or before today, of the row's information item (by its frequency and due rule, as
///   the reporting calendar computes them).
/// - Then moves, in order: `±Nd` days, `±Nm` months, as SQLite's `date()` modifiers (a month added to the 31st may
///   roll over into the next month, as SQLite does).
/// - The result is `YYYY-MM-DD`, except for `month` (`YYYY-MM`) and a `:period` suffix: the reporting period the
///   date falls due in (`YYYY-MM` for monthly items, the day itself for weekly and daily ones).
///
/// A placeholder may be a whole value (`"end_date":"{today+45d}"`) or part of a text
/// (`"ref":"https://reports.northwind.example/spi-inc-fab/{due1:period}"`).
///
/// ```swift
/// let date = RelativeDate("today-120d+12m")!
/// try date.resolve(today: "2025-03-14", in: db)   // "2026-11-14"
/// ```
struct RelativeDate: Hashable, Sendable {
    /// Where a relative date starts.
    enum Anchor: Hashable, Sendable {
        /// The day the demo is built around.
        case today
        /// The first day of today's month; shown as `YYYY-MM`.
        case month
        /// The N-th latest due date (1 is the latest) on or before today of the row's information item.
        case due(Int)
    }

    /// One move of a date, by days or by months.
    struct Move: Hashable, Sendable {
        /// How far, forward when positive.
        var amount: Int
        /// Whether `amount` counts months rather than days.
        var isMonths: Bool

        /// The SQLite `date()` modifier, such as `-21 days`.
        var modifier: String { (amount < 0 ? "\(amount)" : "+\(amount)") + (isMonths ? " months" : " days") }
    }

    /// Where the date starts.
    var anchor: Anchor
    /// The moves, applied in order.
    var moves: [Move]
    /// Whether the date is shown as the reporting period it falls due in.
    var showsPeriod: Bool

    /// Parses a placeholder's expression (without its braces); nil when it is not one.
    init?(_ expression: String) {
        var text = Substring(expression)
        showsPeriod = text.hasSuffix(":period")
        if showsPeriod { text = text.dropLast(":period".count) }
        if text.hasPrefix("today") {
            anchor = .today
            text = text.dropFirst("today".count)
        } else if text.hasPrefix("month") {
            anchor = .month
            text = text.dropFirst("month".count)
        } else if text.hasPrefix("due") {
            text = text.dropFirst("due".count)
            let digits = text.prefix { $0.isASCII && $0.isNumber }
            guard let n = Int(digits), n >= 1, n <= 48 else { return nil }
            anchor = .due(n)
            text = text.dropFirst(digits.count)
        } else {
            return nil
        }
        if showsPeriod, anchor == .month { return nil }
        moves = []
        while let sign = text.first {
            guard sign == "+" || sign == "-" else { return nil }
            text = text.dropFirst()
            let digits = text.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 5, let amount = Int(digits) else { return nil }
            text = text.dropFirst(digits.count)
            guard let unit = text.first, unit == "d" || unit == "m" else { return nil }
            text = text.dropFirst()
            moves.append(Move(amount: sign == "-" ? -amount : amount, isMonths: unit == "m"))
        }
    }

    /// The date's text for `today`.
    ///
    /// - Parameters:
    ///   - today: the day the demo is built around, `YYYY-MM-DD`.
    ///   - dueRule: the row's information item's due rule and frequency, for a `dueN` anchor or `:period`.
    ///   - db: the connection whose SQLite computes the moves.
    /// - Throws: `RegisterCheckError.Code.invalidDate` when the date cannot be computed (a `dueN` anchor without a
    ///   due rule that gives N due dates, or a date out of range).
    func resolve(
        today: String, dueRule: (rule: String?, frequency: String?)? = nil, in db: Connection
    ) throws -> String {
        var modifiers = moves.map(\.modifier)
        var start = today
        switch anchor {
        case .today:
            break
        case .month:
            modifiers.insert("start of month", at: 0)
        case .due(let n):
            guard let day = CivilDate(today), let dueRule,
                let rule = ReportDueRule(rule: dueRule.rule, frequency: dueRule.frequency),
                let due = rule.previousDues(onOrBefore: day, count: n).dropFirst(n - 1).first
            else {
                throw RegisterCheckError(
                    .invalidDate, "\(self) needs an information item with \(n) due dates by \(today)")
            }
            start = due.text
        }
        let marks = Array(repeating: ", ?", count: modifiers.count).joined()
        guard let date = try db.scalar("SELECT date(?\(marks))", ([start] + modifiers).map { .text($0) })?.textValue
        else {
            throw RegisterCheckError(.invalidDate, "cannot move \(start) by \(modifiers.joined(separator: ", "))")
        }
        if anchor == .month { return String(date.prefix(7)) }
        if showsPeriod, let due = CivilDate(date) {
            return ReportDueRule.period(of: due, frequency: dueRule?.frequency)
        }
        return date
    }

    /// `text` with each `{…}` placeholder replaced by `resolve` of its date, or nil when `text` holds none.
    ///
    /// - Throws: `RegisterCheckError.Code.invalidDate` for a `{…}` that is not a relative date, or as `resolve`.
    static func substituting(in text: String, _ resolve: (RelativeDate) throws -> String) throws -> String? {
        guard text.contains("{") else { return nil }
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}"),
                let date = RelativeDate(String(rest[rest.index(after: open)..<close]))
            else {
                throw RegisterCheckError(.invalidDate, "'\(text)' holds a '{' that does not start a relative date")
            }
            result += try resolve(date)
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}

extension RelativeDate: CustomStringConvertible {
    /// The placeholder as the resource writes it, such as `{today-120d+12m}`.
    var description: String {
        let anchor =
            switch anchor {
            case .today: "today"
            case .month: "month"
            case .due(let n): "due\(n)"
            }
        let moves = moves.map { ($0.amount < 0 ? "\($0.amount)" : "+\($0.amount)") + ($0.isMonths ? "m" : "d") }
        return "{" + anchor + moves.joined() + (showsPeriod ? ":period" : "") + "}"
    }
}
