import Foundation
import Testing

/// One noun's round trip: what `add` takes, a field `set` changes, and the column value it must end with.
struct NounCase: CustomStringConvertible, Sendable {
    var noun: String
    var add: [String]
    var set: [String]
    var column: String
    var expected: String
    var description: String { noun }
}

@Suite("spi NOUN add/set/remove/list/show")
struct NounCommandTests {
    static let cases: [NounCase] = [
        NounCase(
            noun: "party", add: ["--code", "TAIL", "--name", "Tailspin", "--kind", "provider"],
            set: ["--notes", "Runs ServiceNow"], column: "notes", expected: "Runs ServiceNow"),
        NounCase(
            noun: "person", add: ["--party", "FAB", "--name", "Ann Lee", "--email", "ann@fabrikam.example"],
            set: ["--active", "false"], column: "active", expected: "0"),
        NounCase(
            noun: "service",
            add: [
                "--code", "HOST", "--name", "Hosting", "--type", "technical", "--status",
                "pipeline", "--provider", "CON",
            ],
            set: ["--status", "catalogue"], column: "status", expected: "catalogue"),
        NounCase(
            noun: "agreement",
            add: [
                "--code", "UC-CON", "--title", "Hosting contract", "--type", "uc",
                "--customer", "NW", "--provider", "CON", "--start-date", "2025-01-01",
            ],
            set: ["--end-date", "2027-12-31"], column: "end_date", expected: "2027-12-31"),
        NounCase(
            noun: "target",
            add: [
                "--agreement", "UC-FAB", "--service", "SD", "--metric", "availability",
                "--value", "99.5", "--unit", "percent", "--period", "month",
            ],
            set: ["--value", "99.9"], column: "target", expected: "99.9"),
        NounCase(
            noun: "interface",
            add: [
                "--code", "SPI-PRB-FAB", "--title", "Problem management with Fabrikam",
                "--practice", "PRB", "--provider", "FAB", "--owner",
                "jane@northwind.example", "--service", "SD",
            ],
            set: ["--stage", "operation"], column: "stage", expected: "operation"),
        NounCase(
            noun: "raci",
            add: [
                "--interface", "SPI-INC-FAB", "--activity", "INC-LOG", "--party", "FAB",
                "--role", "R",
            ],
            set: ["--title", "Service desk agent"], column: "role_title", expected: "Service desk agent"),
        NounCase(
            noun: "integration",
            add: [
                "--interface", "SPI-INC-FAB", "--name", "Incident assignment",
                "--from-party", "NW", "--from-practice", "INC", "--to-party", "FAB",
                "--channel", "e_bonding", "--mandatory-item", "priority",
                "--data-item", "attachments",
            ],
            set: ["--timing", "within 15 minutes"], column: "timing", expected: "within 15 minutes"),
        NounCase(
            noun: "info",
            add: [
                "--interface", "SPI-INC-FAB", "--name", "Monthly incident report",
                "--frequency", "monthly", "--sender", "FAB", "--recipient", "NW",
                "--recipient", "jane@northwind.example",
            ],
            set: ["--due-rule", "5th business day"], column: "due_rule", expected: "5th business day"),
        NounCase(
            noun: "review",
            add: [
                "--interface", "SPI-INC-FAB", "--date", "2025-02-01", "--outcome",
                "changes_required",
            ],
            set: ["--body", "Service review board"], column: "body", expected: "Service review board"),
        NounCase(
            noun: "practice", add: ["--code", "XYZ", "--name", "Custom practice", "--category", "general"],
            set: ["--stage", "design"], column: "stage", expected: "design"),
        NounCase(
            noun: "activity",
            add: [
                "--practice", "INC", "--code", "INC-COMM", "--name", "Communicate",
                "--position", "8",
            ],
            set: ["--position", "9"], column: "position", expected: "9"),
    ]

