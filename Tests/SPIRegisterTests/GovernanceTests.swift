import Foundation
import SPIRegister
import SPISQLite
import Testing

@Suite("Governance: submit, approval gates, approve, reviews and due items")
struct GovernanceTests {
    static let today = "2025-03-01"
    static let approver = "sofia.lindqvist@northwind.example"

    /// An organization register holding the Northwind demo built around ``today``, whose clock reads ``today``.
    func withDemo<T>(kind: ReplicaKind = .organization, _ body: (Register) throws -> T) throws -> T {
        try withRegister(kind: kind, today: Self.today) { register, _ in
            try register.replica.write { db in try NorthwindDemo.populate(db, today: Self.today) }
            return try body(register)
        }
    }

    /// The SPI's row.
    func interface(_ register: Register, _ code: String) throws -> Record {
        try register.read { try $0.record("interface", code) }
    }

    /// Removes the RACI cell of an SPI × activity × party × letter.
    func removeRACI(_ register: Register, _ spi: String, _ activity: String, _ party: String, _ role: String) throws {
        try register.write { store in
            let cells = try store.records(
                "raci_assignment",
                matchingFields: ["interface_id": spi, "activity_id": activity, "party_id": party, "role": role])
            try #require(cells.count == 1)
            try store.delete("raci_assignment", cells[0].id)
        }
    }

