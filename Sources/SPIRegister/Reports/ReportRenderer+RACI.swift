extension ReportRenderer {
    static let raciColumns = [
        "spi", "provider", "practice", "activity_code", "activity_name", "party", "roles", "role_titles", "violations",
    ]

    /// The RACI matrix: for each SPI, its activities × the parties in its RACI, violations marked.
    static func raciReport(_ context: Context) -> Output {
        let data = context.data
        var document = ReportDocument(
            title: context.title(ReportName.raci.title), meta: context.meta,
            intro: "R responsible, A accountable, C consulted, I informed. Each activity with RACI rows needs exactly "
                + "one A and at least one R; \(ReportDocument.flagMarker) marks the cells that break the rule."
        )
        var anchors: Set<String> = []
        var rows: [[ReportJSON]] = []
        var violationCount = 0
        var sections: [ReportDocument.Section] = []
        for spi in context.interfaces {
            let matrix = raciMatrix(spi, data)
            violationCount += matrix.violations
            sections.append(
                ReportDocument.Section(
                    level: 2, anchor: ReportDocument.anchor(spi.code, used: &anchors),
                    title: "\(spi.code): \(spi.title)",
                    blocks: [
                        .facts([
                            ("Practice", practiceText(spi.practiceID, data)),
                            ("Provider", data.partyCode(spi.providerID)), ("Status", words(spi.status)),
                        ]),
                        matrix.parties.isEmpty ? .note("No RACI assignments.") : .table(matrix.table),
                    ]
                )
            )
            rows += matrix.rows
        }
        let spiCount = context.interfaces.count
        document.sections.append(
            ReportDocument.Section(
                level: 2, anchor: ReportDocument.anchor("summary", used: &anchors), title: "Summary",
                blocks: [
                    .paragraph(
                        "\(spiCount) SPI\(spiCount == 1 ? "" : "s"); \(violationCount) activit"
                            + "\(violationCount == 1 ? "y breaks" : "ies break") the RACI rules."
                    )
                ]
            )
        )
        document.sections += sections
        return Output(document: document, columns: raciColumns, rows: rows)
    }

    /// One SPI's matrix: the table, the CSV rows, and the number of activities with violations.
    static func raciMatrix(
        _ spi: ReportData.Interface, _ data: ReportData
    ) -> (table: ReportDocument.Table, rows: [[ReportJSON]], parties: [String], violations: Int) {
        let parties = data.raciParties(of: spi)
        var table = ReportDocument.Table(
            columns: ["Activity"] + parties.map { data.partyCode($0) } + ["Check"], rows: []
        )
        var rows: [[ReportJSON]] = []
        var violations = 0
        for activityID in data.raciActivities(of: spi) {
            let activity = data.activityByID[activityID]
            let code = activity?.code ?? "(missing activity \(activityID.prefix(8)))"
            let name = activity?.name ?? ""
            let assignments = data.raci.filter { $0.interfaceID == spi.id && $0.activityID == activityID }
            let findings = data.raciViolations(interface: spi.id, activity: activityID)
            let flaggedRows = Set(
                findings.filter { $0.rule == "raci-multiple-accountable" }.flatMap(\.rows)
                    .filter { $0.table == "raci_assignment" }.map(\.id)
            )
            if !findings.isEmpty { violations += 1 }
            var cells: [ReportDocument.Cell] = [ReportDocument.Cell("\(code) \(name)")]
            for party in parties {
                let held = assignments.filter { $0.partyID == party }
                let text = letters(held.compactMap(\.role))
                let flagged = held.contains { flaggedRows.contains($0.id) }
                // The role titles the party holds its letters under, in the cell (a second line in HTML).
                let titles = Set(held.compactMap(\.title).filter { !$0.isEmpty }).sorted().joined(separator: "; ")
                cells.append(
                    ReportDocument.Cell(text, flag: flagged ? "extra A" : nil, detail: titles.isEmpty ? nil : titles))
                if !held.isEmpty {
                    rows.append([
                        .string(spi.code), .string(data.partyCode(spi.providerID)),
                        .string(data.practiceCode(spi.practiceID)), .string(code), .string(name),
                        .string(data.partyCode(party)), .string(text),
                        .strings(Array(Set(held.compactMap(\.title))).sorted()), .strings(findings.map(\.rule)),
                    ])
                }
            }
            let orphans = assignments.filter { $0.partyID == nil }
            if assignments.isEmpty {
                cells.append(ReportDocument.Cell("not assigned"))
                rows.append([
                    .string(spi.code), .string(data.partyCode(spi.providerID)),
                    .string(data.practiceCode(spi.practiceID)), .string(code), .string(name), .string(""), .string(""),
                    .array([]), .array([]),
                ])
            } else if findings.isEmpty && orphans.isEmpty {
                cells.append(ReportDocument.Cell("ok"))
            } else {
                let text = findings.map(raciViolationText).joined(separator: "; ")
                cells.append(ReportDocument.Cell("", flag: text.isEmpty ? "row without party" : text))
            }
            table.rows.append(cells)
        }
        return (table, rows, parties, violations)
    }

    /// `INC Incident management`.
    static func practiceText(_ id: String?, _ data: ReportData) -> String {
        guard let id else { return "" }
        guard let practice = data.practiceByID[id] else { return data.practiceCode(id) }
        return "\(practice.code) \(practice.name)"
    }
}
