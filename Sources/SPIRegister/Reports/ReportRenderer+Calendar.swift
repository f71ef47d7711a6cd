extension ReportRenderer {
    static let calendarColumns = [
        "spi", "provider", "information_item", "content", "frequency", "due_rule", "next_due", "sender", "recipients",
        "format", "last_due", "last_delivery", "on_time", "due_counted",
    ]

    /// An item's last due date and its delivery in words, and its on-time count over the recorded due dates.
    static func deliveryText(_ evidence: [ReportingEvidence.Due]) -> (last: String, rate: String, missedLast: Bool) {
        guard let last = evidence.first else { return ("", "", false) }
        let onTime = evidence.filter(\.isOnTime).count
        let percent = Int((Double(onTime) / Double(evidence.count) * 100).rounded())
        return (
            "\(last.due.text): \(last.summary)", "\(onTime) of \(evidence.count) (\(percent) %)",
            last.isMissing || !last.isOnTime
        )
    }

    static let frequencies = ["daily", "weekly", "monthly", "quarterly", "annually", "on_event"]

    /// One calendar line.
    struct CalendarEntry {
        var item: ReportData.InfoItem
        var spi: ReportData.Interface
        var nextDue: CivilDate?
        var recipients: [String]
    }

    /// The reporting calendar: information items by frequency and due rule, with the next due date.
    static func calendarReport(_ context: Context) -> Output {
        let data = context.data
        var document = ReportDocument(
            title: context.title(ReportName.calendar.title), meta: context.meta,
            intro: "Management information by frequency and due rule. Next due dates are computed from "
                + "\(context.today.text), counting Monday to Friday as business days (public holidays are not known)."
        )
        var entries: [CalendarEntry] = []
        for spi in context.interfaces {
            for item in data.infoItems where item.interfaceID == spi.id {
                let due = ReportDueRule(rule: item.dueRule, frequency: item.frequency)?.nextDue(
                    onOrAfter: context.today)
                entries.append(
                    CalendarEntry(item: item, spi: spi, nextDue: due, recipients: recipients(of: item, data)))
            }
        }
        entries.sort {
            ($0.nextDue?.dayNumber ?? Int.max, $0.spi.code, $0.item.name, $0.item.id)
                < ($1.nextDue?.dayNumber ?? Int.max, $1.spi.code, $1.item.name, $1.item.id)
        }
        var anchors: Set<String> = []
        // On-time delivery per provider, over the due dates of the items whose deliveries are recorded.
        var perProvider: [String: (onTime: Int, total: Int)] = [:]
        for entry in entries {
            for due in data.evidence[entry.item.id] ?? [] {
                let code = data.partyCode(entry.spi.providerID)
                perProvider[code, default: (0, 0)].total += 1
                if due.isOnTime { perProvider[code, default: (0, 0)].onTime += 1 }
            }
        }
        if !perProvider.isEmpty {
            let table = ReportDocument.Table(
                columns: ["Provider", "Delivered on time", "Due dates counted"],
                rows: perProvider.keys.sorted().map { code in
                    let (onTime, total) = perProvider[code]!
                    return [
                        ReportDocument.Cell(code),
                        ReportDocument.Cell("\(onTime) (\(Int((Double(onTime) / Double(total) * 100).rounded())) %)"),
                        ReportDocument.Cell("\(total)"),
                    ]
                })
            document.sections.append(
                ReportDocument.Section(
                    level: 2, anchor: ReportDocument.anchor("on-time", used: &anchors), title: "On-time delivery",
                    blocks: [
                        .paragraph(
                            "Over the recent due dates of the items whose deliveries are recorded, from each item's "
                                + "first recorded delivery on."),
                        .table(table),
                    ]))
        }
        let groups = frequencies + Array(Set(entries.compactMap(\.item.frequency)).subtracting(frequencies)).sorted()
        for frequency in groups {
            let group = entries.filter { $0.item.frequency == frequency }
            guard !group.isEmpty else { continue }
            var table = ReportDocument.Table(
                columns: [
                    "Next due", "Information item", "SPI", "From", "To", "Due rule", "Format", "Last due", "On time",
                ],
                rows: []
            )
            for entry in group {
                let understood = entry.nextDue != nil || frequency == "on_event"
                table.rows.append(
                    [
                        ReportDocument.Cell(
                            entry.nextDue?.text ?? (frequency == "on_event" ? "on event" : "rule not understood")
                        ),
                        ReportDocument.Cell(entry.item.name), ReportDocument.Cell(entry.spi.code),
                        ReportDocument.Cell(data.partyOrPerson(entry.item.senderID)),
                        ReportDocument.Cell(
                            entry.recipients.joined(separator: ", "),
                            flag: entry.recipients.isEmpty ? "no recipient" : nil
                        ),
                        ReportDocument.Cell(entry.item.dueRule ?? "", flag: understood ? nil : "not understood"),
                        ReportDocument.Cell(entry.item.format ?? ""),
                    ]
                        + {
                            let delivery = deliveryText(data.evidence[entry.item.id] ?? [])
                            return [
                                ReportDocument.Cell(delivery.last, flag: delivery.missedLast ? "late or missing" : nil),
                                ReportDocument.Cell(delivery.rate),
                            ]
                        }())
            }
            document.sections.append(
                ReportDocument.Section(
                    level: 2, anchor: ReportDocument.anchor(frequency, used: &anchors),
                    title: frequencyTitle(frequency), blocks: [.table(table)]
                )
            )
        }
        if entries.isEmpty {
            document.sections.append(
                ReportDocument.Section(
                    level: 2, anchor: "none", title: "No information items", blocks: [.note("Nothing is scheduled.")]
                )
            )
        }
        let rows: [[ReportJSON]] = entries.map { entry in
            [
                .string(entry.spi.code), .string(data.partyCode(entry.spi.providerID)), .string(entry.item.name),
                .text(entry.item.content), .text(entry.item.frequency), .text(entry.item.dueRule),
                .text(entry.nextDue?.text), .string(data.partyOrPerson(entry.item.senderID)),
                .strings(entry.recipients),
                .text(entry.item.format),
                .text(data.evidence[entry.item.id]?.first?.due.text),
                .text(data.evidence[entry.item.id]?.first?.deliveredOn),
                .number((data.evidence[entry.item.id]).map { Double($0.filter(\.isOnTime).count) }),
                .number((data.evidence[entry.item.id]).map { Double($0.count) }),
            ]
        }
        return Output(document: document, columns: calendarColumns, rows: rows)
    }

    /// The recipients of an item: party codes and people's names.
    static func recipients(of item: ReportData.InfoItem, _ data: ReportData) -> [String] {
        let rows = data.recipients.filter { $0.itemID == item.id }
        let parties = rows.compactMap(\.partyID).map { data.partyCode($0) }.sorted()
        let people = rows.filter { $0.partyID == nil }.compactMap(\.personID).map { data.personName($0) }.sorted()
        return parties + people
    }

    static func frequencyTitle(_ frequency: String) -> String {
        switch frequency {
        case "daily": "Daily"
        case "weekly": "Weekly"
        case "monthly": "Monthly"
        case "quarterly": "Quarterly"
        case "annually": "Annually"
        case "on_event": "On event"
        default: words(frequency)
        }
    }
}
