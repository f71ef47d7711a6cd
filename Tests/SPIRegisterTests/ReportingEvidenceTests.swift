import Foundation
import SPIRegister
import SPIReplication
import SPISQLite
import Testing

/// Delivery evidence for management information (issue 18): due dates from the item's rule, on time, late and
/// missing, who may record it, and where it shows (`spi due`, the calendar report).
@Suite("delivery evidence")
struct ReportingEvidenceTests {
    static func id(_ db: Connection, spi: String, item: String) throws -> String {
        try #require(
            try db.scalar(
                "SELECT n.id FROM information_item n JOIN interface i ON i.id = n.interface_id WHERE i.code = ? AND n.name = ?",
                [.text(spi), .text(item)])?.textValue)
    }

    @Test(
        "the demo's evidence: Fabrikam's incident report on time, then three days late, then missing; spi due and the calendar show it"
    )
    func demo() throws {
        try CheckFixture.withDemo { db in
            let store = RecordStore(db: db, kind: .organization, today: CheckFixture.today)
            let incident = try Self.id(db, spi: "SPI-INC-FAB", item: "Incident performance report")
            let recent = try ReportingEvidence.recent(in: store, today: CheckFixture.today).filter {
                $0.itemID == incident
            }
            #expect(recent.map(\.summary).count == 3)
            #expect(recent[0].isMissing && recent[0].summary == "missing")
            #expect(recent[1].daysLate == 3 && recent[1].summary.hasPrefix("delivered 3 days late"))
            #expect(recent[2].isOnTime && recent[2].summary.hasPrefix("delivered on time"))
            // 5th business day of the month, latest first, periods by month.
            #expect(recent.allSatisfy { $0.due.text.hasPrefix($0.period) })
            #expect(recent.map(\.due.dayNumber) == recent.map(\.due.dayNumber).sorted(by: >))
            // spi due: the missing one, overdue or due today.
            let due = try Governance.dueItems(in: store, within: 30).filter { $0.kind == .report }
            #expect(
                due.contains { $0.id == incident && $0.title.hasSuffix("(missing)") && $0.date == recent[0].due.text },
                "\(due)")
            // The calendar: last due in words, the on-time count, and the per-provider rate.
            let markdown = try ReportRenderer.render(
                .calendar, format: .md, db: db, provider: nil, registerName: "Northwind",
                generatedAt: "2025-03-14T09:30:00Z",
                today: CheckFixture.today)
            let line = try #require(
                markdown.split(separator: "\n").first { $0.contains("| Incident performance report |") })
            #expect(line.contains("\(recent[0].due.text): missing") && line.contains("1 of 3 (33 %)"), "\(line)")
            #expect(
                markdown.contains("## On-time delivery") && markdown.contains("| FAB | 4 (67 %) | 6 |"),
                "\(markdown.prefix(1500))")
        }
    }

    @Test(
        "recording a delivery: the period follows the item's frequency, recording again corrects it, and a provider records only its own SPIs' items"
    )
    func recording() throws {
        try CheckFixture.withDemo { db in
            let store = RecordStore(db: db, kind: .organization, today: CheckFixture.today)
            let incident = try Self.id(db, spi: "SPI-INC-FAB", item: "Incident performance report")
            let item = try store.record("information_item", incident)
            // A delivery on 2025-03-06 answers the due date nearest to it.
            let period = try #require(ReportingEvidence.period(ofItem: item, deliveredOn: "2025-03-06"))
            #expect(period == "2025-03")
            let first = try store.put(
                "information_delivery",
                fields: ["information_item_id": incident, "period": period, "delivered_on": "2025-03-06"])
            let again = try store.put(
                "information_delivery",
                fields: ["information_item_id": incident, "period": period, "delivered_on": "2025-03-07"])
            #expect(first == again)
            let refused = try #require(throws: RegisterError.self) {
                try store.put(
                    "information_delivery",
                    fields: ["information_item_id": incident, "period": "March", "delivered_on": "2025-03-06"])
            }
            #expect(
                refused.message.contains("not a month period") && refused.message.contains("the month it fell due in"),
                "\(refused)")
            let fab = AccessActor.party(RecordID.v5("demo:party:FAB"))
            func judge(_ item: String) throws -> GateDecision {
                try AccessRules.judge(
                    RowWrite(
                        table: "information_delivery", id: RecordID.v7(), kind: .create,
                        values: [
                            "information_item_id": .text(item), "period": .text("2025-03"),
                            "delivered_on": .text("2025-03-06"),
                        ]),
                    by: fab, db)
            }
            #expect(try judge(incident) == .allow)
            guard
                case .refuse(let reason) = try judge(
                    try Self.id(db, spi: "SPI-INC-CON", item: "Hosting incident report"))
            else {
                Issue.record("Fabrikam may record Contoso's deliveries")
                return
            }
            #expect(reason.contains("its own SPIs"), "\(reason)")
        }
    }
}

