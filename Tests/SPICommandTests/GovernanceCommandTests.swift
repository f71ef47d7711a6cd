import Foundation
import Testing

/// The Northwind demo's organization replica, built once by `spi demo --today 2025-03-01` and copied per test.
enum DemoTemplate {
    static let today = "2025-03-01"
    static let path: Result<String, FixtureTemplates.TemplateError> = {
        do {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("spi-demo-template-\(UUID().uuidString)")
            let run = try SPIProcess.run(["demo", "--dir", directory.path, "--today", today])
            guard run.status == 0 else { return .failure(FixtureTemplates.TemplateError(message: "\(run)")) }
            return .success(directory.appendingPathComponent("northwind.db").path)
        } catch {
            return .failure(FixtureTemplates.TemplateError(message: "\(error)"))
        }
    }()
}

/// A fixture whose `register.db` is a copy of the Northwind demo's organization replica.
func withDemoFixture<T>(_ body: (CommandFixture) throws -> T) throws -> T {
    try withCommandFixture(.none) { f in
        try FileManager.default.copyItem(atPath: try DemoTemplate.path.get(), toPath: f.db)
        return try body(f)
    }
}

@Suite("spi interface submit/approve, spi review add, spi due")
struct GovernanceCommandTests {
    static let approver = "sofia.lindqvist@northwind.example"

    /// Today's date as the `spi` process sees it (local time zone).
    static var today: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Runs a command that must be refused with exit status 64, leaving the register's digest and file unchanged;
    /// returns its stderr lines.
    func refusedLines(_ f: CommandFixture, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation)
        throws -> [String]
    {
        let digest = try f.ok("digest")
        let bytes = FileManager.default.contents(atPath: f.db)
        let run = try f.spi(arguments)
        #expect(run.status == 64, "\(run)", sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "\(run)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("error: "), "\(run)", sourceLocation: sourceLocation)
        #expect(try f.ok("digest") == digest, sourceLocation: sourceLocation)
        #expect(FileManager.default.contents(atPath: f.db) == bytes, sourceLocation: sourceLocation)
        return run.stderr.split(separator: "\n").map(String.init)
    }

