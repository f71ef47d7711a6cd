/// How serious a ``Finding`` is.
///
/// - ``error``: a rule of the register is broken (two Accountables, a dangling reference, a duplicated code…).
/// - ``warning``: a gap that a process owner should close (no information item, an overdue review…).
/// - ``info``: advice; nothing is wrong yet.
///
/// The order is by seriousness: `error < warning < info`, so that sorting puts errors first.
///
/// ```swift
/// let worst = findings.map(\.severity).min()   // .error when there is any error
/// ```
public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    /// A broken rule.
    case error
    /// A gap to close.
    case warning
    /// Advice.
    case info

    /// The sort rank: errors first.
    var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .info: 2
        }
    }

    /// Orders by seriousness, most serious first.
    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rank < rhs.rank
    }
}