    @Test("add prints the id; show, set, list and remove work on it", arguments: cases)
    func roundTrip(_ c: NounCase) throws {
        try withCommandFixture(.basics) { f in
            let before = try #require(try f.json(c.noun, "list", "--json") as? [[String: Any]])

            let id = try f.ok([c.noun, "add"] + c.add)
            #expect(UUID(uuidString: id) != nil && id == id.lowercased(), "add printed '\(id)'")

            let shown = try #require(try f.json(c.noun, "show", id, "--json") as? [String: Any])
            #expect(shown["id"] as? String == id)
            let text = try f.ok(c.noun, "show", id)
            #expect(text.contains(id))

            #expect(try f.ok([c.noun, "set", id] + c.set) == id)
            let updated = try #require(try f.json(c.noun, "show", id, "--json") as? [String: Any])
            #expect(updated[c.column].map { "\($0)" } == c.expected, "\(updated)")

            let listed = try #require(try f.json(c.noun, "list", "--json") as? [[String: Any]])
            #expect(listed.count == before.count + 1)
            #expect(listed.contains { $0["id"] as? String == id })
            #expect(try f.ok(c.noun, "list").split(separator: "\n").count == before.count + 2) // header + rows

            let removed = try f.ok(c.noun, "remove", id)
            #expect(removed.contains(id))
            let after = try #require(try f.json(c.noun, "list", "--json") as? [[String: Any]])
            #expect(after.count == before.count)
            try f.refused([c.noun, "show", id], status: 64)
        }
    }

    @Test("add's link options create the link rows, which remove takes along")
    func links() throws {
        try withCommandFixture(.basics) { f in
            let spi = try f.ok(
                "interface", "add", "--code", "SPI-SR-FAB", "--title", "Requests", "--practice", "SR",
                "--provider", "FAB", "--owner", "jane@northwind.example", "--service", "SD")
            let links = try #require(
                try f.json("record", "list", "interface_service", "interface_id=SPI-SR-FAB", "--json")
                    as? [[String: Any]])
            #expect(links.count == 1)
            #expect(links.first?["interface_id"] as? String == spi)

            let point = try f.ok(
                "integration", "add", "--interface", "SPI-SR-FAB", "--name", "Request hand-off",
                "--from-party", "NW", "--to-party", "FAB", "--channel", "portal",
                "--mandatory-item", "requester", "--data-item", "notes")
            let items = try #require(
                try f.json(
                    "record", "list", "integration_data_item",
                    "integration_point_id=\(point)", "--json") as? [[String: Any]])
            #expect(items.count == 2)
            #expect(Set(items.compactMap { $0["mandatory"] as? Int }) == [0, 1])