    /// The id of the RACI cell SPI × activity × party × letter.
    func raciID(_ f: CommandFixture, _ spi: String, _ activity: String, _ party: String, _ role: String) throws
        -> String
    {
        let cells = try #require(
            try f.json(
                "raci", "list", "--where", "interface_id=\(spi)", "--where", "activity_id=\(activity)",
                "--where", "party_id=\(party)", "--where", "role=\(role)", "--json") as? [[String: Any]])
        try #require(cells.count == 1)
        return try #require(cells[0]["id"] as? String)
    }

    func field(_ f: CommandFixture, _ noun: String, _ id: String, _ column: String) throws -> String? {
        let row = try #require(try f.json(noun, "show", id, "--json") as? [String: Any])
        return row[column] as? String
    }

    @Test("submit moves a draft to in_review; from any other status it is refused, naming the status")
    func submit() throws {
        try withDemoFixture { f in
            #expect(try f.ok("interface", "submit", "SPI-CFG-TAIL") == "SPI-CFG-TAIL: draft → in_review")
            #expect(try field(f, "interface", "SPI-CFG-TAIL", "status") == "in_review")
            let again = try f.refused(["interface", "submit", "SPI-CFG-TAIL"], status: 64)
            #expect(again == "error: SPI-CFG-TAIL is in_review; only a draft SPI can be submitted for review\n")
            let approved = try f.refused(["interface", "submit", "SPI-INC-FAB"], status: 64)
            #expect(approved.contains("SPI-INC-FAB is approved"))
            try f.refused(["interface", "submit", "SPI-NOPE"], status: 64)
        }
    }

    @Test("raci add keeps to the SPI's practice unless --other-practice is given")
    func otherPractice() throws {
        try withDemoFixture { f in
            let add = [
                "raci", "add", "--interface", "SPI-INC-FAB", "--activity", "CHG-CAB", "--party", "FAB", "--role", "C",
            ]
            let lines = try refusedLines(f, add)
            #expect(
                lines.first?.contains("CHG-CAB is an activity of CHG, not of SPI-INC-FAB's practice INC") == true,
                "\(lines)")
            #expect(lines.first?.contains("--other-practice") == true)
            try f.ok(add + ["--other-practice"])
        }
    }

    @Test("a due rule the calendar does not understand is refused on entry, with the forms it understands")
    func dueRules() throws {
        try withDemoFixture { f in
            let add = [
                "info", "add", "--interface", "SPI-INC-FAB", "--name", "Problem trend report", "--frequency", "monthly",
            ]
            let lines = try refusedLines(f, add + ["--due-rule", "second Tuesday"])
            #expect(
                lines.first?.contains("the due rule 'second Tuesday' is not understood for a monthly item") == true,
                "\(lines)")
            #expect(lines.first?.contains("'5th business day'") == true)
            try f.ok(add + ["--due-rule", "2nd business day"])
            try f.ok([
                "info", "add", "--interface", "SPI-INC-FAB", "--name", "Major incident report", "--frequency",
                "on_event", "--due-rule", "within 2 business days of resolution",
            ])
        }
    }

    @Test("spi level record: met or missed and by how much, corrections in place, refusals that change nothing")
    func levelRecord() throws {
        try withDemoFixture { f in
            // UC-FAB's P1 response target (10 minutes), by an 8-character id prefix.
            let missed = try f.ok(
                "level", "record", "7c865136", "--period", "2025-02", "--value", "12", "--source", "Jira")
            #expect(
                missed
                    == "recorded UC-FAB / SDESK / time_to_respond / P1 / 2025-02: 12.0 minutes, MISSED by 2.0 minutes (target 10.0)",
                "\(missed)")
            let met = try f.ok("level", "record", "7c865136", "--period", "2025-02", "--value", "9")
            #expect(met.hasSuffix("9.0 minutes, met (target 10.0)"), "\(met)")
            let rows = try #require(
                try f.json("level", "list", "--where", "period=2025-02", "--json") as? [[String: Any]])
            #expect(rows.filter { ($0["target_id"] as? String)?.hasPrefix("7c865136") == true }.count == 1)
            let report = try f.ok("report", "levels", "--provider", "FAB")
            #expect(report.contains("2025-02: 9 ✓"), "\(report)")
            try f.refused(["level", "record", "7c865136", "--period", "February", "--value", "9"], status: 64)
            try f.refused(["level", "record", "7c865136", "--period", "2025-02", "--value", "fast"], status: 64)
            try f.refused(["level", "record", "00000000", "--period", "2025-02", "--value", "9"], status: 64)
        }
    }

    @Test("approve names every failing gate on its own line and changes nothing")
    func approveGates() throws {
        try withDemoFixture { f in
            // The demo plants two Accountables on CHG-CAB; plant a missing one on CHG-RFC.
            try f.ok("raci", "remove", try raciID(f, "SPI-CHG-TAIL", "CHG-RFC", "SIAM", "A"))
            let lines = try refusedLines(f, ["interface", "approve", "SPI-CHG-TAIL", "--by", Self.approver])
            // SPI-CHG-TAIL has a review interval, so its next review follows from the approval date: no gate on it.
            #expect(
                lines == [
                    "error: cannot approve SPI-CHG-TAIL: 2 approval gates fail",
                    "  - RACI: CHG-RFC (Raise request for change) has no Accountable; it needs exactly one",
                    "  - RACI: CHG-CAB (Authorize) has 2 Accountables (SIAM, TAIL); it needs exactly one",
                ])
            #expect(try field(f, "interface", "SPI-CHG-TAIL", "status") == "in_review")

            try f.ok("interface", "submit", "SPI-CFG-TAIL")
            let cfg = try refusedLines(
                f, ["interface", "approve", "SPI-CFG-TAIL", "--by", Self.approver, "--next-review", "2020-01-01"])
            #expect(
                cfg == [
                    "error: cannot approve SPI-CFG-TAIL: 2 approval gates fail",
                    "  - information items: none; an SPI needs at least one",
                    "  - next review: 2020-01-01 is not in the future; it must be after today (\(Self.today))",
                ])
        }
    }

    @Test("approve sets the status, approver, date and next review once every gate passes")
    func approve() throws {
        try withDemoFixture { f in
            try f.ok("raci", "remove", try raciID(f, "SPI-CHG-TAIL", "CHG-CAB", "TAIL", "A"))
            let out = try f.ok(
                "interface", "approve", "SPI-CHG-TAIL", "--by", Self.approver, "--date", "2025-03-01",
                "--next-review", "2099-03-01")
            #expect(
                out == "SPI-CHG-TAIL: in_review → approved, by \(Self.approver) on 2025-03-01; next review 2099-03-01")
            let row = try #require(try f.json("interface", "show", "SPI-CHG-TAIL", "--json") as? [String: Any])
            let person = try #require(try f.json("person", "show", Self.approver, "--json") as? [String: Any])
            #expect(row["status"] as? String == "approved")
            #expect(row["approved_by"] as? String == person["id"] as? String)
            #expect(row["approved_on"] as? String == "2025-03-01")
            #expect(row["next_review"] as? String == "2099-03-01")

            let twice = try f.refused(["interface", "approve", "SPI-CHG-TAIL", "--by", Self.approver], status: 64)
            #expect(twice == "error: SPI-CHG-TAIL is approved; only an SPI in review (in_review) can be approved\n")
        }
    }

    @Test("approve refuses a draft, an unknown approver, a bad date and a missing --by")
    func approveRefusals() throws {
        try withDemoFixture { f in
            let draft = try f.refused(["interface", "approve", "SPI-CFG-TAIL", "--by", Self.approver], status: 64)
            #expect(draft.contains("SPI-CFG-TAIL is draft") && draft.contains("submit it for review first"))
            let nobody = try f.refused(
                ["interface", "approve", "SPI-CHG-TAIL", "--by", "nobody@x.example"], status: 64)
            #expect(nobody.contains("nobody@x.example"))
            let date = try f.refused(
                ["interface", "approve", "SPI-CHG-TAIL", "--by", Self.approver, "--date", "2025-02-30"], status: 64)
            #expect(date.contains("--date") && date.contains("YYYY-MM-DD"))
            try f.refused(["interface", "approve", "SPI-CHG-TAIL"], status: 64)
        }
    }

    @Test(
        "segregation of duties: neither a provider's employee nor the SPI's owner may approve (exit 64, the rule named)"
    )
    func approveSegregation() throws {
        try withDemoFixture { f in
            let extra = try #require(
                try f.json(
                    "raci", "list", "--where", "interface_id=SPI-CHG-TAIL", "--where", "activity_id=CHG-CAB",
                    "--where", "party_id=TAIL", "--where", "role=A", "--json") as? [[String: Any]])
            try f.ok("raci", "remove", try #require(extra.first?["id"] as? String))
            let people = try #require(try f.json("person", "list", "--json") as? [[String: Any]])
            let owner =
                try #require(try f.json("interface", "show", "SPI-CHG-TAIL", "--json") as? [String: Any])["owner_id"]
                as? String
            let tailspin =
                try #require(try f.json("party", "show", "TAIL", "--json") as? [String: Any])["id"] as? String
            let employee = try #require(people.first { $0["party_id"] as? String == tailspin }?["id"] as? String)
            for (who, words) in [
                (employee, "only a person of the organization"), (try #require(owner), "owns this SPI"),
            ] {
                let refused = try f.refused(
                    ["interface", "approve", "SPI-CHG-TAIL", "--by", who, "--next-review", "2030-01-01"], status: 64)
                #expect(refused.hasPrefix("error: segregation of duties:") && refused.contains(words), "\(refused)")
            }
        }
    }

    @Test(
        "spi interface retire: refused for the SPI's owner (exit 64, the rule named); by an approver it records who, when and why; a plain status edit and a retired review outcome are refused"
    )
    func retire() throws {
        try withDemoFixture { f in
            let owner =
                try #require(try f.json("interface", "show", "SPI-ISM-FAB", "--json") as? [String: Any])["owner_id"]
                as? String
            let refused = try f.refused(
                ["interface", "retire", "SPI-ISM-FAB", "--by", try #require(owner)], status: 64)
            #expect(
                refused.hasPrefix("error: segregation of duties:") && refused.contains("cannot retire it"), "\(refused)"
            )
            let plain = try f.refused(["interface", "set", "SPI-ISM-FAB", "--status", "retired"])
            #expect(plain.contains("spi interface retire SPI-ISM-FAB --by PERSON"), "\(plain)")
            let review = try f.refused(["review", "add", "SPI-ISM-FAB", "--outcome", "retired", "--by", Self.approver])
            #expect(review.contains("spi interface retire"), "\(review)")
            try f.refused(["interface", "retire", "SPI-ISM-FAB", "--by", Self.approver, "--date", "2026-02-30"])

            let done = try f.ok(
                "interface", "retire", "SPI-ISM-FAB", "--by", Self.approver, "--date", "2026-01-31", "--notes",
                "Merged into SPI-INC-FAB")
            #expect(
                done.hasPrefix("SPI-ISM-FAB: ") && done.contains("→ retired, by ") && done.hasSuffix("on 2026-01-31"),
                "\(done)")
            let reviews = try #require(
                try f.json("review", "list", "--where", "outcome=retired", "--json") as? [[String: Any]])
            #expect(reviews.count == 1 && reviews.first?["notes"] as? String == "Merged into SPI-INC-FAB", "\(reviews)")
            let again = try f.refused(["interface", "retire", "SPI-ISM-FAB", "--by", Self.approver])
            #expect(again.contains("retired already"), "\(again)")
            let check = try f.spi("check")
            #expect(!check.stdout.isEmpty && !check.stdout.contains("retirement-not-segregated"), "\(check)")
        }
    }

    @Test("review add takes the SPI as an argument and --by; the --interface/--reviewer form still works")
    func reviewAdd() throws {
        try withDemoFixture { f in
            let person = try #require(try f.json("person", "show", Self.approver, "--json") as? [String: Any])
            let spi = try #require(try f.json("interface", "show", "SPI-INC-FAB", "--json") as? [String: Any])
            let id = try f.ok(
                "review", "add", "SPI-INC-FAB", "--outcome", "changes_required", "--by", Self.approver,
                "--date", "2025-03-02", "--notes", "Tighten the major incident timings")
            let review = try #require(try f.json("review", "show", id, "--json") as? [String: Any])
            #expect(review["interface_id"] as? String == spi["id"] as? String)
            #expect(review["outcome"] as? String == "changes_required")
            #expect(review["reviewer_id"] as? String == person["id"] as? String)
            #expect(review["review_date"] as? String == "2025-03-02")
            #expect(review["version_reviewed"] as? String == "2.1")
            #expect(review["notes"] as? String == "Tighten the major incident timings")

            let old = try f.ok(
                "review", "add", "--interface", "SPI-INC-FAB", "--date", "2025-03-03", "--outcome", "approved",
                "--reviewer", Self.approver, "--version", "2.2", "--body", "Service review board")
            let oldRow = try #require(try f.json("review", "show", old, "--json") as? [String: Any])
            #expect(oldRow["outcome"] as? String == "approved" && oldRow["version_reviewed"] as? String == "2.2")
            #expect(oldRow["reviewer_id"] as? String == person["id"] as? String)
            let undated = try f.ok("review", "add", "SPI-INC-FAB", "--outcome", "rejected")
            #expect(try field(f, "review", undated, "review_date") == Self.today)

            let bad = try f.refused(
                ["review", "add", "SPI-INC-FAB", "--outcome", "ok", "--by", Self.approver], status: 64)
            #expect(bad.contains("'ok'") && bad.contains("approved, changes_required, rejected"))
            try f.refused(["review", "add", "--outcome", "approved"], status: 64)
            try f.refused(["review", "add", "SPI-INC-FAB"], status: 64)
            try f.refused(
                ["review", "add", "SPI-INC-FAB", "--interface", "SPI-SR-FAB", "--outcome", "approved"], status: 64)
            try f.refused(["review", "add", "SPI-NOPE", "--outcome", "approved"], status: 64)
            try f.refused(
                ["review", "add", "SPI-INC-FAB", "--outcome", "approved", "--by", "nobody@x.example"], status: 64)
        }
    }

    @Test("due lists reviews and agreement ends within the window, overdue ones marked, sorted by date")
    func due() throws {
        try withDemoFixture { f in
            // Within 30 days: Fabrikam's February incident report, never delivered (the demo records deliveries for
            // three items); the review overdue; SPI-CHG-CON, which Contoso edited after the demo's sign-off, due to
            // be signed again; and the three tracked reports due on 2025-03-07.
            let soon = try #require(try f.json("due", "--today", "2025-03-01", "--json") as? [[String: Any]])
            #expect(
                soon.compactMap { $0["kind"] as? String } == [
                    "report", "review", "sign-again", "report", "report", "report",
                ])
            #expect(soon.first?["code"] as? String == "SPI-INC-FAB" && soon.first?["days"] as? Int == -22)
            #expect(soon.first?["title"] as? String == "Incident performance report (missing)")
            #expect(soon.first?["table"] as? String == "information_item" && soon.first?["overdue"] as? Bool == true)
            let review = try #require(soon.first { $0["kind"] as? String == "review" })
            #expect(
                review["code"] as? String == "SPI-ISM-FAB" && review["days"] as? Int == -19
                    && review["overdue"] as? Bool == true)
            let again = try #require(soon.first { $0["kind"] as? String == "sign-again" })
            #expect(
                again["code"] as? String == "SPI-CHG-CON" && again["days"] as? Int == 0
                    && again["overdue"] as? Bool == false)
            #expect(
                Set(review.keys.map { $0 }) == [
                    "kind", "table", "id", "code", "title", "date", "days", "overdue", "status", "owner", "provider",
                ])

            let later = try #require(
                try f.json("due", "--today", "2025-03-01", "--within", "120", "--json") as? [[String: Any]])
            let kinds: Set<String> = ["review", "agreement-end", "sign-again"]
            let governance = later.filter { kinds.contains($0["kind"] as? String ?? "") }
            #expect(
                governance.compactMap { $0["code"] as? String } == [
                    "SPI-ISM-FAB", "SPI-CHG-CON", "UC-FAB", "SPI-CHG-CON",
                ])
            #expect(
                governance.compactMap { $0["date"] as? String } == [
                    "2025-02-10", "2025-03-01", "2025-04-15", "2025-06-16",
                ])
            #expect(
                governance.compactMap { $0["kind"] as? String } == ["review", "sign-again", "agreement-end", "review"])
            #expect(later.count == governance.count + 4)

            let text = try f.ok("due", "--today", "2025-03-01", "--within", "120")
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("date        when") == true, "\(text)")
            try #require(lines.count == 10, "\(text)")
            #expect(
                lines[1].hasPrefix(
                    "2025-02-07  overdue by 22 days  report                SPI-INC-FAB  Incident performance report (missing)"
                ), "\(text)")
            #expect(
                lines[2].hasPrefix("2025-02-10  overdue by 19 days  review                SPI-ISM-FAB  "), "\(text)")
            #expect(
                lines[3].hasPrefix("2025-03-01  today               changed since signed  SPI-CHG-CON  "), "\(text)")
            #expect(
                lines[7].hasPrefix("2025-04-15  in 45 days          agreement ends        UC-FAB       "), "\(text)")
            #expect(lines[7].hasSuffix("kenji.watanabe@northwind.example"), "\(text)")
            #expect(lines.last == "8 items due within 120 days of 2025-03-01, 2 overdue")
            // Delivering the missing report takes it off the list.
            let incident = try #require(soon.first?["id"] as? String)
            let delivered = try f.ok(
                "info", "deliver", String(incident.prefix(8)), "--date", "2025-02-12", "--period", "2025-02")
            #expect(delivered.hasSuffix("due 2025-02-07, delivered 5 days late (2025-02-12)"), "\(delivered)")
            let after = try #require(try f.json("due", "--today", "2025-03-01", "--json") as? [[String: Any]])
            #expect(!after.contains { ($0["title"] as? String)?.hasSuffix("(missing)") == true }, "\(after)")
            try f.refused(
                ["info", "deliver", String(incident.prefix(8)), "--date", "2025-02-12", "--period", "February"],
                status: 64)

            #expect(
                try f.ok("due", "--today", "2024-01-01", "--within", "0") == "nothing due within 0 days of 2024-01-01")
            #expect(try f.ok("due", "--today", "2024-01-01", "--within", "0", "--json") == "[]")
            try f.refused(["due", "--within", "-1"], status: 64)
            try f.refused(["due", "--today", "2025-13-01"], status: 64)
        }
    }

    @Test("the governance commands have help with examples")
    func help() throws {
        let commands = [["interface", "submit"], ["interface", "approve"], ["review", "add"], ["due"]]
        for (command, run) in zip(commands, try runConcurrently(commands.map { $0 + ["--help"] })) {
            #expect(run.status == 0, "\(command): \(run)")
            #expect(run.stdout.contains("OVERVIEW: ") && run.stdout.contains("Examples:"), "\(command)")
            #expect(run.stdout.contains("--db <path>"), "\(command)")
        }
        let interface = try SPIProcess.run(["interface", "--help"])
        #expect(interface.stdout.contains("submit") && interface.stdout.contains("approve"))
        let review = try SPIProcess.run(["review", "add", "--help"])
        #expect(review.stdout.contains("--by") && review.stdout.contains("--interface"))
    }

    @Test(
        "spi finding assign gives a finding to someone: spi check shows who and when, spi due lists it until it is fixed"
    )
    func findingActions() throws {
        try withCommandFixture(.basics) { f in
            // The basics' SPI has no RACI yet: a finding to give.
            let assigned = try f.ok(
                "finding", "assign", "interface-without-raci", "SPI-INC-FAB", "--owner", "jane@northwind.example",
                "--due", "2026-12-31", "--note", "Fill in the matrix with Fabrikam")
            #expect(
                assigned.contains("interface-without-raci on SPI-INC-FAB: jane@northwind.example, due 2026-12-31"),
                "\(assigned)")
            #expect(try f.ok("check").contains("jane@northwind.example, due 2026-12-31"))
            let due = try f.ok("due", "--today", "2026-12-20", "--within", "30")
            #expect(
                due.contains("finding to fix") && due.contains("SPI-INC-FAB") && due.contains("jane@northwind.example"),
                "\(due)")
            let refused = try f.refused(
                [
                    "finding", "assign", "interface-without-raci", "SPI-NOPE", "--owner", "jane@northwind.example",
                    "--due", "2026-12-31",
                ],
                status: 64)
            #expect(
                refused.contains(
                    "no current interface-without-raci finding points at 'SPI-NOPE'; it points at: SPI-INC-FAB"),
                "\(refused)")
            #expect(
                try f.refused(["finding", "assign", "x", "y", "--owner", "z", "--due", "tomorrow"], status: 64)
                    .contains("--due"))
            // Fixed: the SPI gets a RACI row; the finding goes from spi due, and the list says fixed.
            try f.ok(
                "raci", "add", "--interface", "SPI-INC-FAB", "--activity", "INC-LOG", "--party", "FAB", "--role", "R")
            #expect(try !f.ok("due", "--today", "2026-12-20", "--within", "30").contains("finding to fix"))
            let list = try f.ok("finding", "list")
            #expect(list.contains("fixed") && list.contains("Fill in the matrix with Fabrikam"), "\(list)")
            let json = try #require(try f.json("finding", "list", "--json") as? [[String: Any]])
            #expect(json.count == 1 && json[0]["message"] == nil && json[0]["subject"] as? String == "SPI-INC-FAB")
        }
    }
}
