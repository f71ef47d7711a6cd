import Foundation
import Testing

@Suite("spi record, schema, export, import, digest")
struct RecordCommandTests {
    @Test("record put inserts and updates, get and list read, delete removes")
    func generic() throws {
        try withCommandFixture(.basics) { f in
            let id = try f.ok(
                "record", "put", "party", "code=TAIL", "name=Tailspin Application Services",
                "kind=provider")
            #expect(UUID(uuidString: id) != nil)
            #expect(try f.ok("record", "put", "party", "--id", "TAIL", "notes=ServiceNow") == id)
            let row = try #require(try f.json("record", "get", "party", id, "--json") as? [String: Any])
            #expect(row["notes"] as? String == "ServiceNow")
            #expect(row["name"] as? String == "Tailspin Application Services")
            #expect(try f.ok("record", "get", "party", "TAIL").contains("ServiceNow"))

            // Reference data takes edits too, by code.
            try f.ok("record", "put", "practice", "--id", "INC", "owner_id=jane@northwind.example")
            let inc = try #require(try f.json("record", "get", "practice", "INC", "--json") as? [String: Any])
            #expect((inc["owner_id"] as? String)?.count == 36)

            // A new id is inserted as given.
            let chosen = UUID().uuidString.lowercased()
            #expect(try f.ok("record", "put", "party", "--id", chosen, "code=X", "name=X", "kind=integrator") == chosen)

            let activities = try #require(
                try f.json("record", "list", "activity", "practice_id=CHG", "--json")
                    as? [[String: Any]])
            #expect(activities.count == 5)

            let deleted = try f.ok("record", "delete", "party", "TAIL")
            #expect(deleted == "party \(id)")
            try f.refused(["record", "get", "party", id], status: 64)
        }
    }

    @Test("schema lists every table and column, as text and JSON")
    func schema() throws {
        try withCommandFixture(.none) { f in
            let text = try f.ok("schema")
            for table in ["party", "information_recipient", "service_level_target (spi target)"] {
                #expect(text.contains(table))
            }
            let json = try #require(try f.json("schema", "--json") as? [String: [String: Any]])
            #expect(json.count == 22)
            let columns = try #require(json["party"]?["columns"] as? [[String: Any]])
            #expect(columns.map { $0["name"] as? String } == ["id", "code", "name", "kind", "internal", "notes"])
            let kind = try #require(columns.first { $0["name"] as? String == "kind" })
            #expect(kind["values"] as? [String] == ["organization", "integrator", "provider"])
            #expect(kind["required"] as? Bool == true)
            #expect(!FileManager.default.fileExists(atPath: f.db))

            // docs/schema.md carries the generated reference, unchanged.
            let markdown = try f.ok("schema", "--markdown")
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let doc = try String(contentsOf: root.appendingPathComponent("docs/schema.md"), encoding: .utf8)
            #expect(doc.contains(markdown), "docs/schema.md is out of date: regenerate it with `spi schema --markdown`")
            for table in json.keys { #expect(doc.contains("### `\(table)`")) }
        }
    }

    @Test("export to stdout and to a file, import into a fresh replica of the register, same bytes and digest")
    func exportImport() throws {
        try withCommandFixture(.basics) { f in
            try f.ok(
                "target", "add", "--agreement", "UC-FAB", "--service", "SD", "--metric", "time_to_resolve",
                "--priority", "P1", "--value", "4", "--unit", "hours")
            let stdout = try f.spi("export")
            #expect(stdout.status == 0)
            let file = f.directory.appendingPathComponent("export.json").path
            try f.ok("export", "--out", file)
            let exported = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(Data(stdout.stdout.utf8) == exported)
            #expect(String(decoding: exported, as: UTF8.self).contains("\"target\":4.0"))

            let register = try #require(try f.json("whoami", "--json") as? [String: String])["registerId"]!
            let copy = f.directory.appendingPathComponent("copy.db").path
            let created = try SPIProcess.run([
                "--db", copy, "init", "--name", "Copy", "--kind", "provider",
                "--register", register,
            ])
            #expect(created.status == 0)
            let imported = try SPIProcess.run(["--db", copy, "import", file])
            #expect(imported.status == 0, "\(imported)")
            #expect(imported.stdout.contains("8 inserted"))
            let again = try SPIProcess.run(["--db", copy, "export"])
            #expect(Data(again.stdout.utf8) == exported)
            let digest = try f.ok("digest")
            #expect(digest.count == 64 && digest.allSatisfy(\.isHexDigit))
            #expect(try SPIProcess.run(["--db", copy, "digest"]).output == digest)
            // Exporting twice gives the same bytes.
            #expect(try f.spi("export").stdout == stdout.stdout)
        }
    }
}
