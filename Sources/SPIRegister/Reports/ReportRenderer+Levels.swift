extension ReportRenderer {
    static let levelsColumns = [
        "target_id", "service", "service_name", "provider", "agreement", "agreement_type", "metric", "priority",
        "target", "unit", "period", "supports_id", "supports", "supports_target", "weaker", "latest_period",
        "latest_value", "latest_met", "periods_recorded", "periods_met", "recent",
    ]

    /// The last `count` achieved levels of a target, latest first, in words: `2026-11: 8.5 ✓; 2026-10: 12 ✗ (+2)`.
    static func achievedText(_ target: ReportData.Target, _ data: ReportData, count: Int = 3) -> String {
        guard let goal = target.value else { return "" }
        return (data.resultsByTarget[target.id] ?? []).prefix(count).map { result in
            let met = ServiceLevel.meets(
                value: result.value, target: goal, unit: target.unit, higherIsBetter: target.higherIsBetter)
            let margin = RegisterCheck.format(ServiceLevel.margin(result.value, goal))
            return "\(result.period): \(RegisterCheck.format(result.value)) " + (met ? "✓" : "✗ (by \(margin))")
        }.joined(separator: "; ")
    }

    /// Whether a target's latest achieved level missed it (nil when nothing is recorded).
    static func latestMissed(_ target: ReportData.Target, _ data: ReportData) -> Bool? {
        guard let goal = target.value, let latest = data.resultsByTarget[target.id]?.first else { return nil }
        return !ServiceLevel.meets(
            value: latest.value, target: goal, unit: target.unit, higherIsBetter: target.higherIsBetter)
    }

    /// The service-level matrix: service × provider × metric × priority × target, weaker underpinning targets
    /// flagged (from the check's `target-weaker-than-supported` findings).
    static func levelsReport(_ context: Context) -> Output {
        let data = context.data
        var document = ReportDocument(
            title: context.title(ReportName.levels.title), meta: context.meta,
            intro: "Service-level targets by service, with the levels achieved in the last "
                + (context.periods == 1 ? "period" : "\(context.periods) periods") + " (✓ met, ✗ missed). "
                + "A target that supports another (an underpinning contract's target under the SLA's) and promises "
                + "less, and a target whose latest period was missed, are marked \(ReportDocument.flagMarker)."
        )
        let weaker = Set(
            data.findings.filter { $0.rule == "target-weaker-than-supported" }.compactMap { $0.rows.first?.id }
        )
        var targets = data.targets
        if let provider = context.provider {
            targets = targets.filter { target in
                guard let agreement = target.agreementID.flatMap({ data.agreementByID[$0] }) else { return false }
                return agreement.providerID == provider.id || agreement.customerID == provider.id
            }
        }
        func agreement(_ t: ReportData.Target) -> ReportData.Agreement? {
            t.agreementID.flatMap { data.agreementByID[$0] }
        }
        func typeRank(_ type: String?) -> Int { ["sla", "ola", "uc", "collaboration"].firstIndex(of: type ?? "") ?? 9 }
        func serviceCode(_ t: ReportData.Target) -> String { t.serviceID.flatMap { data.serviceByID[$0]?.code } ?? "" }
        targets.sort { a, b in
            let ka = (
                serviceCode(a), a.metric ?? "", a.priority ?? "", typeRank(agreement(a)?.type), agreement(a)?.code ?? ""
            )
            let kb = (
                serviceCode(b), b.metric ?? "", b.priority ?? "", typeRank(agreement(b)?.type), agreement(b)?.code ?? ""
            )
            return ka != kb ? ka < kb : a.id < b.id
        }
        var anchors: Set<String> = []
        var rows: [[ReportJSON]] = []
        var byService: [(String, [ReportData.Target])] = []
        for target in targets {
            let code = serviceCode(target)
            if byService.last?.0 == code {
                byService[byService.count - 1].1.append(target)
            } else {
                byService.append((code, [target]))
            }
        }
        for (code, group) in byService {
            let service = group.first?.serviceID.flatMap { data.serviceByID[$0] }
            var table = ReportDocument.Table(
                columns: [
                    "Provider", "Agreement", "Metric", "Priority", "Target", "Period", "Achieved (latest first)",
                    "Met", "Supports",
                ],
                rows: []
            )
            for target in group {
                let agreement = agreement(target)
                let supported = target.supportsID.flatMap { data.targetByID[$0] }
                let isWeaker = weaker.contains(target.id)
                // Attainment over the periods shown: how many were recorded, how many met the target.
                let recent = (data.resultsByTarget[target.id] ?? []).prefix(context.periods)
                let met =
                    target.value.map { goal in
                        recent.filter {
                            ServiceLevel.meets(
                                value: $0.value, target: goal, unit: target.unit, higherIsBetter: target.higherIsBetter)
                        }.count
                    } ?? 0
                let achieved = achievedText(target, data, count: context.periods)
                table.rows.append([
                    ReportDocument.Cell(data.partyCode(agreement?.providerID)),
                    ReportDocument.Cell(
                        [agreement?.code, agreement?.type?.uppercased()].compactMap { $0 }
                            .joined(separator: " ")),
                    ReportDocument.Cell(words(target.metric)), ReportDocument.Cell(target.priority ?? "any"),
                    ReportDocument.Cell(targetText(target), flag: isWeaker ? "weaker than it supports" : nil),
                    ReportDocument.Cell(target.period ?? ""),
                    ReportDocument.Cell(
                        achieved,
                        flag: latestMissed(target, data) == true ? "missed" : nil),
                    ReportDocument.Cell(recent.isEmpty ? "" : "\(met) of \(recent.count)"),
                    // The chain: beside an underpinning target, how the target it supports did.
                    ReportDocument.Cell(
                        supported.map { supported in
                            let achieved = achievedText(supported, data, count: 1)
                            return "\(targetLabel(supported, data)) (\(targetText(supported)))"
                                + (achieved.isEmpty ? "" : ": \(achieved)")
                        } ?? ""
                    ),
                ])
                rows.append([
                    .string(target.id), .string(code), .text(service?.name),
                    .string(data.partyCode(agreement?.providerID)),
                    .text(agreement?.code), .text(agreement?.type), .text(target.metric), .text(target.priority),
                    .number(target.value), .text(target.unit), .text(target.period), .text(target.supportsID),
                    .text(supported.map { targetLabel($0, data) }), .number(supported?.value), .bool(isWeaker),
                    .text(data.resultsByTarget[target.id]?.first?.period),
                    .number(data.resultsByTarget[target.id]?.first?.value),
                    latestMissed(target, data).map { .bool(!$0) } ?? .null,
                    .number(Double(recent.count)), .number(Double(met)),
                    .text(achieved),
                ])
            }
            let title = service.map { "\($0.code): \($0.name)" } ?? (code.isEmpty ? "(no service)" : code)
            document.sections.append(
                ReportDocument.Section(
                    level: 2, anchor: ReportDocument.anchor(code.isEmpty ? "no-service" : code, used: &anchors),
                    title: title, blocks: [.table(table)]
                )
            )
        }
        if targets.isEmpty {
            document.sections.append(
                ReportDocument.Section(level: 2, anchor: "none", title: "No targets", blocks: [.note("No targets.")])
            )
        }
        return Output(document: document, columns: levelsColumns, rows: rows)
    }
}
