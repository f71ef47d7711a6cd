import Foundation
import SPIRegister
import SPISQLite
import Testing

/// A strict RFC 4180 reader for the tests: quoted fields, doubled quotes, CRLF records.
enum CSVReader {
    struct Malformed: Error { var reason: String }

    static func parse(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        var atFieldStart = true
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        chars.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        guard chars.first == "," || chars.first == "\r" || chars.first == nil else {
                            throw Malformed(reason: "text after a closing quote")
                        }
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                quoted = true
                atFieldStart = false
            case "\"":
                throw Malformed(reason: "quote inside an unquoted field")
            case ",":
                record.append(field)
                field = ""
                atFieldStart = true
            case "\r":
                guard chars.popFirst() == "\n" else { throw Malformed(reason: "CR without LF") }
                record.append(field)
                records.append(record)
                record = []
                field = ""
                atFieldStart = true
            case "\n":
                throw Malformed(reason: "bare LF")
            default:
                field.unicodeScalars.append(c)
                atFieldStart = false
            }
        }
        guard !quoted else { throw Malformed(reason: "unterminated quote") }
        guard record.isEmpty && field.isEmpty else { throw Malformed(reason: "last record without CRLF") }
        return records
    }
}

@Suite("Reports on the Northwind demo")
struct ReportTests {
    static let generatedAt = "2025-03-14T09:30:00Z"
    static let registerName = "Northwind Retail register"

    static func render(
        _ report: ReportName, _ format: ReportFormat, provider: String? = nil, _ db: Connection
    ) throws -> String {
        try ReportRenderer.render(
            report, format: format, db: db, provider: provider, registerName: registerName, generatedAt: generatedAt,
            today: CheckFixture.today
        )
    }