            let info = try f.ok(
                "info", "add", "--interface", "SPI-SR-FAB", "--name", "Weekly request report",
                "--frequency", "weekly", "--recipient", "NW", "--recipient", "jane@northwind.example")
            let recipients = try #require(
                try f.json(
                    "record", "list", "information_recipient",
                    "information_item_id=\(info)", "--json") as? [[String: Any]])
            #expect(recipients.count == 2)
            try f.refused(
                [
                    "info", "add", "--interface", "SPI-SR-FAB", "--name", "Bad", "--frequency", "weekly",
                    "--recipient", "nobody@nowhere.example",
                ], status: 64)

            let show = try f.ok("interface", "show", "SPI-SR-FAB")
            #expect(show.contains("integration_point: 1"))
            #expect(show.contains("FAB (")) // references show their code and id

            let removed = try f.ok("interface", "remove", "SPI-SR-FAB")
            #expect(removed.contains("7 rows it owned"), "\(removed)")
            let remaining = try #require(try f.json("record", "list", "integration_data_item", "--json") as? [Any])
            #expect(remaining.isEmpty)
        }
    }

    @Test("codes work wherever an id is expected, and list filters resolve them")
    func shortCodes() throws {
        try withCommandFixture(.basics) { f in
            let fab = try f.ok("party", "show", "FAB", "--json")
            #expect(fab.contains("\"code\":\"FAB\""))
            #expect(try f.ok("party", "show", "fab").contains("Fabrikam"))
            try f.ok(
                "raci", "add", "--interface", "SPI-INC-FAB", "--activity", "INC-LOG", "--party", "NW", "--role", "A")
            try f.ok(
                "raci", "add", "--interface", "SPI-INC-FAB", "--activity", "INC-LOG", "--party", "FAB", "--role", "R")
            let cells = try #require(
                try f.json(
                    "raci", "list", "--where", "interface_id=SPI-INC-FAB", "--where",
                    "role=A", "--json") as? [[String: Any]])
            #expect(cells.count == 1)
            let table = try f.ok("raci", "list")
            #expect(table.contains("SPI-INC-FAB") && table.contains("INC-LOG"))
            let twoAs = try f.refused(
                [
                    "raci", "add", "--interface", "SPI-INC-FAB", "--activity", "INC-LOG", "--party",
                    "CON", "--role", "A",
                ], status: 64)
            #expect(twoAs.contains("Accountable"))
        }
    }

    @Test("raci set --from-csv sets a whole matrix in one go; raci copy maps parties; a bad cell changes nothing")
    func raciMatrix() throws {
        try withCommandFixture(.basics) { f in
            try f.ok(
                "interface", "add", "--code", "SPI-INC-CON", "--title", "Incident management with Contoso",
                "--practice", "INC", "--provider", "CON", "--owner", "jane@northwind.example")
            let csv = f.directory.appendingPathComponent("raci.csv")
            try "activity,NW,FAB\nINC-LOG,A,R\nINC-DIAG,A,R/C\nINC-CLS,A/R,I\n".write(
                to: csv, atomically: true, encoding: .utf8)
            let done = try f.ok("raci", "set", "SPI-INC-FAB", "--from-csv", csv.path)
            #expect(
                done.contains("SPI-INC-FAB: 8 RACI letters added, 0 removed, 0 unchanged (3 activities × 2 parties)"),
                "\(done)")
            let rows = try #require(
                try f.json("raci", "list", "--where", "interface_id=SPI-INC-FAB", "--json") as? [[String: Any]])
            #expect(rows.count == 8)
            // A second Accountable on line 3: refused with the line, nothing changed.
            let digest = try f.ok("digest")
            try "activity,NW,FAB\nINC-LOG,A,R\nINC-DIAG,A,A\n".write(to: csv, atomically: true, encoding: .utf8)
            let refused = try f.refused(["raci", "set", "SPI-INC-FAB", "--from-csv", csv.path], status: 64)
            #expect(refused.contains("line 3: INC-DIAG already has an Accountable party (NW)"), "\(refused)")
            try "activity,NW\nINC-LOG,X\n".write(to: csv, atomically: true, encoding: .utf8)
            let bad = try f.refused(["raci", "set", "SPI-INC-FAB", "--from-csv", csv.path], status: 64)
            #expect(bad.contains("line 2, column NW: 'X' is not a RACI cell"), "\(bad)")
            let missing = try f.refused(
                ["raci", "set", "SPI-INC-FAB", "--from-csv", f.directory.appendingPathComponent("nope.csv").path],
                status: 64)
            #expect(missing.contains("cannot read"), "\(missing)")
            #expect(
                try f.refused(["raci", "set", "SPI-INC-FAB", "--from-csv", csv.path, "--role", "A"], status: 64)
                    .contains("--from-csv"))
            #expect(try f.ok("digest") == digest)
            // Copy to Contoso's SPI, Fabrikam's letters becoming Contoso's.
            let copied = try f.ok("raci", "copy", "--from", "SPI-INC-FAB", "--to", "SPI-INC-CON", "--party", "FAB=CON")
            #expect(copied.contains("copied 8 RACI rows from SPI-INC-FAB to SPI-INC-CON"), "\(copied)")
            let con = try #require(
                try f.json("raci", "list", "--where", "interface_id=SPI-INC-CON", "--where", "role=R", "--json")
                    as? [[String: Any]])
            let fab = (try f.json("party", "show", "FAB", "--json") as? [String: Any])?["id"] as? String
            #expect(con.count == 3 && fab != nil && con.allSatisfy { $0["party_id"] as? String != fab })
            let again = try f.refused(["raci", "copy", "--from", "SPI-INC-FAB", "--to", "SPI-INC-CON"], status: 64)
            #expect(again.contains("already has 8 RACI rows; add --replace"), "\(again)")
            #expect(
                try f.refused(
                    ["raci", "copy", "--from", "SPI-INC-FAB", "--to", "SPI-INC-CON", "--party", "FAB"], status: 64
                ).contains("OLD=NEW"))
        }
    }

    @Test("set clears an optional field with an empty value and refuses to clear a required one")
    func clearing() throws {
        try withCommandFixture(.basics) { f in
            try f.ok("party", "set", "FAB", "--notes", "temporary")
            try f.ok("party", "set", "FAB", "--notes", "")
            #expect(try f.ok("party", "show", "FAB", "--json").contains("\"notes\":null"))
            let message = try f.refused(["party", "set", "FAB", "--name", ""], status: 64)
            #expect(message.contains("required"))
        }
    }
}
