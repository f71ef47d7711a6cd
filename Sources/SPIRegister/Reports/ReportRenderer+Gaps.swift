extension ReportRenderer {
    static let gapsColumns = ["severity", "area", "rule", "title", "message", "rows", "fix"]

    /// The gap report: every finding, grouped by area and rule, each with its explanation and the command that
    /// fixes it.
    static func gapsReport(_ context: Context) -> Output {
        let data = context.data
        let findings = context.findings
        let counts = Severity.allCases.map { severity in (severity, findings.filter { $0.severity == severity }.count) }
        var document = ReportDocument(
            title: context.title(ReportName.gaps.title), meta: context.meta,
            intro: findings.isEmpty
                ? "No findings: every rule holds."
                : "\(findings.count) finding\(findings.count == 1 ? "" : "s"): "
                    + counts.filter { $0.1 > 0 }.map { severity, count in
                        "\(count) \(severity.rawValue)\(count == 1 || severity == .info ? "" : "s")"
                    }.joined(separator: ", ")
                    + ". Merges never fail on a rule; this is where broken rules show up, for a person to resolve."
        )
        var anchors: Set<String> = []
        var rows: [[ReportJSON]] = []
        var groups: [(rule: RegisterCheck.Rule, findings: [Finding])] = []
        for rule in RegisterCheck.rules {
            let matching = findings.filter { $0.rule == rule.id }
            if !matching.isEmpty { groups.append((rule, matching)) }
        }
        for area in RegisterCheck.Area.allCases {
            let inArea = groups.filter { $0.rule.area == area }
                .sorted { ($0.rule.severity, $0.rule.id) < ($1.rule.severity, $1.rule.id) }
            guard !inArea.isEmpty else { continue }
            document.sections.append(
                ReportDocument.Section(
                    level: 2, anchor: ReportDocument.anchor(area.rawValue, used: &anchors), title: area.title
                )
            )
            for (rule, matching) in inArea {
                var table = ReportDocument.Table(columns: ["Finding", "Rows", "Fix"], rows: [])
                for finding in matching {
                    let fix = fixCommand(rule, finding, data)
                    table.rows.append([
                        ReportDocument.Cell(finding.message),
                        ReportDocument.Cell(finding.rows.map { rowText($0, data) }.joined(separator: ", ")),
                        ReportDocument.Cell(fix),
                    ])
                    rows.append([
                        .string(finding.severity.rawValue), .string(rule.area.rawValue), .string(finding.rule),
                        .string(rule.title), .string(finding.message),
                        .strings(finding.rows.map { "\($0.table)/\($0.id)" }), .string(fix),
                    ])
                }
                document.sections.append(
                    ReportDocument.Section(
                        level: 3, anchor: ReportDocument.anchor(rule.id, used: &anchors),
                        title: "\(rule.title) (\(matching.count))",
                        blocks: [
                            .facts([("Rule", rule.id), ("Severity", rule.severity.rawValue)]),
                            .paragraph(rule.explanation),
                            .command(rule.fix),
                            .table(table),
                        ]
                    )
                )
            }
        }
        let summary: ReportJSON = .object(counts.map { ($0.0.rawValue, .number(Double($0.1))) })
        return Output(document: document, columns: gapsColumns, rows: rows, extra: [("summary", summary)])
    }

    /// A finding's row for people: `SPI-INC-FAB` or `raci_assignment 0193ab12`.
    static func rowText(_ row: FindingRow, _ data: ReportData) -> String {
        if let label = data.label(row) { return "\(RegisterCheck.noun(row.table)) \(label)" }
        return "\(RegisterCheck.noun(row.table)) \(row.id.prefix(8))"
    }

    /// The rule's fix command with the finding's row filled in: `ID` becomes the row's code for noun commands and
    /// its id for `spi record` commands, `TABLE` its table.
    static func fixCommand(_ rule: RegisterCheck.Rule, _ finding: Finding, _ data: ReportData) -> String {
        guard let row = finding.rows.first else { return rule.fix }
        let generic = rule.fix.hasPrefix("spi record")
        let value = generic ? row.id : (data.label(row).flatMap { $0.contains(" ") ? nil : $0 } ?? row.id)
        let raciRows = finding.rows.filter { $0.table == "raci_assignment" }.map(\.id)
        return rule.fix.split(separator: " ", omittingEmptySubsequences: false).map { token -> String in
            switch token {
            case "ID": return value
            case "TABLE": return row.table
            case "RACI_ID" where raciRows.count == 1: return raciRows[0]
            default:
                if token.hasSuffix("=ID") { return token.dropLast(2) + value }
                return String(token)
            }
        }.joined(separator: " ")
    }
}
