/// One result of ``RegisterCheck/run(_:today:)``: a broken rule or a gap, and the rows it concerns.
///
/// `rule` is the stable kebab-case id of a rule in ``RegisterCheck/rules`` (for example `raci-multiple-accountable`);
/// scripts match on it. `message` is one line for people and names rows by their codes where they have one.
///
/// ```swift
/// for finding in try RegisterCheck.run(db, today: "2025-03-01") where finding.severity == .error {
///     print(finding.rule, finding.message)
/// }
/// ```
public struct Finding: Codable, Sendable, Equatable, Hashable, Comparable {
    /// The id of the rule that produced this finding.
    public var rule: String
    /// How serious it is.
    public var severity: Severity
    /// A one-line explanation for people.
    public var message: String
    /// The rows concerned, in a stable order: the row to fix first (an SPI, then the activity, then its RACI rows…).
    public var rows: [FindingRow]

    /// Creates a finding.
    public init(rule: String, severity: Severity, message: String, rows: [FindingRow]) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.rows = rows
    }

    /// The deterministic order of a check's output: severity, rule, rows, then message.
    public static func < (lhs: Finding, rhs: Finding) -> Bool {
        if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
        if lhs.rule != rhs.rule { return lhs.rule < rhs.rule }
        if lhs.rows != rhs.rows { return lhs.rows.lexicographicallyPrecedes(rhs.rows) }
        return lhs.message < rhs.message
    }
}
