extension ReportDocument {
    /// The document as one self-contained HTML5 file: inline CSS with print rules, a table of contents, and no
    /// external assets (no scripts, fonts, images or links outside the page).
    func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <header>
            <h1>\(Self.escape(title))</h1>
            <dl class="meta">\n
            """
        for (label, value) in meta {
            out += "<dt>\(Self.escape(label))</dt><dd>\(Self.escape(value))</dd>\n"
        }
        out += "</dl>\n"
        if let intro { out += "<p class=\"intro\">\(Self.escape(intro))</p>\n" }
        out += "</header>\n"
        let contents = sections.filter { $0.level <= 3 }
        if !contents.isEmpty {
            out += "<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul>\n"
            for section in contents {
                out +=
                    "<li class=\"toc-\(section.level)\"><a href=\"#\(section.anchor)\">"
                    + "\(Self.escape(section.title))</a></li>\n"
            }
            out += "</ul>\n</nav>\n"
        }
        out += "<main>\n" + sectionsHTML(forPrint: true)
        out += "</main>\n<footer>\(Self.escape(meta.map { "\($0.0): \($0.1)" }.joined(separator: " · ")))</footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    /// The document's intro and sections as an HTML fragment, to place inside another page (the app's): no
    /// document wrapper, styles, contents or footer; headings from `h2`, tables wrapped to scroll sideways.
    func htmlFragment() -> String {
        (intro.map { "<p class=\"intro\">\(Self.escape($0))</p>\n" } ?? "") + sectionsHTML(forPrint: false)
    }

    /// The sections, each with its heading (from `h2`) and blocks. `forPrint`: each top-level section but the first
    /// starts a new page; otherwise tables are wrapped to scroll sideways on a screen.
    private func sectionsHTML(forPrint: Bool) -> String {
        var out = ""
        for section in sections {
            let level = min(max(section.level, 2), 6)
            let pageBreak =
                forPrint && section.level == 2 && sections.first?.anchor != section.anchor ? " class=\"break\"" : ""
            out +=
                "<section\(pageBreak)>\n<h\(level) id=\"\(section.anchor)\">\(Self.escape(section.title))</h\(level)>\n"
            for block in section.blocks {
                if !forPrint, case .table = block {
                    out += "<div class=\"scroll\">" + Self.html(block) + "</div>\n"
                } else {
                    out += Self.html(block)
                }
            }
            out += "</section>\n"
        }
        return out
    }

    static func html(_ block: Block) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(escape(text))</p>\n"
        case .note(let text):
            return "<p class=\"note\">\(escape(text))</p>\n"
        case .command(let text):
            return "<pre class=\"command\"><code>\(escape(text))</code></pre>\n"
        case .list(let items):
            return "<ul>\n" + items.map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
        case .facts(let facts):
            return "<dl class=\"facts\">\n"
                + facts.map { "<dt>\(escape($0.0))</dt><dd>\(escape($0.1))</dd>\n" }.joined() + "</dl>\n"
        case .table(let table):
            var out = "<table>\n<thead><tr>"
            out += table.columns.map { "<th scope=\"col\">\(escape($0))</th>" }.joined()
            out += "</tr></thead>\n<tbody>\n"
            for row in table.rows {
                out += "<tr>"
                for cell in row {
                    let detail = cell.detail.map { "<span class=\"detail\">\(escape($0))</span>" } ?? ""
                    if let heat = cell.heat {
                        out +=
                            "<td class=\"heat heat-\(heat.rawValue)\"><span class=\"marker\">\(heat.marker)</span> "
                            + "\(escape(cell.text))</td>"
                    } else if let flag = cell.flag {
                        let text = cell.text.isEmpty ? "" : escape(cell.text) + " "
                        out +=
                            "<td class=\"flag\" title=\"\(escape(flag))\">\(text)<span class=\"marker\">"
                            + "\(flagMarker) \(escape(flag))</span>\(detail)</td>"
                    } else if cell.text.count <= 24 && !cell.text.contains(" ") && cell.detail == nil {
                        // A code, a date or a number: never broken over lines.
                        out += "<td class=\"nw\">\(escape(cell.text))</td>"
                    } else if cell.detail != nil {
                        out += "<td><span class=\"nw\">\(escape(cell.text))</span>\(detail)</td>"
                    } else {
                        out += "<td>\(escape(cell.text))</td>"
                    }
                }
                out += "</tr>\n"
            }
            return out + "</tbody>\n</table>\n"
        }
    }

    /// Text with HTML's special characters escaped, for element content and quoted attributes.
    static func escape(_ text: String) -> String {
        text.htmlEscaped
    }

    static let css = """

