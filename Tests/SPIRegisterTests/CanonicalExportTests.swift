import Foundation
import SPIRegister
import SPIReplication
import SPISQLite
import Testing

@Suite("Canonical export and import")
struct CanonicalExportTests {
    /// Two registers of the same content, built in different orders on different replicas.
    @Test("two replicas with the same content export byte-identical JSON, tables and rows in order")
    func stableOrder() throws {
        try withTemporaryDirectory { dir in
            let a = try Register.create(
                at: dir.appendingPathComponent("a.db").path, name: "A", kind: .organization, registerID: nil,
                logger: quietLogger)
            let b = try Register.create(
                at: dir.appendingPathComponent("b.db").path, name: "B", kind: .organization, registerID: nil,
                logger: quietLogger)
            let ids = (0..<5).map { _ in RecordID.v7() }
            try a.write { store in
                for (i, id) in ids.enumerated() {
                    try store.put("party", id: id, fields: ["code": "P\(i)", "name": "Party \(i)", "kind": "provider"])
                }
            }
            try b.write { store in
                for (i, id) in ids.enumerated().reversed() {
                    try store.put("party", id: id, fields: ["code": "P\(i)", "name": "Party \(i)", "kind": "provider"])
                }
            }
            let exportA = try a.exportCanonical()
            #expect(exportA == (try b.exportCanonical()))
            #expect(try a.digest() == (try b.digest()))

            let json = try JSONValue(parsing: exportA)
            let tables = try #require(json.objectValue)
            #expect(Set(tables.keys) == Set(RegisterSchema.tableNames))
            #expect(tables["review"] == .array([]))
            let partyIDs = try #require(tables["party"]?.arrayValue).compactMap { $0["id"]?.stringValue }
            #expect(partyIDs == ids.sorted())
            let text = String(decoding: exportA, as: UTF8.self)
            #expect(text.hasPrefix("{\n  \"activity\": [\n    {\"code\":\""))
            #expect(text.hasSuffix("  \"service_level_target\": []\n}\n"))
            #expect(!text.contains("_spi_"))
            // Keys sorted, every column present, booleans and reals typed.
            let firstParty = try #require(tables["party"]?.arrayValue?.first)
            #expect(
                firstParty
                    == .object([
                        "id": .string(ids.sorted()[0]), "code": .string("P\(ids.firstIndex(of: ids.sorted()[0])!)"),
                        "name": .string("Party \(ids.firstIndex(of: ids.sorted()[0])!)"), "kind": "provider",
                        "internal": .integer(0), "notes": .null,
                    ]))
            #expect(try a.digest().count == 64)
            #expect(try a.digest() == Register.sha256Hex(exportA))
        }
    }

    @Test("export, then import into a fresh replica of the same register, gives identical bytes")
    func roundTrip() throws {
        try withTemporaryDirectory { dir in
            let source = try Register.create(
                at: dir.appendingPathComponent("source.db").path, name: "Source", kind: .organization,
                registerID: nil, logger: quietLogger)
            try addBasics(source)
            try source.write { store in
                try store.put("practice", id: "INC", fields: ["owner_id": "jane@northwind.example"])
                try store.put(
                    "service_level_target",
                    fields: [
                        "agreement_id": "UC-FAB", "service_id": "SD", "metric": "availability", "target": "99.95",
                        "unit": "percent", "period": "month", "notes": "Quote \" backslash \\ tab \t newline \n é ✓",
                    ])
                try store.put(
                    "raci_assignment",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "activity_id": "INC-LOG", "party_id": "FAB", "role": "R",
                    ])
                try store.put("interface", id: "SPI-INC-FAB", fields: ["review_interval_months": "12"])
            }
            let export = try source.exportCanonical()
            let text = String(decoding: export, as: UTF8.self)
            #expect(text.contains("\"target\":99.95"))
            #expect(text.contains("\"review_interval_months\":12"))
            #expect(text.contains(#"Quote \" backslash \\ tab \t newline \n é ✓"#))

            let copyPath = dir.appendingPathComponent("copy.db").path
            let copy = try Register.create(
                at: copyPath, name: "Copy", kind: .provider, registerID: source.replica.registerID, logger: quietLogger)
            let summary = try copy.importCanonical(export)
            #expect(summary.inserted == 10)
            #expect(summary.updated == 1) // the practice's owner
            #expect(summary.unchanged == 74) // the seeded practices, activities and metrics
            #expect(try copy.exportCanonical() == export)
            #expect(try copy.digest() == source.digest())
            // The import was an ordinary local write: it replicates.
            #expect(try !copy.replica.knowledge().clocks.isEmpty)
            // Importing again changes nothing.
            let again = try copy.importCanonical(export)
            #expect(again.inserted == 0 && again.updated == 0)
            try expectIntegrity(copyPath)
        }
    }

    @Test("import with replace deletes rows that are not in the file")
    func importReplace() throws {
        try withRegister { register, dir in
            let empty = try register.exportCanonical()
            try addBasics(register)
            try register.write { _ = try $0.delete("practice", "WTM") }
            let summary = try register.importCanonical(empty, replace: true)
            #expect(summary.deleted == 8) // 3 parties, 2 people, 1 service, 1 agreement, 1 interface
            #expect(summary.inserted == 1) // the practice
            #expect(try register.exportCanonical() == empty)
        }
    }

    @Test("malformed imports are refused and change nothing")
    func malformedImports() throws {
        try withRegister { register, _ in
            try addBasics(register)
            let before = try register.exportCanonical()
            let fab = try register.read { try $0.resolve("party", "FAB") }
            let cases: [(String, RegisterError.Code)] = [
                ("[]", .malformedExport),
                ("{\"party\": [", .malformedExport),
                ("{\"parties\": []}", .unknownTable),
                ("{\"party\": [{\"id\": \"\(fab)\", \"colour\": \"red\"}]}", .unknownColumn),
                ("{\"party\": [{\"id\": \"not-a-uuid\", \"code\": \"X\"}]}", .malformedExport),
                ("{\"party\": [{\"id\": \"\(fab)\", \"internal\": \"yes\"}]}", .malformedExport),
                (
                    "{\"party\": [{\"id\": \"\(fab)\", \"name\": \"A\"}, {\"id\": \"\(fab)\", \"name\": \"B\"}]}",
                    .malformedExport
                ),
                ("{\"party\": [{\"id\": \"\(fab)\", \"name\": \"Renamed\"}], \"review\": {}}", .malformedExport),
            ]
            for (text, code) in cases {
                expectRegisterError(code) { try register.importCanonical(Array(text.utf8)) }
            }
            #expect(try register.exportCanonical() == before)
        }
    }

    @Test("an import may leave out columns: they keep their defaults or values")
    func partialRows() throws {
        try withRegister { register, _ in
            let id = RecordID.v7()
            let text =
                "{\"party\": [{\"id\": \"\(id)\", \"code\": \"NEW\", \"name\": \"New\", \"kind\": \"provider\"}]}"
            try register.importCanonical(Array(text.utf8))
            let row = try register.read { try $0.record("party", "NEW") }
            #expect(row.id == id)
            #expect(row["internal"] == .integer(0))
        }
    }
}
