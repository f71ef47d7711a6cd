import Foundation
import Logging
import SPIRegister
import SPIReplication
import SPISQLite
import SPITransport
import Testing

/// The 1 MiB limit on a cell's value (protocol/changes.md §1): refused when written through the register, never sent
/// when written around it (the rest replicates), reported by the checks, and refused when a batch carries one.
@Suite("value size limit")
struct ValueLimitTests {
    let limit = Replica.maximumValueBytes

    /// The organization's replica and a second organization replica that has received everything from it.
    func withPair(_ body: (Register, Register) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-limit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let org = try Register.create(
            at: directory.appendingPathComponent("org.db").path, name: "org", kind: .organization, registerID: nil,
            logger: quietLogger)
        try org.replica.write { db in
            try db.execute(
                """
                INSERT INTO party(id, code, name, kind) VALUES ('00000000-0000-4000-8000-00000000000a', 'ORG', 'Northwind', 'organization'),
                    ('00000000-0000-4000-8000-00000000000b', 'FAB', 'Fabrikam', 'provider');
                INSERT INTO practice(id, code, name, category) VALUES ('pr-inc', 'INC', 'Incident', 'service');
                INSERT INTO interface(id, code, title, practice_id, provider_id) VALUES
                    ('i-fab', 'SPI-FAB', 'Fabrikam', 'pr-inc', '00000000-0000-4000-8000-00000000000b');
                """)
        }
        let org2 = try Register.create(
            at: directory.appendingPathComponent("org2.db").path, name: "org2", kind: .organization,
            registerID: org.replica.registerID, logger: quietLogger)
        try send(org, org2)
        try body(org, org2)
    }

    @discardableResult
    func send(_ from: Register, _ to: Register) throws -> ApplyReport {
        var cursor = try from.replica.deltaCursor(for: try to.replica.knowledge())
        var report = ApplyReport()
        while let batch = try from.replica.nextBatch(&cursor, maxCells: 64) { report.add(try to.replica.apply(batch)) }
        return report
    }

    func interface(_ register: Register, _ column: String) throws -> String? {
        try register.read { try $0.db.scalar("SELECT \(column) FROM interface WHERE id = 'i-fab'")?.textValue }
    }

    @Test("the register refuses a value over 1 MiB with a short message; 1 MiB itself is taken and replicates")
    func refusedWhenWritten() throws {
        try withPair { org, org2 in
            let tooLarge = String(repeating: "é", count: limit / 2) + "x" // 1 MiB + 1 byte of UTF-8, fewer characters
            #expect {
                try org.write { try $0.put("interface", id: "SPI-FAB", fields: ["description": tooLarge]) }
            } throws: { error in
                guard let error = error as? RegisterError else { return false }
                return error.code == .invalidValue && error.message.contains("\(limit + 1) bytes")
                    && error.message.count < 300
            }
            #expect(try interface(org, "description") == nil)
            let atLimit = String(repeating: "x", count: limit)
            try org.write { try $0.put("interface", id: "SPI-FAB", fields: ["description": atLimit]) }
            try send(org, org2)
            #expect(try interface(org2, "description") == atLimit)
        }
    }

    @Test("a larger value written with the shell is not sent, is reported, and the rest of the register replicates")
    func notSentWhenWrittenAround() throws {
        try withPair { org, org2 in
            let shell = try Connection(path: org.replica.path)
            let big = String(repeating: "y", count: limit + 10)
            try shell.execute(
                "UPDATE interface SET description = ?, title = 'Fabrikam desk' WHERE id = 'i-fab'", [.text(big)])
            try shell.execute("UPDATE party SET name = 'Fabrikam Ltd' WHERE code = 'FAB'")
            let report = try send(org, org2)
            #expect(report.refused == 0)
            #expect(try interface(org2, "title") == "Fabrikam desk")
            #expect(try interface(org2, "description") == nil)
            #expect(
                try org2.read { try $0.db.scalar("SELECT name FROM party WHERE code = 'FAB'")?.textValue }
                    == "Fabrikam Ltd")
            let findings = try org.read { try RegisterCheck.run($0.db, today: "2026-12-06") }
            let large = findings.filter { $0.rule == "value-too-large" }
            #expect(large.count == 1)
            #expect(large.first?.rows.first?.id == "i-fab")
            #expect(large.first?.message.contains("\(limit + 10) bytes") == true)
            // A later, smaller value replicates as usual, and the finding goes away.
            try org.write { try $0.put("interface", id: "SPI-FAB", fields: ["description": "Service desk"]) }
            try send(org, org2)
            #expect(try interface(org2, "description") == "Service desk")
            #expect(
                try org.read { try RegisterCheck.run($0.db, today: "2026-12-06") }.allSatisfy {
                    $0.rule != "value-too-large"
                })
            #expect(try org.digest() == org2.digest())
        }
    }

    @Test("a row inserted with the shell with a value over 1 MiB arrives without that value, and the rest replicates")
    func insertedAround() throws {
        try withPair { org, org2 in
            let shell = try Connection(path: org.replica.path)
            try shell.execute(
                """
                INSERT INTO interface(id, code, title, description, practice_id, provider_id) VALUES
                    ('i-big', 'SPI-BIG', 'Big', ?, 'pr-inc', '00000000-0000-4000-8000-00000000000b')
                """, [.text(String(repeating: "w", count: limit + 1))])
            try shell.execute("UPDATE party SET name = 'Fabrikam Ltd' WHERE code = 'FAB'")
            let report = try send(org, org2)
            #expect(report.refused == 0)
            let row = try org2.read {
                try $0.db.rows("SELECT title, description FROM interface WHERE id = 'i-big'").first
            }
            #expect(row?[0] == .text("Big"))
            #expect(row?[1] == .null)
            #expect(
                try org2.read { try $0.db.scalar("SELECT name FROM party WHERE code = 'FAB'")?.textValue }
                    == "Fabrikam Ltd")
        }
    }

    @Test("a batch that carries a value over 1 MiB is refused whole, and the replica is unchanged")
    func refusedWhenReceived() throws {
        try withPair { org, org2 in
            try org.write {
                try $0.put("interface", id: "SPI-FAB", fields: ["description": "small", "title": "New title"])
            }
            var cursor = try org.replica.deltaCursor(for: try org2.replica.knowledge())
            var batch = try #require(try org.replica.nextBatch(&cursor, maxCells: 64)?.message)
            var forged = false
            for r in batch.rows.indices {
                for c in batch.rows[r].cells.indices where batch.rows[r].cells[c].text == "small" {
                    batch.rows[r].cells[c].text = String(repeating: "z", count: limit + 1)
                    forged = true
                }
            }
            #expect(forged)
            let before = try org2.digest()
            #expect {
                try org2.replica.apply(batch)
            } throws: { error in
                guard let error = error as? ReplicationError else { return false }
                return error.code == .malformed && error.message.contains("more than the \(limit) bytes")
            }
            #expect(try org2.digest() == before)
            #expect(try interface(org2, "title") == "Fabrikam")
        }
    }
}
