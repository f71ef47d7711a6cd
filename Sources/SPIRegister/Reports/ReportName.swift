/// The reports that ``ReportRenderer`` produces: the documents practitioners used to maintain by hand.
///
/// ```swift
/// for name in ReportName.allCases { print(name.rawValue, "—", name.title) }
/// ```
public enum ReportName: String, CaseIterable, Sendable, Codable {
    /// The SPI document per provider: header, services, RACI, integration points with data items, information
    /// items with recipients, service-level targets, review history and open findings.
    case document
    /// The RACI matrix per SPI: activities × parties, with violations marked.
    case raci
    /// The integration matrix: who hands what to whom, by which channel and standard, and when.
    case integration
    /// The reporting calendar: information items by frequency and due rule, with the next due dates.
    case calendar
    /// The service-level matrix: service × provider × metric × priority × target, with weaker underpinning
    /// targets flagged.
    case levels
    /// The gap report: every finding of ``RegisterCheck``, grouped and explained, with the command that fixes it.
    case gaps
    /// The ecosystem view: practices × providers, a heat map of where the Accountables sit and where the RACI has
    /// gaps or an SPI is missing, across every provider; and the hand-offs between providers.
    case ecosystem

    /// The report's title.
    public var title: String {
        switch self {
        case .document: "SPI document"
        case .raci: "RACI matrix"
        case .integration: "Integration matrix"
        case .calendar: "Reporting calendar"
        case .levels: "Service-level matrix"
        case .gaps: "Gap report"
        case .ecosystem: "Ecosystem view"
        }
    }

    /// One line on what the report shows.
    public var summary: String {
        switch self {
        case .document:
            "The service provider interface document per provider: header, services, RACI, integration points, "
                + "management information, service levels and review history."
        case .raci: "Activities × parties for each SPI, with violations of the one-A, at-least-one-R rule marked."
        case .integration: "Who hands what to whom, by which channel and standard, and when."
        case .calendar: "Management information by frequency and due rule, with the next due date."
        case .levels: "Service × provider × metric × priority × target, with weaker underpinning targets flagged."
        case .gaps: "Every finding of spi check, grouped and explained, with the command that fixes it."
        case .ecosystem:
            "Practices × providers as a heat map: which SPIs exist, where the Accountables sit, where the RACI has "
                + "gaps or an SPI is missing for a hand-off; and the hand-offs between providers."
        }
    }
}
