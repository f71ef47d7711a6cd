extension ReportRenderer {
    static let integrationColumns = [
        "spi", "provider", "integration_point", "from_party", "from_practice", "to_party", "to_practice", "trigger",
        "channel", "standard", "timing", "correlation_key", "data_items", "mandatory_data_items",
    ]

    /// The integration matrix: every hand-off of every SPI in scope.
    static func integrationReport(_ context: Context) -> Output {
        let data = context.data
        var document = ReportDocument(
            title: context.title(ReportName.integration.title), meta: context.meta,
            intro: "Who hands what to whom, by which channel and standard, and when. Data items marked * are mandatory."
        )
        var anchors: Set<String> = []
        var rows: [[ReportJSON]] = []
        for spi in context.interfaces {
            let points = data.points.filter { $0.interfaceID == spi.id }
                .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
            var section = ReportDocument.Section(
                level: 2, anchor: ReportDocument.anchor(spi.code, used: &anchors), title: "\(spi.code): \(spi.title)"
            )
            if points.isEmpty {
                section.blocks.append(.note("\(ReportDocument.flagMarker) No integration points."))
            } else {
                section.blocks.append(.table(integrationTable(points, data)))
            }
            document.sections.append(section)
            for point in points {
                let items = data.dataItems.filter { $0.pointID == point.id }
                rows.append([
                    .string(spi.code), .string(data.partyCode(spi.providerID)), .string(point.name),
                    .string(data.partyCode(point.fromPartyID)), .string(data.practiceCode(point.fromPracticeID)),
                    .string(data.partyCode(point.toPartyID)), .string(data.practiceCode(point.toPracticeID)),
                    .text(point.trigger), .text(point.channel), .text(point.standard), .text(point.timing),
                    .text(point.correlationKey), .strings(items.map(\.name)),
                    .strings(items.filter(\.isMandatory).map(\.name)),
                ])
            }
        }
        return Output(document: document, columns: integrationColumns, rows: rows)
    }

    /// The table of an SPI's integration points.
    static func integrationTable(_ points: [ReportData.Point], _ data: ReportData) -> ReportDocument.Table {
        var table = ReportDocument.Table(
            columns: [
                "Hand-off", "From", "To", "Trigger", "Channel", "Standard or tool", "Timing", "Correlation key",
                "Data items",
            ],
            rows: []
        )
        for point in points {
            let items = data.dataItems.filter { $0.pointID == point.id }
            let from = [data.partyCode(point.fromPartyID), data.practiceCode(point.fromPracticeID)]
            let to = [data.partyCode(point.toPartyID), data.practiceCode(point.toPracticeID)]
            let selfHandOff = point.fromPartyID != nil && point.fromPartyID == point.toPartyID
            table.rows.append([
                ReportDocument.Cell(point.name),
                ReportDocument.Cell(from.filter { !$0.isEmpty }.joined(separator: " ")),
                ReportDocument.Cell(
                    to.filter { !$0.isEmpty }.joined(separator: " "), flag: selfHandOff ? "same party" : nil
                ),
                ReportDocument.Cell(point.trigger ?? ""), ReportDocument.Cell(channelLabel(point.channel)),
                ReportDocument.Cell(point.standard ?? ""), ReportDocument.Cell(point.timing ?? ""),
                ReportDocument.Cell(point.correlationKey ?? ""),
                ReportDocument.Cell(
                    items.map { $0.isMandatory ? "\($0.name)*" : $0.name }.joined(separator: ", "),
                    flag: items.isEmpty ? "no data items" : nil
                ),
            ])
        }
        return table
    }
}