    /// Runs `body`, expecting a ``GovernanceError`` with `code`, and returns it.
    func expectGovernanceError<R>(
        _ code: GovernanceError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R
    ) throws -> GovernanceError? {
        do {
            _ = try body()
            Issue.record("expected a GovernanceError \(code)", sourceLocation: sourceLocation)
        } catch let error as GovernanceError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
            return error
        }
        return nil
    }

    @Test("submit moves a draft to in_review and refuses every other status, naming it")
    func submit() throws {
        try withDemo { register in
            let change = try register.write { try Governance.submit("SPI-CFG-TAIL", in: $0) }
            #expect(change.code == "SPI-CFG-TAIL" && change.from == "draft" && change.to == "in_review")
            #expect(try interface(register, "SPI-CFG-TAIL")["status"] == .text("in_review"))

            let digest = try register.digest()
            let again = try expectGovernanceError(.wrongStatus) {
                try register.write { try Governance.submit("SPI-CFG-TAIL", in: $0) }
            }
            #expect(again?.status == "in_review")
            #expect(again?.message == "SPI-CFG-TAIL is in_review; only a draft SPI can be submitted for review")
            let approved = try expectGovernanceError(.wrongStatus) {
                try register.write { try Governance.submit("SPI-INC-FAB", in: $0) }
            }
            #expect(approved?.status == "approved")
            #expect(try register.digest() == digest)
            expectRegisterError(.unknownReference) { try register.write { try Governance.submit("SPI-NOPE", in: $0) } }
        }
    }

    @Test("the approval gates name every activity without exactly one A, and every other failing gate")
    func gates() throws {
        try withDemo { register in
            // Planted: CHG-CAB has two Accountables (SIAM and TAIL). Plant another gap: CHG-RFC loses its only A.
            try removeRACI(register, "SPI-CHG-TAIL", "CHG-RFC", "SIAM", "A")
            let failures = try register.read { try Governance.approvalGateFailures(of: "SPI-CHG-TAIL", in: $0) }
            #expect(failures.map(\.gate) == [.singleAccountable, .singleAccountable, .nextReview])
            #expect(failures.map(\.subject) == ["CHG-RFC", "CHG-CAB", nil])
            #expect(
                failures.map(\.message) == [
                    "RACI: CHG-RFC (Raise request for change) has no Accountable; it needs exactly one",
                    "RACI: CHG-CAB (Authorize) has 2 Accountables (SIAM, TAIL); it needs exactly one",
                    "next review: no date set; it must be after today (2025-03-01)",
                ])

            // The draft configuration SPI has no information item (a planted gap) and no next review date.
            let cfg = try register.read { try Governance.approvalGateFailures(of: "SPI-CFG-TAIL", in: $0) }
            #expect(cfg.map(\.gate) == [.informationItem, .nextReview])
            #expect(cfg.first?.message == "information items: none; an SPI needs at least one")

            // An SPI with nothing in it fails every content gate, one RACI line per activity of its practice.
            try register.write { store in
                try store.put(
                    "interface",
                    fields: [
                        "code": "SPI-SR-TAIL", "title": "Requests with Tailspin", "practice_id": "SR",
                        "provider_id": "TAIL", "owner_id": "tom.becker@northwind.example",
                    ])
            }
            let empty = try register.read { try Governance.approvalGateFailures(of: "SPI-SR-TAIL", in: $0) }
            #expect(empty.compactMap(\.subject) == ["SR-LOG", "SR-APPR", "SR-FUL", "SR-CLS"])
            #expect(empty.map(\.gate).suffix(3) == [.integrationPoint, .informationItem, .nextReview])
        }
    }

    @Test("the next review gate wants a date after today and after the approval date")
    func nextReviewGate() throws {
        try withDemo { register throws in
            func messages(_ next: String?, on date: String? = nil) throws -> [String] {
                try register.read { store in
                    try Governance.approvalGateFailures(of: "SPI-INC-FAB", nextReview: next, on: date, in: store)
                }.map(\.message)
            }
            #expect(try messages(nil).isEmpty) // the demo's own next review, 2025-11-01
            #expect(
                try messages("2025-03-01") == [
                    "next review: 2025-03-01 is not in the future; it must be after today (2025-03-01)"
                ])
            #expect(try messages("2025-03-02").isEmpty)
            #expect(
                try messages("2025-05-01", on: "2025-06-01") == [
                    "next review: 2025-05-01 is not in the future; it must be after the approval date (2025-06-01)"
                ])
            #expect(
                try messages("2025-13-01") == [
                    "next review: '2025-13-01' is not a date; it must be a date after today (2025-03-01)"
                ])
        }
    }

    @Test(
        "reviews advance: approving without a next review, or an approving review, sets it from the review interval; RACI cells keep to the SPI's practice unless allowed"
    )
    func reviewsAdvance() throws {
        try withDemo { register in
            try removeRACI(register, "SPI-CHG-TAIL", "CHG-CAB", "TAIL", "A")
            try register.write {
                try $0.put("interface", id: "SPI-CHG-TAIL", fields: ["review_interval_months": "6"], mode: .update)
            }
            try register.write { try Governance.approve("SPI-CHG-TAIL", by: Self.approver, on: "2025-08-31", in: $0) }
            #expect(try interface(register, "SPI-CHG-TAIL")["next_review"] == .text("2026-02-28"))
            // An approving review moves it on from the review's date; another outcome leaves it.
            try register.write {
                try Governance.recordReview(of: "SPI-CHG-TAIL", outcome: "changes_required", on: "2026-02-20", in: $0)
            }
            #expect(try interface(register, "SPI-CHG-TAIL")["next_review"] == .text("2026-02-28"))
            try register.write {
                try Governance.recordReview(of: "SPI-CHG-TAIL", outcome: "Approved", on: "2026-02-20", in: $0)
            }
            #expect(try interface(register, "SPI-CHG-TAIL")["next_review"] == .text("2026-08-20"))
            // An explicit date wins over the interval.
            try register.write {
                try $0.put("interface", id: "SPI-CHG-TAIL", fields: ["status": "in_review"], mode: .update)
            }
            try register.write {
                try Governance.approve(
                    "SPI-CHG-TAIL", by: Self.approver, on: "2026-03-01", nextReview: "2026-04-01", in: $0)
            }
            #expect(try interface(register, "SPI-CHG-TAIL")["next_review"] == .text("2026-04-01"))
            // A change-practice activity on an incident SPI is refused, unless allowed.
            let digest = try register.digest()
            let refused = try #require(throws: RegisterError.self) {
                try register.write {
                    try $0.put(
                        "raci_assignment",
                        fields: [
                            "interface_id": "SPI-INC-FAB", "activity_id": "CHG-CAB", "party_id": "FAB", "role": "C",
                        ])
                }
            }
            #expect(
                refused.code == .ruleViolated && refused.message.contains("CHG-CAB is an activity of CHG"), "\(refused)"
            )
            #expect(refused.message.contains("--other-practice"))
            #expect(try register.digest() == digest)
            try register.write { store in
                var store = store
                store.allowsOtherPractice = true
                try store.put(
                    "raci_assignment",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "activity_id": "CHG-CAB", "party_id": "FAB", "role": "C",
                    ])
            }
            #expect(try register.digest() != digest)
        }
    }

    @Test("approve refuses while a gate fails, writing nothing, then approves once all pass")
    func approve() throws {
        try withDemo { register in
            let digest = try register.digest()
            let refused = try expectGovernanceError(.approvalGatesFailed) {
                try register.write { try Governance.approve("SPI-CHG-TAIL", by: Self.approver, in: $0) }
            }
            // Its review interval gives the next review from the approval date: only the RACI gate fails.
            #expect(refused?.message == "cannot approve SPI-CHG-TAIL: 1 approval gate fails")
            #expect(refused?.failures.map(\.gate) == [.singleAccountable])
            #expect(refused?.lines.count == 2)
            #expect(try register.digest() == digest)

            try removeRACI(register, "SPI-CHG-TAIL", "CHG-CAB", "TAIL", "A")
            let change = try register.write { store in
                try Governance.approve(
                    "SPI-CHG-TAIL", by: Self.approver, on: "2025-03-01", nextReview: "2025-09-01", in: store)
            }
            #expect(change.from == "in_review" && change.to == "approved")
            let row = try interface(register, "SPI-CHG-TAIL")
            let approverID = try register.read { try $0.resolve("person", Self.approver) }
            #expect(row["status"] == .text("approved"))
            #expect(row["approved_by"] == .text(approverID))
            #expect(row["approved_on"] == .text("2025-03-01"))
            #expect(row["next_review"] == .text("2025-09-01"))

            let twice = try expectGovernanceError(.wrongStatus) {
                try register.write { try Governance.approve("SPI-CHG-TAIL", by: Self.approver, in: $0) }
            }
            #expect(twice?.message == "SPI-CHG-TAIL is approved; only an SPI in review (in_review) can be approved")
        }
    }

    /// A person of a provider (outside the organization): the first by id.
    func providerPerson(_ register: Register) throws -> String {
        try #require(
            try register.read { store in
                try store.db.scalar(
                    "SELECT p.id FROM person p JOIN party pa ON pa.id = p.party_id WHERE pa.kind = 'provider' ORDER BY p.id LIMIT 1"
                )?
                .textValue
            })
    }

    @Test(
        "segregation of duties: the SPI's owner and people outside the organization cannot approve, by approve or by a plain edit; going back to review clears the approval"
    )
    func segregation() throws {
        try withDemo { register in
            try removeRACI(register, "SPI-CHG-TAIL", "CHG-CAB", "TAIL", "A")
            let owner = try #require(try interface(register, "SPI-CHG-TAIL")["owner_id"].textValue)
            let provider = try providerPerson(register)
            let digest = try register.digest()
            for (who, expected) in [(owner, "owns this SPI"), (provider, "only a person of the organization")] {
                do {
                    try register.write {
                        try Governance.approve(
                            "SPI-CHG-TAIL", by: who, on: "2025-03-01", nextReview: "2025-09-01", in: $0)
                    }
                    Issue.record("SPI-CHG-TAIL was approved by \(who)")
                } catch let error as RegisterError {
                    #expect(error.code == .ruleViolated, "\(error)")
                    #expect(
                        error.message.contains("segregation of duties") && error.message.contains(expected), "\(error)")
                }
            }
            #expect(throws: RegisterError.self) {
                try register.write {
                    try $0.put(
                        "interface", id: "SPI-CHG-TAIL",
                        fields: [
                            "status": "approved", "approved_by": owner, "approved_on": "2025-03-01",
                            "next_review": "2025-09-01",
                        ],
                        mode: .update)
                }
            }
            #expect(try register.digest() == digest)
            try register.write {
                try Governance.approve(
                    "SPI-CHG-TAIL", by: Self.approver, on: "2025-03-01", nextReview: "2025-09-01", in: $0)
            }
            #expect(try interface(register, "SPI-CHG-TAIL")["approved_by"] != .null)
            // Back to review: the approver and the approval date go with the approval.
            try register.write {
                try $0.put("interface", id: "SPI-CHG-TAIL", fields: ["status": "in_review"], mode: .update)
            }
            let row = try interface(register, "SPI-CHG-TAIL")
            #expect(row["approved_by"] == .null && row["approved_on"] == .null)
            // The register names its approvers: then only they approve, by approve or by an edit, and the check
            // reports an approval by anyone else.
            try register.write {
                try $0.put("interface", id: "SPI-CHG-TAIL", fields: ["status": "in_review"], mode: .update)
            }
            try register.write {
                try $0.put("person", id: "elena.petrova@northwind.example", fields: ["approver": "true"], mode: .update)
            }
            let notApprover = try #require(throws: RegisterError.self) {
                try register.write {
                    try Governance.approve(
                        "SPI-CHG-TAIL", by: Self.approver, on: "2025-03-01", nextReview: "2025-09-01", in: $0)
                }
            }
            #expect(
                notApprover.message.contains("is not an approver of this register")
                    && notApprover.message.contains("elena.petrova"), "\(notApprover)")
            try register.write {
                try Governance.approve(
                    "SPI-CHG-TAIL", by: "elena.petrova@northwind.example", on: "2025-03-01", nextReview: "2025-09-01",
                    in: $0)
            }
            let named = try register.read { try RegisterCheck.run($0.db, today: Self.today) }.filter {
                $0.rule == "approval-not-segregated"
            }
            #expect(
                !named.isEmpty && named.allSatisfy { $0.message.contains("not one of the register's approvers") },
                "\(named)")
            #expect(!named.contains { $0.message.contains("SPI-CHG-TAIL") })
            try register.write {
                try $0.put(
                    "person", id: "elena.petrova@northwind.example", fields: ["approver": "false"], mode: .update)
            }
            // The demo keeps the rule everywhere.
            let findings = try register.read { try RegisterCheck.run($0.db, today: Self.today) }
            #expect(
                !findings.contains { $0.rule == "approval-not-segregated" },
                "\(findings.filter { $0.rule == "approval-not-segregated" })")
        }
    }

    @Test("approve: a draft, an unknown approver and a malformed date are refused before any gate")
    func approveRefusals() throws {
        try withDemo { register in
            let digest = try register.digest()
            let draft = try expectGovernanceError(.wrongStatus) {
                try register.write { try Governance.approve("SPI-CFG-TAIL", by: Self.approver, in: $0) }
            }
            #expect(draft?.message.hasSuffix("submit it for review first") == true)
            #expect(draft?.failures.isEmpty == true)
            expectRegisterError(.unknownReference) {
                try register.write { try Governance.approve("SPI-CHG-TAIL", by: "nobody@example.com", in: $0) }
            }
            expectRegisterError(.invalidValue) {
                try register.write { try Governance.approve("SPI-CHG-TAIL", by: Self.approver, on: "1/3/25", in: $0) }
            }
            #expect(try register.digest() == digest)
        }
    }

    @Test(
        "retiring records who retired the SPI under the approval's segregation of duties; any other way is refused, and the check finds one retired behind the register's back"
    )
    func retire() throws {
        try withDemo { register in
            let owner = try #require(try interface(register, "SPI-INC-FAB")["owner_id"].textValue)
            let provider = try providerPerson(register)
            let digest = try register.digest()
            for (who, expected) in [(owner, "owns this SPI and cannot retire it"), (provider, "cannot retire an SPI")] {
                let error = try #require(throws: RegisterError.self) {
                    try register.write { try Governance.retire("SPI-INC-FAB", by: who, in: $0) }
                }
                #expect(
                    error.code == .ruleViolated && error.message.contains("segregation of duties")
                        && error.message.contains(expected), "\(error)")
            }
            // A plain status edit, or a retirement record by the owner, is refused too.
            let plain = try #require(throws: RegisterError.self) {
                try register.write {
                    try $0.put("interface", id: "SPI-INC-FAB", fields: ["status": "retired"], mode: .update)
                }
            }
            #expect(plain.message.contains("spi interface retire SPI-INC-FAB --by PERSON"), "\(plain)")
            let record = try #require(throws: RegisterError.self) {
                try register.write {
                    try Governance.recordReview(of: "SPI-INC-FAB", outcome: "retired", by: owner, in: $0)
                }
            }
            #expect(record.message.contains("cannot retire it"), "\(record)")
            #expect(try register.digest() == digest)

            let change = try register.write {
                try Governance.retire("SPI-INC-FAB", by: Self.approver, on: "2025-03-02", notes: "Merged", in: $0)
            }
            #expect(change.from == "approved" && change.to == "retired")
            let reviews = try register.read { store in
                try store.db.rows(
                    "SELECT outcome, review_date, notes, digest_reviewed IS NOT NULL FROM review WHERE interface_id = ? AND outcome = 'retired'",
                    [.text(change.interfaceID)])
            }
            #expect(
                reviews.count == 1 && reviews.first?[1] == .text("2025-03-02") && reviews.first?[2] == .text("Merged")
                    && reviews.first?[3] == .integer(1))
            let again = try #require(throws: GovernanceError.self) {
                try register.write { try Governance.retire("SPI-INC-FAB", by: Self.approver, in: $0) }
            }
            #expect(again.code == .wrongStatus)
            var findings = try register.read { try RegisterCheck.run($0.db, today: Self.today) }
            #expect(!findings.contains { $0.rule == "retirement-not-segregated" })

            // Retired behind the register's back (raw SQL, as a forged or old replica might hold it): reported.
            try register.replica.write { db in
                try db.execute("UPDATE interface SET status = 'retired' WHERE code = 'SPI-CHG-TAIL'")
            }
            findings = try register.read { try RegisterCheck.run($0.db, today: Self.today) }
            let found = findings.filter { $0.rule == "retirement-not-segregated" }
            #expect(
                found.count == 1 && found.first?.message.contains("SPI-CHG-TAIL") == true
                    && found.first?.message.contains("no record of who retired it") == true, "\(found)")
        }
    }

    @Test("a provider's replica cannot retire an SPI, and says so before anything else")
    func providerCannotRetire() throws {
        try withDemo(kind: .provider) { register in
            let digest = try register.digest()
            let error = try #require(throws: RegisterError.self) {
                try register.write { try Governance.retire("SPI-INC-FAB", by: Self.approver, in: $0) }
            }
            #expect(error.message.contains("only the organization approves or retires"), "\(error)")
            #expect(try register.digest() == digest)
        }
    }

    @Test("a provider's replica cannot approve, even when every gate passes")
    func providerCannotApprove() throws {
        try withDemo(kind: .provider) { register in
            // Settle the planted double A underneath the register's own rules, as the demo itself was written.
            try register.replica.write { db in
                try db.execute(
                    """
                    DELETE FROM raci_assignment
                    WHERE interface_id = ? AND activity_id = ? AND party_id = ? AND role = 'A'
                    """,
                    [
                        .text(RecordID.v5("demo:interface:SPI-CHG-TAIL")), .text(RecordID.v5("activity:CHG-CAB")),
                        .text(RecordID.v5("demo:party:TAIL")),
                    ])
            }
            let gates = try register.read { store in
                try Governance.approvalGateFailures(of: "SPI-CHG-TAIL", nextReview: "2025-09-01", in: store)
            }
            #expect(gates.isEmpty)
            let before = try interface(register, "SPI-CHG-TAIL")
            #expect(throws: (any Error).self) {
                try register.write { store in
                    try Governance.approve("SPI-CHG-TAIL", by: Self.approver, nextReview: "2025-09-01", in: store)
                }
            }
            #expect(try interface(register, "SPI-CHG-TAIL") == before)
        }
    }

    @Test("recordReview adds a review row with the outcome, reviewer, today and the SPI's version")
    func recordReview() throws {
        try withDemo { register in
            let id = try register.write { store in
                try Governance.recordReview(
                    of: "SPI-CHG-TAIL", outcome: "Changes_Required", by: Self.approver, notes: "Settle CHG-CAB",
                    in: store)
            }
            let review = try register.read { try $0.record("review", id) }
            let (spi, person) = try register.read { store in
                (try store.resolve("interface", "SPI-CHG-TAIL"), try store.resolve("person", Self.approver))
            }
            #expect(review["interface_id"] == .text(spi))
            #expect(review["outcome"] == .text("changes_required"))
            #expect(review["reviewer_id"] == .text(person))
            #expect(review["review_date"] == .text("2025-03-01"))
            #expect(review["version_reviewed"] == .text("0.9"))
            #expect(review["notes"] == .text("Settle CHG-CAB"))

            let count = try register.read { try $0.records("review").count }
            let message = expectRegisterError(.invalidValue) {
                try register.write { try Governance.recordReview(of: "SPI-CHG-TAIL", outcome: "ok", in: $0) }
            }
            #expect(message.contains("approved, changes_required, rejected"))
            #expect(try register.read { try $0.records("review").count } == count)
        }
    }

    @Test(
        "due items: reviews and active agreements ending within the window, overdue ones first",
        arguments: [
            (0, ["SPI-ISM-FAB"]), (30, ["SPI-ISM-FAB"]), (45, ["SPI-ISM-FAB", "UC-FAB"]),
            (120, ["SPI-ISM-FAB", "UC-FAB", "SPI-CHG-CON"]),
        ])
    func due(within days: Int, codes: [String]) throws {
        try withDemo { register in
            // Reviews and agreement ends (reporting obligations and re-signing: ReportingEvidenceTests, SignOffTests).
            let items = try register.read { try Governance.dueItems(in: $0, within: days) }
                .filter { [.review, .agreementEnd].contains($0.kind) }
            #expect(items.map(\.code) == codes)
            let overdue = try #require(items.first)
            #expect(overdue.kind == .review && overdue.table == "interface")
            #expect(overdue.date == "2025-02-10" && overdue.days == -19 && overdue.isOverdue)
            #expect(overdue.when == "overdue by 19 days")
            #expect(overdue.owner == "priya.natarajan@northwind.example" && overdue.provider == "FAB")
            if let ending = items.first(where: { $0.code == "UC-FAB" }) {
                #expect(ending.kind == .agreementEnd && ending.date == "2025-04-15" && ending.days == 45)
                #expect(!ending.isOverdue && ending.status == "active" && ending.when == "in 45 days")
            }
        }
    }

    @Test("due items count from the given day; retired SPIs and inactive agreements are left out")
    func dueOnOtherDays() throws {
        try withDemo { register in
            let kinds: [DueItem.Kind] = [.review, .agreementEnd]
            let onEnd = try register.read { try Governance.dueItems(in: $0, today: "2025-04-15", within: 0) }
                .filter { kinds.contains($0.kind) }
            #expect(onEnd.map(\.code) == ["SPI-ISM-FAB", "UC-FAB"])
            #expect(onEnd.map(\.days) == [-64, 0] && onEnd.last?.when == "today")
            let before = try register.read { try Governance.dueItems(in: $0, today: "2024-01-01", within: 0) }
            #expect(before.isEmpty)

            try register.write { store in
                try Governance.retire("SPI-ISM-FAB", by: Self.approver, in: store)
                try store.put("agreement", id: "UC-FAB", fields: ["status": "terminated"], mode: .update)
            }
            let after = try register.read { try Governance.dueItems(in: $0, today: "2025-04-15", within: 0) }
                .filter { kinds.contains($0.kind) }
            #expect(after.isEmpty)

            expectRegisterError(.invalidValue) {
                try register.read { try Governance.dueItems(in: $0, today: "x", within: 1) }
            }
            expectRegisterError(.invalidValue) { try register.read { try Governance.dueItems(in: $0, within: -1) } }
        }
    }
}
