/// A report laid out for people: titled sections of paragraphs, facts and tables, which the Markdown and HTML
/// writers render (see `ReportDocument+Markdown.swift` and `ReportDocument+HTML.swift`).
struct ReportDocument {
    /// How healthy a heat map cell is: its colour in HTML, its mark in Markdown.
    enum Heat: String {
        /// Complete: every activity has one Accountable and a Responsible.
        case good
        /// Some gaps.
        case partial
        /// Mostly gaps.
        case poor
        /// Something is missing altogether (an SPI a hand-off needs).
        case missing

        /// The mark put before the text where colour is unavailable (Markdown, print).
        var marker: String {
            switch self {
            case .good: "✓"
            case .partial: "◐"
            case .poor: "⚠"
            case .missing: "✗"
            }
        }
    }

    /// One cell of a table; `flag` marks a violation or a weak value, `heat` colours a heat map's cell.
    struct Cell: ExpressibleByStringLiteral {
        var text: String
        var flag: String?
        var heat: Heat?
        /// A smaller second line under the text, such as the role title a RACI letter is held under.
        var detail: String?

        init(_ text: String, flag: String? = nil, heat: Heat? = nil, detail: String? = nil) {
            self.text = text
            self.flag = flag
            self.heat = heat
            self.detail = detail
        }

        init(stringLiteral value: String) { self.init(value) }
    }

    /// A table with a header row.
    struct Table {
        var columns: [String]
        var rows: [[Cell]]
    }

    /// A piece of a section.
    enum Block {
        /// Running text.
        case paragraph(String)
        /// Label–value pairs, such as an SPI's header.
        case facts([(String, String)])
        /// A table.
        case table(Table)
        /// A bulleted list.
        case list([String])
        /// A highlighted remark, such as "No integration points".
        case note(String)
        /// A command line to run.
        case command(String)
    }

    /// A titled section; `level` 2 is a top-level section (level 1 is the document title).
    struct Section {
        var level: Int
        var anchor: String
        var title: String
        var blocks: [Block] = []
    }

    var title: String
    /// Lines under the title: the register, the generation time, the filter.
    var meta: [(String, String)]
    var intro: String?
    var sections: [Section] = []

    /// The marker put before flagged text where colour is unavailable (Markdown, print).
    static let flagMarker = "⚠"

    /// A URL-fragment-safe anchor made from `parts`, unique within `used`.
    static func anchor(_ parts: String..., used: inout Set<String>) -> String {
        let base = parts.joined(separator: "-").lowercased().map { c -> Character in
            c.isLetter || c.isNumber ? c : "-"
        }
        var anchor = String(base).split(separator: "-").joined(separator: "-")
        if anchor.isEmpty { anchor = "section" }
        var candidate = anchor
        var n = 2
        while used.contains(candidate) {
            candidate = "\(anchor)-\(n)"
            n += 1
        }
        used.insert(candidate)
        return candidate
    }
}
