extension ReportRenderer {
    static let ecosystemColumns = [
        "practice", "provider", "spi", "status", "sign_off", "activities", "activities_complete", "accountable",
        "handoffs_in", "heat",
    ]

    /// One practice × provider cell of the ecosystem view.
    struct EcosystemCell {
        var spi: ReportData.Interface?
        /// The practice's activities, and how many have exactly one Accountable and at least one Responsible.
        var activities = 0
        var complete = 0
        /// Who holds the Accountables, by party code, with counts.
        var accountable: [(String, Int)] = []
        /// Hand-offs to this provider's practice from another party.
        var handoffsIn = 0

        var heat: ReportDocument.Heat? {
            guard spi != nil else { return handoffsIn > 0 ? .missing : nil }
            if activities > 0 && complete == activities { return .good }
            return complete * 2 >= activities && complete > 0 ? .partial : .poor
        }

        var accountableText: String {
            accountable.map { $0.1 == 1 ? $0.0 : "\($0.0) ×\($0.1)" }.joined(separator: ", ")
        }
    }

    /// The ecosystem view: one practice across every provider. A heat map of practices × providers (green: every
    /// activity of the SPI has one Accountable and a Responsible; amber and orange: gaps; red: a hand-off reaches the
    /// provider's practice and no SPI covers it), who holds the Accountables, and the hand-offs between providers.
    static func ecosystemReport(_ context: Context) -> Output {
        let data = context.data
        let providers =
            context.provider.map { [$0] }
            ?? data.parties.filter { $0.kind == "provider" }.sorted { $0.code < $1.code }
        let live = data.interfaces.filter { $0.status != "retired" }
        let handoffs = data.points.filter { point in
            guard let to = point.toPartyID, data.partyByID[to]?.kind == "provider" else { return false }
            return point.fromPartyID != to && point.toPracticeID != nil
        }
        let practiceIDs = Set(live.compactMap(\.practiceID)).union(handoffs.compactMap(\.toPracticeID))
        let practices = data.practices.filter { practiceIDs.contains($0.id) }.sorted { $0.code < $1.code }
        func cell(_ practice: ReportData.Practice, _ provider: ReportData.Party) -> EcosystemCell {
            var result = EcosystemCell()
            result.handoffsIn = handoffs.filter { $0.toPartyID == provider.id && $0.toPracticeID == practice.id }.count
            guard
                let spi = live.filter({ $0.practiceID == practice.id && $0.providerID == provider.id })
                    .min(by: { $0.code < $1.code })
            else { return result }
            result.spi = spi
            let activities = data.activities.filter { $0.practiceID == practice.id }
            result.activities = activities.count
            var holders: [String: Int] = [:]
            for activity in activities {
                let rows = data.raci.filter { $0.interfaceID == spi.id && $0.activityID == activity.id }
                let accountable = rows.filter { $0.role == "A" }
                if accountable.count == 1 && rows.contains(where: { $0.role == "R" }) { result.complete += 1 }
                for row in accountable { holders[data.partyCode(row.partyID), default: 0] += 1 }
            }
            result.accountable = holders.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            return result
        }
        var table = ReportDocument.Table(columns: ["Practice"] + providers.map(\.code), rows: [])
        var rows: [[ReportJSON]] = []
        var counts: [ReportDocument.Heat: Int] = [:]
        for practice in practices {
            var line: [ReportDocument.Cell] = [ReportDocument.Cell("\(practice.code) \(practice.name)")]
            for provider in providers {
                let c = cell(practice, provider)
                guard let heat = c.heat else {
                    line.append("")
                    continue
                }
                counts[heat, default: 0] += 1
                if let spi = c.spi {
                    var text = "\(spi.code) (\(words(spi.status))): \(c.complete)/\(c.activities) complete"
                    if !c.accountable.isEmpty { text += "; A: \(c.accountableText)" }
                    if c.handoffsIn > 0 { text += "; \(c.handoffsIn) hand-off\(c.handoffsIn == 1 ? "" : "s") in" }
                    line.append(ReportDocument.Cell(text, heat: heat))
                } else {
                    line.append(
                        ReportDocument.Cell(
                            "no SPI; \(c.handoffsIn) hand-off\(c.handoffsIn == 1 ? "" : "s") in", heat: heat))
                }
                rows.append([
                    .string(practice.code), .string(provider.code), .text(c.spi?.code), .text(c.spi?.status),
                    .text(c.spi.flatMap { data.signOffs[$0.id]?.summary }), .number(Double(c.activities)),
                    .number(Double(c.complete)), .string(c.accountableText), .number(Double(c.handoffsIn)),
                    .string(heat.rawValue),
                ])
            }
            table.rows.append(line)
        }
        var document = ReportDocument(
            title: context.title(ReportName.ecosystem.title), meta: context.meta,
            intro: "One practice across every provider. Each cell is a provider's SPI for the practice: how many of "
                + "the practice's activities have exactly one Accountable and at least one Responsible, and who holds "
                + "the Accountables. \(ReportDocument.Heat.good.marker) complete, \(ReportDocument.Heat.partial.marker) "
                + "some gaps, \(ReportDocument.Heat.poor.marker) mostly gaps, \(ReportDocument.Heat.missing.marker) a "
                + "hand-off reaches the provider's practice and no SPI covers it; an empty cell has neither."
        )
        var anchors: Set<String> = []
        let summary = [ReportDocument.Heat.good, .partial, .poor, .missing].map { heat -> String in
            let n = counts[heat] ?? 0
            switch heat {
            case .good: return "\(n) complete"
            case .partial: return "\(n) with some gaps"
            case .poor: return "\(n) mostly gaps"
            case .missing: return "\(n) missing SPI\(n == 1 ? "" : "s") for hand-offs"
            }
        }.joined(separator: ", ")
        document.sections.append(
            ReportDocument.Section(
                level: 2, anchor: ReportDocument.anchor("heat map", used: &anchors), title: "Practices × providers",
                blocks: [
                    .paragraph("\(practices.count) practices × \(providers.count) providers: \(summary)."),
                    .table(table),
                ]))
        // Hand-offs from one provider to another: each side must know of them (both providers' replicas hold them).
        let between = data.points.filter { point in
            guard let from = point.fromPartyID, let to = point.toPartyID, from != to else { return false }
            guard data.partyByID[from]?.kind == "provider", data.partyByID[to]?.kind == "provider" else { return false }
            return context.provider.map { $0.id == from || $0.id == to } ?? true
        }
        var handoffTable = ReportDocument.Table(columns: ["From", "To", "Hand-off", "On SPI", "Channel"], rows: [])
        for point in between.sorted(by: { ($0.fromPartyID ?? "", $0.name) < ($1.fromPartyID ?? "", $1.name) }) {
            let covered = live.contains { $0.providerID == point.toPartyID && $0.practiceID == point.toPracticeID }
            let to = "\(data.partyCode(point.toPartyID)) \(data.practiceCode(point.toPracticeID))"
            handoffTable.rows.append([
                ReportDocument.Cell("\(data.partyCode(point.fromPartyID)) \(data.practiceCode(point.fromPracticeID))"),
                covered ? ReportDocument.Cell(to) : ReportDocument.Cell(to, flag: "no SPI"),
                ReportDocument.Cell(point.name),
                ReportDocument.Cell(data.interfaceByID[point.interfaceID]?.code ?? ""),
                ReportDocument.Cell(channelLabel(point.channel)),
            ])
        }
        document.sections.append(
            ReportDocument.Section(
                level: 2, anchor: ReportDocument.anchor("between providers", used: &anchors),
                title: "Hand-offs between providers",
                blocks: [between.isEmpty ? .note("No provider hands work straight to another.") : .table(handoffTable)])
        )
        return Output(document: document, columns: ecosystemColumns, rows: rows)
    }
}
