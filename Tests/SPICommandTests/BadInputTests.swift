import Foundation
import Testing

/// One command that must be refused, and what the error must mention.
struct BadInput: CustomStringConvertible, Sendable {
    var name: String
    var arguments: [String]
    var mentions: [String]
    var status: Int32 = 64
    var description: String { name }
}

@Suite("bad input is refused with one clear line, a non-zero exit, and the file unchanged")
struct BadInputTests {
    static let cases: [BadInput] = [
        BadInput(
            name: "unknown table", arguments: ["record", "put", "parties", "code=X"],
            mentions: ["parties", "party", "information_recipient"]),
        BadInput(name: "unknown table (get)", arguments: ["record", "get", "nope", "FAB"], mentions: ["nope"]),
        BadInput(
            name: "unknown column", arguments: ["record", "put", "party", "--id", "FAB", "colour=red"],
            mentions: ["colour", "code, name, kind, internal, notes"]),
        BadInput(
            name: "unknown party code", arguments: ["person", "add", "--party", "XYZ", "--name", "Nobody"],
            mentions: ["XYZ", "FAB"]),
        BadInput(
            name: "unknown party code (record)", arguments: ["record", "put", "person", "party_id=XYZ", "name=N"],
            mentions: ["XYZ"]),
        BadInput(
            name: "unknown enum value", arguments: ["party", "add", "--code", "V", "--name", "V", "--kind", "vendor"],
            mentions: ["vendor", "organization, integrator, provider"]),
        BadInput(
            name: "unknown enum value (channel)",
            arguments: [
                "integration", "add", "--interface", "SPI-INC-FAB", "--name", "x", "--from-party", "NW",
                "--to-party", "FAB", "--channel", "fax",
            ],
            mentions: ["fax", "api, e_bonding, email, portal, phone, file, meeting"]),
        BadInput(
            name: "missing required field", arguments: ["party", "add", "--code", "V"],
            mentions: ["name", "kind", "--kind"]),
        BadInput(
            name: "missing required field (target)",
            arguments: ["target", "add", "--agreement", "UC-FAB", "--service", "SD", "--metric", "availability"],
            mentions: ["target (--value)", "unit"]),
        BadInput(
            name: "non-UUID id", arguments: ["record", "put", "raci_assignment", "--id", "not-a-uuid", "role=R"],
            mentions: ["not-a-uuid", "UUID"]),
        BadInput(name: "non-UUID id (show)", arguments: ["target", "show", "12345"], mentions: ["12345", "UUID"]),
        BadInput(
            name: "non-UUID id (unknown code)", arguments: ["party", "set", "not-a-uuid", "--notes", "x"],
            mentions: ["not-a-uuid", "UUID"]),
        BadInput(
            name: "malformed assignment", arguments: ["record", "put", "party", "code"], mentions: ["COLUMN=VALUE"]),
        BadInput(
            name: "invalid date", arguments: ["agreement", "set", "UC-FAB", "--end-date", "31/12/2026"],
            mentions: ["YYYY-MM-DD"]),
        BadInput(
            name: "duplicate code", arguments: ["party", "add", "--code", "fab", "--name", "F", "--kind", "provider"],
            mentions: ["fab", "already"]),
        BadInput(
            name: "rule: end before start", arguments: ["agreement", "set", "UC-FAB", "--end-date", "2024-01-01"],
            mentions: ["ends after it starts"]),
        BadInput(
            name: "rule: approval", arguments: ["interface", "set", "SPI-INC-FAB", "--status", "approved"],
            mentions: ["approving", "approver"]),
        BadInput(name: "still referenced", arguments: ["party", "remove", "FAB"], mentions: ["FAB", "referred"]),
        BadInput(name: "unknown option", arguments: ["party", "add", "--colour", "red"], mentions: ["colour"]),
        BadInput(
            name: "import of a missing file", arguments: ["import", "/nonexistent/export.json"],
            mentions: ["/nonexistent/export.json"]),
    ]

    @Test("refused", arguments: cases)
    func refused(_ bad: BadInput) throws {
        try withCommandFixture(.basics) { f in
            let message = try f.refused(bad.arguments, status: bad.status)
            for part in bad.mentions {
                #expect(message.contains(part), "\(bad.name): \(message)")
            }
        }
    }

    @Test("an import of a malformed file is refused and changes nothing")
    func badImport() throws {
        try withCommandFixture(.basics) { f in
            let file = f.directory.appendingPathComponent("bad.json")
            try Data("{\"party\": [{\"id\": \"0193\", \"code\": \"X\"}]}".utf8).write(to: file)
            let message = try f.refused(["import", file.path], status: 64)
            #expect(message.contains("UUID"))
            try Data("{\"party\": [".utf8).write(to: file)
            try f.refused(["import", file.path], status: 64)
        }
    }

    @Test("an import with a value over 1 MiB is refused, naming the limit and not echoing the value")
    func oversizeImport() throws {
        try withCommandFixture(.basics) { f in
            let file = f.directory.appendingPathComponent("big.json")
            let notes = String(repeating: "x", count: 1_048_577)
            let row = """
                {"party": [{"id": "0193a000-0000-7000-8000-000000000001", "code": "BIG", "name": "Big", \
                "kind": "provider", "notes": "\(notes)"}]}
                """
            try Data(row.utf8).write(to: file)
            let message = try f.refused(["import", file.path], status: 64)
            #expect(message.contains("1048577 bytes") && message.contains("1 MiB"), "\(message.prefix(300))")
            #expect(message.count < 400)
            // At the limit itself, the value is taken.
            try Data(row.replacingOccurrences(of: notes, with: String(notes.dropLast())).utf8).write(to: file)
            try f.ok("import", file.path)
            #expect(try f.ok("record", "get", "party", "BIG", "--json").contains("\"code\""))
        }
    }

    @Test("a path that is a directory is refused")
    func directory() throws {
        try withCommandFixture(.none) { f in
            for arguments in [
                ["party", "list"], ["whoami"], ["export"], ["init", "--name", "X", "--kind", "organization"],
            ] {
                let run = try SPIProcess.run(["--db", f.directory.path] + arguments)
                #expect(run.status != 0, "\(arguments)")
                #expect(
                    run.stderr.hasPrefix("error: ") && run.stderr.contains("directory") || arguments[0] == "init",
                    "\(run)")
                #expect(run.stderr.filter { $0 == "\n" }.count == 1)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: f.directory.path).isEmpty)
        }
    }

    @Test("a file that is not SQLite, or not a register, is refused and left unchanged")
    func notSQLite() throws {
        try withCommandFixture(.none) { f in
            let text = f.directory.appendingPathComponent("notes.db")
            let bytes = Data(String(repeating: "This is not a database.\n", count: 200).utf8)
            try bytes.write(to: text)
            let fixture = CommandFixture(directory: f.directory, db: text.path)
            for arguments in [
                ["party", "list"], ["party", "add", "--code", "X", "--name", "X", "--kind", "provider"],
                ["record", "put", "party", "code=X"], ["export"], ["digest"], ["check"],
            ] {
                let message = try fixture.refused(arguments, status: 1)
                #expect(message.contains("not a SQLite database"), "\(message)")
            }
            #expect(try Data(contentsOf: text) == bytes)

            let missing = CommandFixture(directory: f.directory, db: f.directory.appendingPathComponent("none.db").path)
            let message = try missing.refused(["party", "list"], status: 1)
            #expect(message.contains("spi init"))
            #expect(!FileManager.default.fileExists(atPath: missing.db))
        }
    }
}
