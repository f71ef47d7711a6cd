import Foundation
import Testing

@Suite("spi demo and spi check")
struct DemoCommandTests {
    @Test("demo builds the Northwind replicas; check finds the planted gaps; a second demo is refused")
    func demo() throws {
        try withCommandFixture(.none) { f in
            let dir = f.directory.appendingPathComponent("northwind")
            let run = try SPIProcess.run(["demo", "--dir", dir.path, "--today", "2025-03-01"])
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("spi interface list"))
            for file in ["northwind.db", "fabrikam.db", "contoso.db", "tailspin.db"] {
                #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file)")
            }
            let northwind = CommandFixture(directory: dir, db: dir.appendingPathComponent("northwind.db").path)
            // The demo synced the parties over TLS: every replica ends with the organization's content, and
            // Fabrikam's offline edit reached Contoso through the organization.
            #expect(run.stdout.contains("relayed by the organization: yes"), "\(run)")
            let digests = try ["northwind.db", "fabrikam.db", "contoso.db", "tailspin.db"].map { file in
                try CommandFixture(directory: dir, db: dir.appendingPathComponent(file).path).ok("digest")
            }
            #expect(Set(digests).count == 1, "\(digests)")
            let interfaces = try #require(try northwind.json("interface", "list", "--json") as? [[String: Any]])
            #expect(interfaces.count == 12)
            let whoami = try #require(try northwind.json("whoami", "--json") as? [String: String])
            #expect(whoami["name"] == "Northwind Retail")
            let fabrikam = CommandFixture(directory: dir, db: dir.appendingPathComponent("fabrikam.db").path)
            let provider = try #require(try fabrikam.json("whoami", "--json") as? [String: String])
            #expect(provider["kind"] == "provider")
            #expect(provider["registerId"] == whoami["registerId"])

            let findings = try #require(try northwind.json("check", "--json", "--today", "2025-03-01") as? [[String: Any]])
            let rules = Set(findings.compactMap { $0["rule"] as? String })
            for rule in ["raci-multiple-accountable", "review-overdue", "information-item-without-recipient"] {
                #expect(rules.contains(rule), "\(rule) in \(rules)")
            }
            #expect(findings.allSatisfy { ($0["rows"] as? [[String: String]])?.isEmpty == false })
            #expect(try northwind.ok("check", "--today", "2025-03-01").contains("raci-multiple-accountable"))
            let strict = try northwind.spi("check", "--strict", "--today", "2025-03-01")
            #expect(strict.status == 1)

            let before = try Data(contentsOf: dir.appendingPathComponent("northwind.db"))
            let again = try SPIProcess.run(["demo", "--dir", dir.path])
            #expect(again.status != 0)
            #expect(again.stderr.hasPrefix("error: ") && again.stderr.contains("already exists"))
            #expect(try Data(contentsOf: dir.appendingPathComponent("northwind.db")) == before)
        }
    }

    @Test("check on a fresh register reports no errors")
    func checkFresh() throws {
        try withCommandFixture { f in
            let findings = try #require(try f.json("check", "--json") as? [[String: Any]])
            #expect(!findings.contains { $0["severity"] as? String == "error" })
            #expect(try f.spi("check", "--strict").status == 0)
        }
    }
}