        :root { color-scheme: light; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24;
               margin: 2rem auto; max-width: 72rem; padding: 0 1.5rem; }
        h1 { font-size: 1.8rem; margin: 0 0 .5rem; }
        h2 { font-size: 1.4rem; border-bottom: 2px solid #24476b; padding-bottom: .2rem; margin-top: 2rem; }
        h3 { font-size: 1.15rem; margin-top: 1.6rem; color: #24476b; }
        h4 { font-size: 1rem; margin-top: 1.2rem; }
        dl.meta, dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
        dt { font-weight: 600; }
        dd { margin: 0; }
        .intro { color: #444; }
        nav.toc { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0;
                  background: #f6f8fa; }
        nav.toc h2 { font-size: 1rem; border: 0; margin: .3rem 0; }
        nav.toc ul { list-style: none; padding-left: 0; margin: 0; columns: 2; }
        nav.toc li.toc-3 { padding-left: 1.2rem; }
        nav.toc a { color: #24476b; text-decoration: none; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 13px; }
        th, td { border: 1px solid #d0d7de; padding: .25rem .45rem; text-align: left; vertical-align: top; }
        thead th { background: #24476b; color: #fff; }
        tbody tr:nth-child(even) td { background: #f6f8fa; }
        td .detail { display: block; font-size: 0.78em; font-weight: normal; color: #57606a; line-height: 1.25; }
        td.flag, tbody tr:nth-child(even) td.flag { background: #ffe3e0; color: #82071e; font-weight: 600; }
        .marker, td.nw { white-space: nowrap; }
        td.heat { font-weight: 600; }
        td.heat-good, tbody tr:nth-child(even) td.heat-good { background: #aceebb; color: #0a3d1a; }
        td.heat-partial, tbody tr:nth-child(even) td.heat-partial { background: #fff1a8; color: #4d3800; }
        td.heat-poor, tbody tr:nth-child(even) td.heat-poor { background: #ffc58a; color: #5c2500; }
        td.heat-missing, tbody tr:nth-child(even) td.heat-missing { background: #ffb3ad; color: #6b0014; }
        .note { border-left: 4px solid #bf8700; background: #fff8c5; padding: .3rem .6rem; }
        pre.command { background: #1b1f24; color: #f0f3f6; padding: .4rem .7rem; border-radius: 4px;
                      white-space: pre-wrap; }
        footer { margin-top: 2rem; font-size: 12px; color: #57606a; border-top: 1px solid #d0d7de; padding-top: .4rem; }
        @page {
            size: A4; margin: 15mm 12mm 18mm;
            @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #57606a; }
        }
        @media print {
            body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
            nav.toc { background: none; }
            nav.toc ul { columns: 1; }
            h2, h3, h4 { break-after: avoid; }
            h2, h3 { break-inside: avoid; }
            p, li { orphans: 3; widows: 3; }
            table { font-size: 9pt; }
            tr, dl { break-inside: avoid; }
            thead { display: table-header-group; }
            thead th { background: #ddd; color: #000; }
            td.flag { background: none; color: #000; outline: 2px solid #000; }
            pre.command { background: none; color: #000; border: 1px solid #000; }
        }

        """
}
