extension ReportDocument {
    /// The document as GitHub-flavoured Markdown: headings, pipe tables, flagged cells prefixed with ⚠.
    func markdown() -> String {
        var out = "# \(Self.inline(title))\n\n"
        for (label, value) in meta { out += "- **\(Self.inline(label)):** \(Self.inline(value))\n" }
        if !meta.isEmpty { out += "\n" }
        if let intro { out += Self.inline(intro) + "\n\n" }
        for section in sections {
            out +=
                String(repeating: "#", count: min(max(section.level, 2), 6)) + " " + Self.inline(section.title)
                + "\n\n"
            for block in section.blocks {
                out += Self.markdown(block) + "\n"
            }
        }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }

    static func markdown(_ block: Block) -> String {
        switch block {
        case .paragraph(let text):
            return inline(text) + "\n"
        case .note(let text):
            return "> \(inline(text))\n"
        case .command(let text):
            return "```sh\n\(text)\n```\n"
        case .list(let items):
            return items.map { "- \(inline($0))\n" }.joined()
        case .facts(let facts):
            return facts.map { "- **\(inline($0.0)):** \(inline($0.1))\n" }.joined()
        case .table(let table):
            var out = "| " + table.columns.map(cell).joined(separator: " | ") + " |\n"
            out += "|" + table.columns.map { _ in " --- |" }.joined() + "\n"
            for row in table.rows {
                let cells = row.map { c -> String in
                    let detail = c.detail.map { " — \($0)" } ?? ""
                    if let heat = c.heat { return cell("\(heat.marker) \(c.text)\(detail)") }
                    guard let flag = c.flag else { return cell(c.text + detail) }
                    let text = c.text.isEmpty ? flag : "\(c.text) (\(flag))"
                    return "\(flagMarker) " + cell(text + detail)
                }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
            return out
        }
    }

    /// Text on one line, with the characters that would break a table or start emphasis, code or HTML escaped.
    static func inline(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\n", "\r": out.append(" ")
            case "|", "*", "`", "<":
                out.append("\\")
                out.append(c)
            default: out.append(c)
            }
        }
        return out
    }

    static func cell(_ text: String) -> String {
        text.isEmpty ? " " : inline(text)
    }
}