    static func json(_ report: ReportName, provider: String? = nil, _ db: Connection) throws -> [String: Any] {
        let text = try render(report, .json, provider: provider, db)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    static func rows(_ object: [String: Any]) throws -> [[String: Any]] {
        try #require(object["rows"] as? [[String: Any]])
    }

    @Test("the RACI matrix marks the planted violations, and only those")
    func raciViolations() throws {
        try CheckFixture.withDemo { db in
            let markdown = try Self.render(.raci, .md, db)
            let flagged = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains("⚠") }
            #expect(flagged.count == 2, "\(flagged)")
            let cab = try #require(flagged.first { $0.contains("CHG-CAB Authorize") })
            #expect(cab.contains("2 Accountables") && cab.contains("⚠ A/C (extra A)"))
            #expect(flagged.contains { $0.contains("PRB-KE Record known errors") && $0.contains("no Responsible") })
            // Each letter with the role title it is held under.
            #expect(
                markdown.contains(
                    "| INC-LOG Log and categorize | C — Business representative | A — Incident manager (integrator) | "
                        + "R — Provider incident coordinator | ok |"))
            #expect(markdown.contains("2 activities break the RACI rules"))

            let html = try Self.render(.raci, .html, db)
            #expect(html.components(separatedBy: "class=\"flag\"").count - 1 == 4) // two A cells, two checks

            let csv = try CSVReader.parse(try Self.render(.raci, .csv, db))
            let header = try #require(csv.first)
            let violations = header.firstIndex(of: "violations")!
            let activity = header.firstIndex(of: "activity_code")!
            let spi = header.firstIndex(of: "spi")!
            let broken = csv.dropFirst().filter { !$0[violations].isEmpty }
            #expect(
                Set(broken.map { "\($0[spi]) \($0[activity]) \($0[violations])" }) == [
                    "SPI-CHG-TAIL CHG-CAB raci-multiple-accountable", "SPI-PRB-CON PRB-KE raci-no-responsible",
                ])
        }
    }

    @Test("the gap report finds every planted gap, explains it and gives a spi command")
    func gaps() throws {
        try CheckFixture.withDemo { db in
            let object = try Self.json(.gaps, db)
            let rows = try Self.rows(object)
            for gap in NorthwindDemo.plantedGaps {
                let id = try #require(try NorthwindDemo.rowID(of: gap, in: db))
                #expect(
                    rows.contains { row in
                        row["rule"] as? String == gap.rule
                            && (row["rows"] as? [String])?.contains("\(gap.table)/\(id)") == true
                    },
                    "gap report misses \(gap.rule) on \(gap.code)"
                )
            }
            #expect(rows.allSatisfy { ($0["fix"] as? String)?.hasPrefix("spi ") == true })
            let summary = try #require(object["summary"] as? [String: Int])
            #expect(summary == ["error": 2, "warning": 7, "info": 0])

            let markdown = try Self.render(.gaps, .md, db)
            for gap in NorthwindDemo.plantedGaps {
                let rule = try #require(RegisterCheck.rule(gap.rule))
                #expect(markdown.contains(rule.title) && markdown.contains(rule.explanation))
            }
            #expect(markdown.contains("spi interface set SPI-ISM-FAB --next-review DATE"))
            #expect(markdown.contains("spi agreement set UC-FAB --end-date DATE"))
            #expect(markdown.contains("## Roles and responsibilities (RACI)"))
        }
    }

    @Test("every report's CSV parses with its documented columns", arguments: ReportName.allCases)
    func csv(_ report: ReportName) throws {
        try CheckFixture.withDemo { db in
            let text = try Self.render(report, .csv, db)
            let records = try CSVReader.parse(text)
            #expect(records.first == ReportRenderer.columns(of: report))
            #expect(records.count > 1)
            for record in records { #expect(record.count == ReportRenderer.columns(of: report).count) }
        }
    }

    @Test("CSV content: integration hand-offs, levels flags and quoted fields")
    func csvContent() throws {
        let texts = try CheckFixture.withDemo { db in
            [
                try Self.render(.integration, .csv, db), try Self.render(.levels, .csv, db),
                try Self.render(.gaps, .csv, db),
            ]
        }
        let integration = try CSVReader.parse(texts[0])
        let header = integration[0]
        let name = try #require(header.firstIndex(of: "integration_point"))
        let matching = integration.filter { $0[name] == "Incident assignment to the integrator" }
        #expect(matching.count == 1)
        let row = matching.first ?? header
        #expect(row[header.firstIndex(of: "from_party")!] == "FAB")
        #expect(row[header.firstIndex(of: "to_party")!] == "SIAM")
        #expect(row[header.firstIndex(of: "channel")!] == "e_bonding")
        #expect(row[header.firstIndex(of: "standard")!].contains("TMF621"))
        #expect(row[header.firstIndex(of: "mandatory_data_items")!].contains("Priority"))

        let levels = try CSVReader.parse(texts[1])
        let weakerColumn = try #require(levels[0].firstIndex(of: "weaker"))
        let weaker = levels.dropFirst().filter { $0[weakerColumn] == "true" }.map { $0[0] }
        #expect(weaker == [RecordID.v5("demo:target:UC-CON-POS-AV")])

        // Messages with commas are quoted and read back whole.
        let gaps = try CSVReader.parse(texts[2])
        let message = try #require(gaps[0].firstIndex(of: "message"))
        let messages = gaps.map { $0[message] }
        #expect(messages.contains { $0.hasPrefix("SPI-CHG-TAIL, activity CHG-CAB: 2 Accountable parties") })
    }

    @Test(
        "every report's JSON has the documented envelope, and rows keyed by the columns", arguments: ReportName.allCases
    )
    func jsonShape(_ report: ReportName) throws {
        try CheckFixture.withDemo { db in
            let object = try Self.json(report, db)
            var keys: Set<String> = [
                "report", "title", "register", "generatedAt", "today", "provider", "columns", "rows",
            ]
            if report == .document { keys.insert("interfaces") }
            if report == .gaps { keys.insert("summary") }
            #expect(Set(object.keys) == keys)
            #expect(object["report"] as? String == report.rawValue)
            #expect(object["register"] as? String == Self.registerName)
            #expect(object["generatedAt"] as? String == Self.generatedAt)
            #expect(object["today"] as? String == CheckFixture.today)
            #expect(object["provider"] is NSNull)
            let columns = try #require(object["columns"] as? [String])
            #expect(columns == ReportRenderer.columns(of: report))
            let rows = try Self.rows(object)
            #expect(!rows.isEmpty)
            for row in rows { #expect(Set(row.keys) == Set(columns)) }
        }
    }

    @Test("the document JSON nests each SPI's RACI, hand-offs, information, targets and reviews")
    func documentJSON() throws {
        try CheckFixture.withDemo { db in
            let object = try Self.json(.document, provider: "CON", db)
            #expect(object["provider"] as? String == "CON")
            let interfaces = try #require(object["interfaces"] as? [[String: Any]])
            #expect(
                interfaces.map { $0["code"] as? String } == [
                    "SPI-CAP-CON", "SPI-CHG-CON", "SPI-INC-CON",
                    "SPI-PRB-CON", "SPI-SLM-CON",
                ])
            let prb = try #require(interfaces.first { $0["code"] as? String == "SPI-PRB-CON" })
            let raci = try #require(prb["raci"] as? [[String: Any]])
            let ke = try #require(raci.first { $0["activity"] as? String == "PRB-KE" })
            #expect(ke["violations"] as? [String] == ["raci-no-responsible"])
            let cap = try #require(interfaces.first { $0["code"] as? String == "SPI-CAP-CON" })
            let items = try #require(cap["informationItems"] as? [[String: Any]])
            let forecast = try #require(items.first { $0["name"] as? String == "Capacity forecast" })
            #expect(forecast["recipients"] as? [String] == [])
            #expect(forecast["nextDue"] as? String == "2025-03-31")
            let points = try #require(cap["integrationPoints"] as? [[String: Any]])
            #expect(points.allSatisfy { ($0["dataItems"] as? [[String: Any]])?.isEmpty == false })
            let targets = try #require(cap["targets"] as? [[String: Any]])
            #expect(targets.contains { $0["weaker"] as? Bool == true && $0["target"] as? Double == 99 })
            #expect((prb["reviews"] as? [[String: Any]])?.first?["outcome"] as? String == "approved")
        }
    }

    @Test("the calendar computes next due dates from the due rules")
    func calendar() throws {
        try CheckFixture.withDemo { db in
            let rows = try Self.rows(try Self.json(.calendar, db))
            var due: [String: String] = [:]
            for row in rows {
                due[row["information_item"] as! String] = (row["next_due"] as? String) ?? "none"
            }
            #expect(due["Incident performance report"] == "2025-04-07") // 5th business day, monthly
            #expect(due["Problem and known error status"] == "2025-03-14") // 10th business day: today
            #expect(due["Application incident backlog"] == "2025-03-17") // every Monday
            #expect(due["Forward schedule of change"] == "2025-03-20") // every Thursday
            #expect(due["Capacity forecast"] == "2025-03-31") // last business day of the quarter
            #expect(due["Access review report"] == "2025-04-14") // 10th business day of the quarter's first month
            #expect(due["Quarterly service review pack"] == "2025-04-21")
            #expect(due["Security compliance attestation"] == "2026-01-28") // 20th business day of January
            #expect(due["Major incident report"] == "none") // on event
            let dates = rows.compactMap { $0["next_due"] as? String }
            #expect(dates == dates.sorted())
            let markdown = try Self.render(.calendar, .md, db)
            #expect(markdown.contains("## Quarterly") && markdown.contains("⚠ no recipient"))
        }
    }

    @Test("the service-level matrix flags the weaker underpinning target")
    func levels() throws {
        try CheckFixture.withDemo { db in
            let markdown = try Self.render(.levels, .md, db)
            let flagged = markdown.split(separator: "\n").filter { $0.contains("⚠") && $0.hasPrefix("| ") }
                .map(String.init)
            #expect(
                flagged == [
                    "| CON | UC-CON UC | availability | any | ⚠ 99 % (weaker than it supports) | month |   |   | "
                        + "SLA-RETAIL POS availability (99.5 %) |",
                    "| CON | UC-CON UC | availability | any | 99.95 % | month | ⚠ 2025-02: 99.91 ✗ (by 0.04); "
                        + "2025-01: 99.96 ✓; 2024-12: 99.97 ✓ (missed) | 2 of 3 | SLA-RETAIL ECOM availability (99.9 %): "
                        + "2025-02: 99.92 ✓ |",
                ])
            #expect(markdown.contains("## ECOM: E-commerce platform"))
        }
    }

    @Test(
        "the levels report shows as many periods as asked: the trend, and how many met the target; out of range is refused"
    )
    func levelsPeriods() throws {
        try CheckFixture.withDemo { db in
            func render(_ periods: Int, _ format: ReportFormat) throws -> String {
                try ReportRenderer.render(
                    .levels, format: format, db: db, provider: "CON", registerName: Self.registerName,
                    generatedAt: Self.generatedAt, today: CheckFixture.today, periods: periods)
            }
            let one = try render(1, .md)
            #expect(one.contains("in the last period (✓ met"), "\(one.prefix(400))")
            #expect(one.contains("| ⚠ 2025-02: 99.91 ✗ (by 0.04) (missed) | 0 of 1 |"), "\(one)")
            // More periods than recorded: the three recorded ones.
            let twelve = try render(12, .md)
            #expect(twelve.contains("in the last 12 periods"))
            #expect(
                twelve.contains("2025-02: 99.91 ✗ (by 0.04); 2025-01: 99.96 ✓; 2024-12: 99.97 ✓ (missed) | 2 of 3 |"))
            let rows = try CSVReader.parse(try render(2, .csv))
            let header = try #require(rows.first)
            let recorded = try #require(header.firstIndex(of: "periods_recorded"))
            let met = try #require(header.firstIndex(of: "periods_met"))
            let recent = try #require(header.firstIndex(of: "recent"))
            let missed = try #require(rows.dropFirst().first { $0[recent].hasPrefix("2025-02: 99.91") })
            #expect(
                missed[recorded] == "2" && missed[met] == "1"
                    && missed[recent] == "2025-02: 99.91 ✗ (by 0.04); 2025-01: 99.96 ✓")
            for periods in [0, 37] {
                let error = try #require(throws: ReportError.self) { try render(periods, .md) }
                #expect(error.code == .invalidArgument && error.message.contains("1 to 36"), "\(error)")
            }
        }
    }

    @Test("the HTML is one self-contained printable file with a table of contents", arguments: ReportName.allCases)
    func html(_ report: ReportName) throws {
        try CheckFixture.withDemo { db in
            let html = try Self.render(report, .html, db)
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            for forbidden in ["http://", "https://", "<script", "<link", "src=", "@import", "url("] {
                #expect(!html.contains(forbidden), "\(forbidden)")
            }
            #expect(html.contains("@media print") && html.contains("@page"))
            #expect(html.contains(Self.registerName) && html.contains(Self.generatedAt))
            #expect(html.contains("<nav class=\"toc\""))
            // Every contents link leads to a heading on the page.
            let links = html.components(separatedBy: "<a href=\"#").dropFirst().map { $0.prefix { $0 != "\"" } }
            #expect(!links.isEmpty)
            for link in links { #expect(html.contains("id=\"\(link)\""), "\(link)") }
            #expect(html.components(separatedBy: "<table>").count == html.components(separatedBy: "</table>").count)
        }
    }

    @Test("the document per provider has the header, RACI, hand-offs, information, levels and reviews")
    func document() throws {
        try CheckFixture.withDemo { db in
            let markdown = try Self.render(.document, .md, provider: "FAB", db)
            #expect(markdown.hasPrefix("# SPI document: Fabrikam Service Desk (FAB)"))
            for code in ["SPI-INC-FAB", "SPI-SR-FAB", "SPI-ISM-FAB"] { #expect(markdown.contains("## \(code): ")) }
            for code in ["SPI-INC-CON", "SPI-CHG-TAIL", "SPI-PRB-CON"] { #expect(!markdown.contains(code)) }
            for heading in [
                "### Roles and responsibilities (RACI)", "### Integration points", "### Management information",
                "### Service-level targets", "### Review history", "### Open findings",
            ] {
                #expect(markdown.contains(heading))
            }
            #expect(markdown.contains("- **Owner:** Tom Becker"))
            #expect(markdown.contains("UC-FAB Fabrikam service desk contract") && markdown.contains("⚠ ending soon"))
            #expect(markdown.contains("2025-02-23 (⚠ overdue)"))
            #expect(markdown.contains("TMF621 Trouble Ticket"))

            let all = try Self.render(.document, .md, db)
            for provider in [
                "## Fabrikam Service Desk (FAB)", "## Contoso Cloud Hosting (CON)",
                "## Tailspin Application Services (TAIL)",
            ] {
                #expect(all.contains(provider))
            }
            #expect(all.components(separatedBy: "#### Roles and responsibilities (RACI)").count - 1 == 12)
        }
    }

    @Test("a provider filter limits every report to that provider")
    func providerFilter() throws {
        try CheckFixture.withDemo { db in
            let gaps = try Self.rows(try Self.json(.gaps, provider: "fab", db)).map { $0["rule"] as! String }
            // The hand-off without an SPI is on Fabrikam's SPI (to Contoso): Fabrikam's to fix as much as anyone's.
            #expect(Set(gaps) == ["review-overdue", "agreement-ending-soon", "handoff-without-spi"])
            let raci = try CSVReader.parse(try Self.render(.raci, .csv, provider: "TAIL", db)).dropFirst()
            #expect(Set(raci.map { $0[0] }) == ["SPI-INC-TAIL", "SPI-PRB-TAIL", "SPI-CHG-TAIL", "SPI-CFG-TAIL"])
            let levels = try CSVReader.parse(try Self.render(.levels, .csv, provider: "CON", db)).dropFirst()
            #expect(!levels.isEmpty && levels.allSatisfy { $0[3] == "CON" })
            #expect {
                try Self.render(.raci, .md, provider: "NOPE", db)
            } throws: { ($0 as? ReportError)?.code == .unknownProvider }
            #expect {
                try ReportRenderer.render(
                    .gaps, format: .md, db: db, provider: nil, registerName: "x", generatedAt: "now",
                    today: "2025-14-01"
                )
            } throws: { ($0 as? ReportError)?.code == .invalidDate }
        }
    }

    @Test("docs/reports.md documents every report and every CSV column")
    func documented() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/reports.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for report in ReportName.allCases {
            #expect(text.contains("## `\(report.rawValue)`"), "\(report.rawValue) has no section")
            for column in ReportRenderer.columns(of: report) {
                #expect(text.contains("`\(column)`"), "\(report.rawValue).\(column) is not documented")
            }
        }
    }

    @Test("rendering is deterministic")
    func deterministic() throws {
        try CheckFixture.withDemo { db in
            for report in ReportName.allCases {
                for format in ReportFormat.allCases {
                    let first = try Self.render(report, format, db)
                    let second = try Self.render(report, format, db)
                    #expect(first == second)
                }
            }
        }
    }

    @Test("a register with broken references still renders, showing what is missing")
    func brokenRegister() throws {
        try CheckFixture.withDemo { db in
            try db.transaction { db in
                try db.execute(
                    """
                    DELETE FROM party WHERE code = 'NWR';
                    DELETE FROM person WHERE name = 'Tom Becker';
                    UPDATE information_item SET due_rule = 'whenever' WHERE name = 'Service level report';
                    """
                )
            }
            for report in ReportName.allCases {
                for format in ReportFormat.allCases { _ = try Self.render(report, format, db) }
            }
            let raci = try Self.render(.raci, .md, db)
            #expect(raci.contains("(missing party"))
            let calendar = try Self.render(.calendar, .md, db)
            #expect(calendar.contains("rule not understood"))
            let gaps = try Self.rows(try Self.json(.gaps, db))
            #expect(gaps.contains { $0["rule"] as? String == "dangling-reference" })
        }
    }
}
