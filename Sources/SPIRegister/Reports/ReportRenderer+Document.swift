extension ReportRenderer {
    static let documentColumns = [
        "spi", "title", "provider", "practice", "stage", "owner", "status", "version", "approved_by", "approved_on",
        "next_review", "agreement", "services", "raci_violations", "integration_points", "information_items",
        "targets", "reviews", "findings",
    ]

    /// The SPI document: for one provider, or one section per provider.
    static func documentReport(_ context: Context) -> Output {
        let data = context.data
        var document = ReportDocument(
            title: context.title(ReportName.document.title), meta: context.meta,
            intro: "The service provider interfaces agreed with "
                + (context.provider.map { $0.name } ?? "each provider")
                + ": integration points between the parties' processes, roles and responsibilities, and the "
                + "management information exchanged."
        )
        var anchors: Set<String> = []
        var rows: [[ReportJSON]] = []
        var spiObjects: [ReportJSON] = []
        let providers: [ReportData.Party]
        if let provider = context.provider {
            providers = [provider]
        } else {
            let ids = Set(data.interfaces.compactMap(\.providerID))
            providers = data.parties.filter { ids.contains($0.id) || $0.kind == "provider" }
        }
        let base = context.provider == nil ? 3 : 2
        for provider in providers {
            let spis = data.interfaces(provider: provider.id)
            if context.provider == nil {
                document.sections.append(
                    ReportDocument.Section(
                        level: 2, anchor: ReportDocument.anchor(provider.code, used: &anchors),
                        title: "\(provider.name) (\(provider.code))", blocks: providerBlocks(provider, spis, data)
                    )
                )
            } else {
                document.sections.append(
                    ReportDocument.Section(
                        level: 2, anchor: ReportDocument.anchor("provider", provider.code, used: &anchors),
                        title: "Provider", blocks: providerBlocks(provider, spis, data)
                    )
                )
            }
            for spi in spis {
                let (sections, row, object) = spiDocument(spi, level: base, context, &anchors)
                document.sections += sections
                rows.append(row)
                spiObjects.append(object)
            }
        }
        return Output(
            document: document, columns: documentColumns, rows: rows, extra: [("interfaces", .array(spiObjects))])
    }

    /// A provider's header: kind, notes, contacts and the SPIs.
    static func providerBlocks(
        _ provider: ReportData.Party, _ spis: [ReportData.Interface], _ data: ReportData
    ) -> [ReportDocument.Block] {
        var facts: [(String, String)] = [
            ("Party", "\(provider.name) (\(provider.code))"),
            (
                "Kind",
                [provider.kind, provider.isInternal ? "internal" : "external"].compactMap { $0 }
                    .joined(separator: ", ")
            ),
        ]
        if let notes = provider.notes { facts.append(("Notes", notes)) }
        facts.append(("SPIs", spis.isEmpty ? "none" : spis.map(\.code).joined(separator: ", ")))
        var blocks: [ReportDocument.Block] = [.facts(facts)]
        let contacts = data.people.filter { $0.partyID == provider.id && $0.isActive }
        if !contacts.isEmpty {
            blocks.append(
                .table(
                    ReportDocument.Table(
                        columns: ["Contact", "Role", "Email"],
                        rows: contacts.map {
                            [
                                ReportDocument.Cell($0.name), ReportDocument.Cell($0.role ?? ""),
                                ReportDocument.Cell($0.email ?? ""),
                            ]
                        }
                    )
                )
            )
        }
        return blocks
    }

    /// One SPI's sections, CSV row and JSON object.
    static func spiDocument(
        _ spi: ReportData.Interface, level: Int, _ context: Context, _ anchors: inout Set<String>
    ) -> ([ReportDocument.Section], [ReportJSON], ReportJSON) {
        let data = context.data
        let agreement = spi.agreementID.flatMap { data.agreementByID[$0] }
        let serviceIDs = data.interfaceServices.filter { $0.interfaceID == spi.id }.map(\.serviceID)
            .sorted { (data.serviceByID[$0]?.code ?? $0) < (data.serviceByID[$1]?.code ?? $1) }
        let services = serviceIDs.map { id in data.serviceByID[id] }
        let serviceNames = zip(serviceIDs, services).map { id, service in
            service.map { "\($0.code) \($0.name)" } ?? "(missing service \(id.prefix(8)))"
        }
        let findings = data.findings.filter { $0.rows.contains(FindingRow(table: "interface", id: spi.id)) }
        let reviewFindings = Set(findings.map(\.rule))
        func anchor(_ part: String) -> String { ReportDocument.anchor(spi.code, part, used: &anchors) }

        var header: [(String, String)] = [
            ("Practice", practiceText(spi.practiceID, data)),
            ("Provider", data.partyCode(spi.providerID)),
            ("Stage", words(spi.stage)),
            ("Owner", spi.ownerID.map { data.personName($0) } ?? "⚠ none"),
            ("Status", words(spi.status)),
            ("Version", spi.version ?? ""),
        ]
        if spi.approvedBy != nil || spi.approvedOn != nil {
            header.append(
                (
                    "Approved",
                    [spi.approvedBy.map { data.personName($0) }, spi.approvedOn.map { "on \($0)" }]
                        .compactMap { $0 }.joined(separator: " ")
                ))
        }
        let signOff = data.signOffs[spi.id]
        if let frozen = data.frozen[spi.id] {
            header.append(
                ("Sign-off", "frozen version \(frozen.version ?? "-"), as \(frozen.event) on \(frozen.frozenOn)"))
        } else {
            header.append(
                ("Sign-off", signOff.map { ($0.isChangedSinceSigned ? "⚠ " : "") + $0.summary } ?? "not signed"))
        }
        var next = spi.nextReview ?? "none"
        if reviewFindings.contains("review-overdue") { next += " (⚠ overdue)" }
        if let months = spi.reviewIntervalMonths { next += ", every \(months) months" }
        header.append(("Next review", next))
        let ending = agreement.flatMap { a in
            data.findings.first {
                $0.rows.first == FindingRow(table: "agreement", id: a.id)
                    && ["agreement-ending-soon", "agreement-past-end"].contains($0.rule)
            }
        }
        header.append(
            (
                "Agreement",
                agreement.map { a in
                    "\(a.code) \(a.title) (\(a.type?.uppercased() ?? "?"), \(a.start ?? "?") to \(a.end ?? "?"))"
                        + (ending.map { $0.rule == "agreement-past-end" ? " (⚠ past its end)" : " (⚠ ending soon)" }
                            ?? "")
                } ?? (spi.agreementID == nil ? "none" : "(missing agreement)")
            ))
        header.append(("Services", serviceNames.isEmpty ? "none" : serviceNames.joined(separator: "; ")))
        var sections = [
            ReportDocument.Section(
                level: level, anchor: anchor("spi"), title: "\(spi.code): \(spi.title)",
                blocks: [.facts(header)] + (spi.description.map { [.paragraph($0)] } ?? [])
            )
        ]

        sections.append(
            ReportDocument.Section(
                level: level + 1, anchor: anchor("control"), title: "Document control",
                blocks: documentControl(spi, signOff, data)))
        // RACI
        let matrix = raciMatrix(spi, data)
        sections.append(
            ReportDocument.Section(
                level: level + 1, anchor: anchor("raci"), title: "Roles and responsibilities (RACI)",
                blocks: [matrix.parties.isEmpty ? .note("⚠ No RACI assignments.") : .table(matrix.table)]
            )
        )
        // Integration points
        let points = data.points.filter { $0.interfaceID == spi.id }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        sections.append(
            ReportDocument.Section(
                level: level + 1, anchor: anchor("integration"), title: "Integration points",
                blocks: points.isEmpty
                    ? [.note("⚠ No integration points.")]
                    : [.table(integrationTable(points, data)), .paragraph("Data items marked * are mandatory.")]
            )
        )
        // Information items
        let items = data.infoItems.filter { $0.interfaceID == spi.id }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        var infoTable = ReportDocument.Table(
            columns: ["Information item", "Content", "Frequency", "Due rule", "Next due", "Format", "From", "To"],
            rows: []
        )
        for item in items {
            let to = recipients(of: item, data)
            let due = ReportDueRule(rule: item.dueRule, frequency: item.frequency)?.nextDue(onOrAfter: context.today)
            infoTable.rows.append([
                ReportDocument.Cell(item.name), ReportDocument.Cell(item.content ?? ""),
                ReportDocument.Cell(words(item.frequency)), ReportDocument.Cell(item.dueRule ?? ""),
                ReportDocument.Cell(due?.text ?? ""), ReportDocument.Cell(item.format ?? ""),
                ReportDocument.Cell(data.partyOrPerson(item.senderID)),
                ReportDocument.Cell(to.joined(separator: ", "), flag: to.isEmpty ? "no recipient" : nil),
            ])
        }
        sections.append(
            ReportDocument.Section(
                level: level + 1, anchor: anchor("information"), title: "Management information",
                blocks: items.isEmpty ? [.note("⚠ No information items.")] : [.table(infoTable)]
            )
        )
        // Service-level targets
        let weaker = Set(
            data.findings.filter { $0.rule == "target-weaker-than-supported" }.compactMap { $0.rows.first?.id }
        )
        let targets = data.targets.filter { target in
            target.agreementID != nil && target.agreementID == spi.agreementID
                && (serviceIDs.isEmpty || target.serviceID.map(serviceIDs.contains) == true)
        }.sorted {
            (data.serviceByID[$0.serviceID ?? ""]?.code ?? "", $0.metric ?? "", $0.priority ?? "", $0.id)
                < (data.serviceByID[$1.serviceID ?? ""]?.code ?? "", $1.metric ?? "", $1.priority ?? "", $1.id)
        }
        // Attainment, where levels are recorded: the last three periods, latest first (the levels report has more).
        let attained = targets.contains { !(data.resultsByTarget[$0.id] ?? []).isEmpty }
        var targetTable = ReportDocument.Table(
            columns: ["Service", "Metric", "Priority", "Target", "Period", "Supports"] + (attained ? ["Achieved"] : []),
            rows: []
        )
        for target in targets {
            let supported = target.supportsID.flatMap { data.targetByID[$0] }
            targetTable.rows.append(
                [
                    ReportDocument.Cell(target.serviceID.flatMap { data.serviceByID[$0]?.code } ?? ""),
                    ReportDocument.Cell(words(target.metric)), ReportDocument.Cell(target.priority ?? "any"),
                    ReportDocument.Cell(
                        targetText(target), flag: weaker.contains(target.id) ? "weaker than it supports" : nil),
                    ReportDocument.Cell(target.period ?? ""),
                    ReportDocument.Cell(supported.map { "\(targetLabel($0, data)) (\(targetText($0)))" } ?? ""),
                ]
                    + (attained
                        ? [
                            ReportDocument.Cell(
                                achievedText(target, data),
                                flag: latestMissed(target, data) == true ? "latest period missed" : nil)
                        ]
                        : []))
        }
        sections.append(
            ReportDocument.Section(
                level: level + 1, anchor: anchor("levels"), title: "Service-level targets",
                blocks: targets.isEmpty ? [.note("No targets in the SPI's agreement.")] : [.table(targetTable)]
            )
        )
        // Reviews
        let reviews = data.reviews.filter { $0.interfaceID == spi.id }
        let reviewTable = ReportDocument.Table(
            columns: ["Date", "Body", "Outcome", "Reviewer", "Version", "Notes"],
            rows: reviews.map { review in
                [
                    ReportDocument.Cell(review.date ?? ""), ReportDocument.Cell(review.body ?? ""),
                    ReportDocument.Cell(words(review.outcome)),
                    ReportDocument.Cell(review.reviewerID.map { data.personName($0) } ?? ""),
                    ReportDocument.Cell(review.version ?? ""), ReportDocument.Cell(review.notes ?? ""),
                ]
            }
        )
        sections.append(
            ReportDocument.Section(
                level: level + 1, anchor: anchor("reviews"), title: "Review history",
                blocks: reviews.isEmpty ? [.note("No reviews yet.")] : [.table(reviewTable)]
            )
        )
        // Findings; a provider-facing document (one provider's) names no command to run.
        let providerFacing = context.provider != nil
        let findingTable = ReportDocument.Table(
            columns: providerFacing ? ["Severity", "Finding"] : ["Severity", "Finding", "Fix"],
            rows: findings.map { finding in
                let rule = RegisterCheck.rule(finding.rule)
                let cells = [
                    ReportDocument.Cell(
                        finding.severity.rawValue, flag: finding.severity == .info ? nil : finding.rule),
                    ReportDocument.Cell(finding.message),
                ]
                return providerFacing
                    ? cells : cells + [ReportDocument.Cell(rule.map { fixCommand($0, finding, data) } ?? "")]
            }
        )
        sections.append(
            ReportDocument.Section(
                level: level + 1, anchor: anchor("findings"), title: "Open findings",
                blocks: findings.isEmpty ? [.paragraph("None: the SPI keeps every rule.")] : [.table(findingTable)]
            )
        )

        let raciViolations = Set(
            findings.filter { $0.rule.hasPrefix("raci-") && $0.rows.count > 1 }.map(\.rows[1].id)
        ).compactMap { data.activityByID[$0]?.code }.sorted()
        let row: [ReportJSON] = [
            .string(spi.code), .string(spi.title), .string(data.partyCode(spi.providerID)),
            .string(data.practiceCode(spi.practiceID)), .text(spi.stage),
            .text(spi.ownerID.map { data.personName($0) }), .text(spi.status), .text(spi.version),
            .text(spi.approvedBy.map { data.personName($0) }), .text(spi.approvedOn), .text(spi.nextReview),
            .text(agreement?.code), .strings(services.compactMap { $0?.code }), .strings(raciViolations),
            .number(Double(points.count)), .number(Double(items.count)), .number(Double(targets.count)),
            .number(Double(reviews.count)), .strings(findings.map(\.rule)),
        ]
        let object = spiObject(
            spi, context, matrix: matrix, points: points, items: items, targets: targets,
            reviews: reviews, findings: findings, services: services.compactMap { $0 }, weaker: weaker)
        return (sections, row, object)
    }

    /// The document-control block of one SPI: version, status, approval, each party's signature with its date and
    /// peer id, and what changed since signed.
    static func documentControl(
        _ spi: ReportData.Interface, _ signOff: SignOffState?, _ data: ReportData
    ) -> [ReportDocument.Block] {
        var facts: [(String, String)] = [("Version", spi.version ?? "none"), ("Status", words(spi.status))]
        facts.append(
            (
                "Approved",
                spi.approvedBy.map { "by \(data.personName($0))" + (spi.approvedOn.map { " on \($0)" } ?? "") } ?? "no"
            ))
        if let frozen = data.frozen[spi.id] {
            facts.append(
                (
                    "Frozen version",
                    "\(frozen.version ?? "-") (digest \(frozen.digest.prefix(12))…), \(frozen.event) on \(frozen.frozenOn)"
                        + (frozen.frozenBy.map { " by \($0)" } ?? "")
                ))
            let signed = signOff?.checks.filter { $0.verdict != .invalid }.map(\.party) ?? []
            facts.append(("Signed by", signed.isEmpty ? "nobody" : Array(Set(signed)).sorted().joined(separator: ", ")))
        } else {
            facts.append(("State", signOff.map(\.summary) ?? "not signed"))
        }
        var blocks: [ReportDocument.Block] = [.facts(facts)]
        guard let signOff, !signOff.checks.isEmpty else {
            blocks.append(.note("No party has signed this SPI yet."))
            return blocks
        }
        let table = ReportDocument.Table(
            columns: ["Party", "Signed by", "On", "Version", "Signature", "Replica (peer id)"],
            rows: signOff.checks.map { check in
                let verdict: String
                switch check.verdict {
                case _ where data.frozen[spi.id] != nil && check.verdict != .invalid: verdict = "valid, of this version"
                case .current: verdict = "valid, current content"
                case .changedSinceSigned: verdict = "valid, earlier content"
                case .invalid: verdict = "invalid: \(check.problem ?? "")"
                }
                return [
                    ReportDocument.Cell(check.party), ReportDocument.Cell(check.person),
                    ReportDocument.Cell(check.signature.signedOn), ReportDocument.Cell(check.signature.version ?? ""),
                    ReportDocument.Cell(verdict, flag: check.verdict == .invalid ? "signature-invalid" : nil),
                    ReportDocument.Cell(check.signature.peerID?.description ?? ""),
                ]
            })
        blocks.append(.table(table))
        if let baseline = signOff.signedBaseline, data.frozen[spi.id] == nil {
            blocks.append(
                .note(
                    "⚠ Changed since \(baseline.party) signed it on \(baseline.signature.signedOn): "
                        + signOff.changes.map(\.change.description).joined(separator: "; ") + "."))
        }
        return blocks
    }

    /// The nested JSON object of one SPI in the `document` report.
    static func spiObject(
        _ spi: ReportData.Interface, _ context: Context,
        matrix: (table: ReportDocument.Table, rows: [[ReportJSON]], parties: [String], violations: Int),
        points: [ReportData.Point], items: [ReportData.InfoItem], targets: [ReportData.Target],
        reviews: [ReportData.Review], findings: [Finding], services: [ReportData.Service], weaker: Set<String>
    ) -> ReportJSON {
        let data = context.data
        let agreement = spi.agreementID.flatMap { data.agreementByID[$0] }
        let raci: [ReportJSON] = data.raciActivities(of: spi).map { activityID in
            let order = data.raciParties(of: spi)
            let assignments = data.raci.filter { $0.interfaceID == spi.id && $0.activityID == activityID }.sorted {
                (order.firstIndex(of: $0.partyID ?? "") ?? Int.max, letters([$0.role ?? ""]), $0.id)
                    < (order.firstIndex(of: $1.partyID ?? "") ?? Int.max, letters([$1.role ?? ""]), $1.id)
            }
            return .object([
                ("activity", .string(data.activityByID[activityID]?.code ?? activityID)),
                ("name", .text(data.activityByID[activityID]?.name)),
                (
                    "assignments",
                    .array(
                        assignments.map { a in
                            .object([
                                ("party", .string(data.partyCode(a.partyID))), ("role", .text(a.role)),
                                ("title", .text(a.title)),
                            ])
                        })
                ),
                ("violations", .strings(data.raciViolations(interface: spi.id, activity: activityID).map(\.rule))),
            ])
        }
        return .object([
            ("id", .string(spi.id)), ("code", .string(spi.code)), ("title", .string(spi.title)),
            ("practice", .string(data.practiceCode(spi.practiceID))),
            ("provider", .string(data.partyCode(spi.providerID))),
            ("stage", .text(spi.stage)), ("owner", .text(spi.ownerID.map { data.personName($0) })),
            ("status", .text(spi.status)), ("version", .text(spi.version)),
            ("approvedBy", .text(spi.approvedBy.map { data.personName($0) })), ("approvedOn", .text(spi.approvedOn)),
            ("nextReview", .text(spi.nextReview)),
            (
                "agreement",
                agreement.map { a in
                    .object([
                        ("code", .string(a.code)), ("title", .string(a.title)), ("type", .text(a.type)),
                        ("start", .text(a.start)), ("end", .text(a.end)), ("status", .text(a.status)),
                    ])
                } ?? .null
            ),
            ("services", .array(services.map { .object([("code", .string($0.code)), ("name", .string($0.name))]) })),
            ("raci", .array(raci)),
            (
                "integrationPoints",
                .array(
                    points.map { p in
                        .object([
                            ("name", .string(p.name)), ("from", .string(data.partyCode(p.fromPartyID))),
                            ("fromPractice", .text(p.fromPracticeID.map { data.practiceCode($0) })),
                            ("to", .string(data.partyCode(p.toPartyID))),
                            ("toPractice", .text(p.toPracticeID.map { data.practiceCode($0) })),
                            ("trigger", .text(p.trigger)), ("channel", .text(p.channel)),
                            ("standard", .text(p.standard)),
                            ("timing", .text(p.timing)), ("correlationKey", .text(p.correlationKey)),
                            (
                                "dataItems",
                                .array(
                                    data.dataItems.filter { $0.pointID == p.id }.map { d in
                                        .object([
                                            ("name", .string(d.name)), ("description", .text(d.description)),
                                            ("mandatory", .bool(d.isMandatory)),
                                        ])
                                    })
                            ),
                        ])
                    })
            ),
            (
                "informationItems",
                .array(
                    items.map { i in
                        .object([
                            ("name", .string(i.name)), ("content", .text(i.content)), ("frequency", .text(i.frequency)),
                            ("dueRule", .text(i.dueRule)),
                            (
                                "nextDue",
                                .text(
                                    ReportDueRule(rule: i.dueRule, frequency: i.frequency)?
                                        .nextDue(onOrAfter: context.today)?.text)
                            ),
                            ("format", .text(i.format)), ("sender", .text(i.senderID.map { data.partyOrPerson($0) })),
                            ("recipients", .strings(recipients(of: i, data))),
                        ])
                    })
            ),
            (
                "targets",
                .array(
                    targets.map { t in
                        .object([
                            ("service", .text(t.serviceID.flatMap { data.serviceByID[$0]?.code })),
                            ("metric", .text(t.metric)), ("priority", .text(t.priority)), ("target", .number(t.value)),
                            ("unit", .text(t.unit)), ("period", .text(t.period)),
                            (
                                "supports",
                                .text(t.supportsID.flatMap { data.targetByID[$0] }.map { targetLabel($0, data) })
                            ),
                            ("weaker", .bool(weaker.contains(t.id))),
                        ])
                    })
            ),
            (
                "reviews",
                .array(
                    reviews.map { r in
                        .object([
                            ("date", .text(r.date)), ("body", .text(r.body)), ("outcome", .text(r.outcome)),
                            ("reviewer", .text(r.reviewerID.map { data.personName($0) })),
                            ("version", .text(r.version)),
                            ("notes", .text(r.notes)),
                        ])
                    })
            ),
            (
                "findings",
                .array(
                    findings.map { f in
                        .object([
                            ("rule", .string(f.rule)), ("severity", .string(f.severity.rawValue)),
                            ("message", .string(f.message)),
                        ])
                    })
            ),
            ("signOff", signOffObject(data.signOffs[spi.id])),
        ])
    }

    /// An SPI's sign-off state in the `document` report's JSON.
    static func signOffObject(_ state: SignOffState?) -> ReportJSON {
        guard let state else {
            return .object([("state", .string("not signed")), ("inForce", .bool(false)), ("signatures", .array([]))])
        }
        return .object([
            ("state", .string(state.summary)), ("inForce", .bool(state.isInForce)),
            ("changedSinceSigned", .bool(state.isChangedSinceSigned)), ("digest", .string(state.digest)),
            (
                "signatures",
                .array(
                    state.checks.map { check in
                        .object([
                            ("party", .string(check.party)), ("person", .string(check.person)),
                            ("signedOn", .string(check.signature.signedOn)),
                            ("version", .text(check.signature.version)),
                            ("verdict", .string(check.verdict.rawValue)),
                            ("peerId", .text(check.signature.peerID?.description)),
                        ])
                    })
            ),
            ("changes", .array(state.changes.map { .string($0.change.description) })),
        ])
    }
}