/// The reporting calendar as iCalendar (RFC 5545), as a mail client imports it.
@Suite("calendar as iCalendar")
struct CalendarICSTests {
    @Test(
        "CRLF lines folded at 75 octets, the required properties, one event per due item, escaped text that unfolds back"
    )
    func ics() throws {
        try CheckFixture.withDemo { db in
            let ics = try ReportRenderer.renderCalendarICS(
                db: db, provider: nil, registerName: "Northwind; Retail, register", generatedAt: "2025-03-14T09:30:00Z",
                today: CheckFixture.today)
            // Every line ends in CRLF; no bare LF or CR.
            #expect(ics.hasSuffix("\r\n"))
            let bytes = Array(ics.utf8)
            for (index, byte) in bytes.enumerated() where byte == 0x0A {
                #expect(index > 0 && bytes[index - 1] == 0x0D, "a bare LF at byte \(index)")
            }
            let physical = ics.components(separatedBy: "\r\n").dropLast()
            #expect(physical.allSatisfy { $0.utf8.count <= 75 }, "\(physical.filter { $0.utf8.count > 75 })")
            #expect(physical.contains { $0.hasPrefix(" ") }, "nothing was folded")
            // Unfolded: a line break followed by one space joins the lines.
            let unfolded = ics.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").dropLast()
            #expect(unfolded.first == "BEGIN:VCALENDAR" && unfolded.last == "END:VCALENDAR")
            #expect(unfolded.contains("VERSION:2.0") && unfolded.contains { $0.hasPrefix("PRODID:") })
            #expect(unfolded.contains("X-WR-CALNAME:Northwind\\; Retail\\, register: reporting calendar"))
            // One event per information item with a next due date, each with its required properties.
            let events = unfolded.split(separator: "BEGIN:VEVENT").dropFirst()
            let store = RecordStore(db: db, kind: .organization, today: CheckFixture.today)
            let items = try store.records("information_item").filter { record in
                CivilDate(CheckFixture.today).map { _ in record["frequency"].textValue != "on_event" } ?? false
            }
            #expect(events.count > 10 && events.count <= items.count, "\(events.count) events, \(items.count) items")
            var uids: Set<String> = []
            for event in events {
                let lines = Array(event)
                for property in ["UID:", "DTSTAMP:20250314T093000Z", "DTSTART;VALUE=DATE:", "SUMMARY:", "END:VEVENT"] {
                    #expect(lines.contains { $0.hasPrefix(property) }, "\(property) missing in \(lines)")
                }
                if let uid = lines.first(where: { $0.hasPrefix("UID:") }) { uids.insert(uid) }
            }
            #expect(uids.count == events.count)
            let incident = try #require(
                events.first { $0.contains { $0 == "SUMMARY:Incident performance report due (SPI-INC-FAB)" } })
            #expect(incident.contains { $0 == "DTSTART;VALUE=DATE:20250407" }, "\(incident)")
            let description = try #require(incident.first { $0.hasPrefix("DESCRIPTION:") })
            #expect(description.contains("\\nFrom: FAB\\nTo: ") && !description.contains("\n"), "\(description)")
        }
    }
}
