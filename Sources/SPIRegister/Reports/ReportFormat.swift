/// The formats ``ReportRenderer`` writes.
///
/// - ``md``: Markdown, for a terminal or a wiki.
/// - ``html``: one self-contained, printable HTML file (inline CSS, no external assets, a table of contents).
/// - ``csv``: RFC 4180 CSV with a header row and the report's documented columns, for spreadsheets.
/// - ``json``: a JSON object with the documented shape (see `docs/reports.md`), for scripts.
public enum ReportFormat: String, CaseIterable, Sendable, Codable {
    /// Markdown.
    case md
    /// Self-contained HTML.
    case html
    /// Comma-separated values.
    case csv
    /// JSON.
    case json

    /// The usual file extension.
    public var fileExtension: String { rawValue }

    /// The media type, such as `text/csv`.
    public var mediaType: String {
        switch self {
        case .md: "text/markdown"
        case .html: "text/html"
        case .csv: "text/csv"
        case .json: "application/json"
        }
    }
}
