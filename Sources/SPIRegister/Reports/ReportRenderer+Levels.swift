extension ReportRenderer {
    static let levelsColumns = [
        "target_id", "service", "service_name", "provider", "agreement", "agreement_type", "metric", "priority",
        "target", "unit", "period", "supports_id", "supports", "supports_target", "weaker",
    ]

    /// The service-level matrix: service × provider × metric × priority × target, weaker underpinning targets
    /// flagged (from the check's `target-weaker-than-supported` findings).
    static func levelsReport(_ context: Context) -> Output {
        let data = context.data
        var document = ReportDocument(
            title: context.title(ReportName.levels.title), meta: context.meta,
            intro: "Service-level targets by service. A target that supports another (an underpinning contract's "
                + "target under the SLA's) and promises less is marked \(ReportDocument.flagMarker)."
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
                columns: ["Provider", "Agreement", "Metric", "Priority", "Target", "Period", "Supports"], rows: []
            )
            for target in group {
                let agreement = agreement(target)
                let supported = target.supportsID.flatMap { data.targetByID[$0] }
                let isWeaker = weaker.contains(target.id)
                table.rows.append([
                    ReportDocument.Cell(data.partyCode(agreement?.providerID)),
                    ReportDocument.Cell(
                        [agreement?.code, agreement?.type?.uppercased()].compactMap { $0 }
                            .joined(separator: " ")),
                    ReportDocument.Cell(words(target.metric)), ReportDocument.Cell(target.priority ?? "any"),
                    ReportDocument.Cell(targetText(target), flag: isWeaker ? "weaker than it supports" : nil),
                    ReportDocument.Cell(target.period ?? ""),
                    ReportDocument.Cell(
                        supported.map { "\(targetLabel($0, data)) (\(targetText($0)))" } ?? ""
                    ),
                ])
                rows.append([
                    .string(target.id), .string(code), .text(service?.name),
                    .string(data.partyCode(agreement?.providerID)),
                    .text(agreement?.code), .text(agreement?.type), .text(target.metric), .text(target.priority),
                    .number(target.value), .text(target.unit), .text(target.period), .text(target.supportsID),
                    .text(supported.map { targetLabel($0, data) }), .number(supported?.value), .bool(isWeaker),
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
