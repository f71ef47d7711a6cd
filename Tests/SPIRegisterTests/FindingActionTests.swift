import Foundation
import SPIRegister
import SPISQLite
import Testing

/// Findings given to someone to fix by a date: `spi finding assign`, shown by `spi due` while they stand.
@Suite("finding actions")
struct FindingActionTests {
    static let today = "2026-12-07"

    func withDemo(_ body: (Register) throws -> Void) throws {
        try withRegister(today: Self.today) { register, _ in
            try register.replica.write { db in try NorthwindDemo.populate(db, today: Self.today) }
            try body(register)
        }
    }

    @Test("an assigned finding is due until it is fixed; assigning again moves it; it never names a bare id")
    func lifecycle() throws {
        try withDemo { register in
            let action = try register.write { store in
                try Governance.assign(
                    rule: "review-overdue", row: "spi-ism-fab", owner: "priya.natarajan@northwind.example",
                    due: "2026-12-20", note: "Hold the annual review with Fabrikam", in: store)
            }
            #expect(
                action.isOpen && action.subject == "SPI-ISM-FAB" && action.owner == "priya.natarajan@northwind.example")
            let due = try register.read { try Governance.dueItems(in: $0, within: 30) }
            let item = try #require(due.first { $0.kind == .finding })
            #expect(item.code == "SPI-ISM-FAB" && item.date == "2026-12-20" && item.days == 13)
            #expect(item.title.hasPrefix("Overdue review: ") && item.owner == "priya.natarajan@northwind.example")
            // Again, with another date: the same row, changed.
            let again = try register.write { store in
                try Governance.assign(
                    rule: "review-overdue", row: "SPI-ISM-FAB", owner: "tom.becker@northwind.example",
                    due: "2027-01-15",
                    in: store)
            }
            #expect(again.id == action.id && again.owner == "tom.becker@northwind.example")
            #expect(
                try register.read { try Governance.dueItems(in: $0, within: 30) }.contains { $0.kind == .finding }
                    == false)
            #expect(try register.read { try Governance.dueItems(in: $0, within: 60) }.contains { $0.kind == .finding })
            // Fixed: the review is done, so the finding and its due item go; the action stays, as fixed.
            try register.write { store in
                _ = try store.put("interface", id: "SPI-ISM-FAB", fields: ["next_review": "2027-11-01"], mode: .update)
            }
            let fixed = try register.read { try Governance.findingActions(in: $0) }
            #expect(fixed.count == 1 && !fixed[0].isOpen)
            #expect(
                try register.read { try Governance.dueItems(in: $0, within: 60) }.contains { $0.kind == .finding }
                    == false)
            #expect(
                try register.read { store in try store.rowName("finding_action", action.id) }
                    == "review-overdue on interface SPI-ISM-FAB")
        }
    }

    @Test("assigning refuses an unknown rule, a row with no such finding, a bad date and an unknown person")
    func refusals() throws {
        try withDemo { register in
            let digest = try register.digest()
            let cases: [(String, String, String, String, String)] = [
                (
                    "no-such-rule", "SPI-ISM-FAB", "priya.natarajan@northwind.example", "2026-12-20",
                    "no rule 'no-such-rule'"
                ),
                (
                    "review-overdue", "SPI-INC-FAB", "priya.natarajan@northwind.example", "2026-12-20",
                    "no current review-overdue finding points at 'SPI-INC-FAB'; it points at: SPI-ISM-FAB"
                ),
                (
                    "review-overdue", "SPI-ISM-FAB", "priya.natarajan@northwind.example", "2026-13-01",
                    "invalid due date"
                ),
                ("review-overdue", "SPI-ISM-FAB", "nobody@example.com", "2026-12-20", "nobody@example.com"),
            ]
            for (rule, row, owner, due, expected) in cases {
                #expect {
                    try register.write { try Governance.assign(rule: rule, row: row, owner: owner, due: due, in: $0) }
                } throws: { ($0 as? RegisterError)?.message.contains(expected) == true }
            }
            #expect(try register.digest() == digest)
        }
    }

    @Test("a provider's replica holds the findings given to its own people, and no others")
    func scope() throws {
        try withDemo { register in
            let id = try register.write { store in
                try Governance.assign(
                    rule: "handoff-without-spi", row: "Hosting access request",
                    owner: "grace.holloway@fabrikam.example",
                    due: "2026-12-31", in: store
                ).id
            }
            try register.read { store in
                let fabrikam = AccessActor.party(try store.resolve("party", "FAB"))
                let contoso = AccessActor.party(try store.resolve("party", "CON"))
                #expect(try AccessRules.keeps(table: "finding_action", id: id, viewer: fabrikam, store.db))
                #expect(try !AccessRules.keeps(table: "finding_action", id: id, viewer: contoso, store.db))
            }
        }
    }
}
