public import SPISQLite

extension ReportRenderer {
    /// The reporting calendar as an iCalendar file (RFC 5545) that a mail client imports: one all-day event per
    /// information item with a next due date, on that date. Lines end in CRLF and are folded at 75 octets; text is
    /// escaped; every event has a stable UID (the item and the due date), DTSTAMP and DTSTART.
    ///
    /// - Parameters:
    ///   - generatedAt: the time stamp of the events (`DTSTAMP`), as ISO 8601 UTC (`2026-12-07T09:30:00Z`).
    /// - Throws: ``ReportError`` as ``render(_:format:db:provider:registerName:generatedAt:today:periods:)``.
    public static func renderCalendarICS(
        db: Connection, provider: String?, registerName: String, generatedAt: String, today: String
    ) throws -> String {
        guard let todayDate = CivilDate(today) else {
            throw ReportError(.invalidDate, "'\(today)' is not a date; expected YYYY-MM-DD")
        }
        let data = try ReportData(db, today: today)
        var scope: ReportData.Party?
        if let provider {
            guard
                let party = data.parties.first(where: {
                    $0.code.uppercased() == provider.uppercased() || $0.id == provider
                })
            else {
                let codes = data.parties.filter { $0.kind == "provider" }.map(\.code).joined(separator: ", ")
                throw ReportError(.unknownProvider, "no party with code '\(provider)'; providers: \(codes)")
            }
            scope = party
        }
        let context = Context(
            data: data, provider: scope, registerName: registerName, generatedAt: generatedAt, today: todayDate)
        // 2026-12-07T09:30:00Z → 20261207T093000Z
        let stamp = generatedAt.filter { $0 != "-" && $0 != ":" }.prefix(15) + "Z"
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//SPI register//spi report calendar//EN", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", "X-WR-CALNAME:" + icsText("\(registerName): reporting calendar"),
        ]
        for spi in context.interfaces {
            for item in data.infoItems where item.interfaceID == spi.id {
                guard
                    let due = ReportDueRule(rule: item.dueRule, frequency: item.frequency)?.nextDue(
                        onOrAfter: todayDate)
                else { continue }
                let day = due.text.filter { $0 != "-" }
                let next = due.adding(days: 1).text.filter { $0 != "-" }
                let to = recipients(of: item, data).joined(separator: ", ")
                let description = [
                    "SPI \(spi.code): \(spi.title)", "From: \(data.partyOrPerson(item.senderID))",
                    "To: \(to.isEmpty ? "(no recipient)" : to)",
                    "Due rule: \(item.dueRule ?? "") (\(item.frequency ?? ""))",
                    item.format.map { "Format: \($0)" }, item.content.map { "Content: \($0)" },
                ].compactMap { $0 }.joined(separator: "\n")
                lines += [
                    "BEGIN:VEVENT", "UID:\(item.id)-\(day)@spi-register", "DTSTAMP:\(stamp)",
                    "DTSTART;VALUE=DATE:\(day)", "DTEND;VALUE=DATE:\(next)",
                    "SUMMARY:" + icsText("\(item.name) due (\(spi.code))"), "DESCRIPTION:" + icsText(description),
                    "CATEGORIES:" + icsText(data.partyCode(spi.providerID)), "TRANSP:TRANSPARENT", "END:VEVENT",
                ]
            }
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A TEXT value escaped as RFC 5545 §3.3.11 asks: backslash, semicolon, comma and line breaks.
    static func icsText(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// A content line folded at 75 octets (RFC 5545 §3.1): continuation lines begin with one space, and no UTF-8
    /// sequence is split.
    static func fold(_ line: String) -> String {
        var parts: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            let limit = parts.isEmpty ? 75 : 74 // a continuation's leading space counts
            if octets + size > limit {
                parts.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        parts.append(current)
        return parts.joined(separator: "\r\n ")
    }
}
