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
            // The demo synced the parties over TLS: each provider ends with the organization's content filtered to
            // its scope; Fabrikam's offline edit reached the organization and not Contoso.
            #expect(run.stdout.contains("The organization holds Fabrikam's edit: yes"), "\(run)")
            #expect(run.stdout.contains("Contoso holds 0 of Fabrikam's SPIs"), "\(run)")
            // A verdict, then what to look at next; the bindings are reported as done, not as instructions.
            let verdict = try #require(run.stdout.range(of: "✓ 4 replicas reconciled"), "\(run)")
            #expect(run.stdout.range(of: "Look at it next")!.lowerBound > verdict.lowerBound)
            #expect(!run.stdout.contains("spi party bind"))
            var digests: [String] = [try northwind.ok("digest")]
            for (file, code) in [("fabrikam.db", "FAB"), ("contoso.db", "CON"), ("tailspin.db", "TAIL")] {
                let held = try CommandFixture(directory: dir, db: dir.appendingPathComponent(file).path).ok("digest")
                #expect(held == (try northwind.ok("digest", "--for", code)), "\(file) is not the organization's view")
                digests.append(held)
            }
            #expect(Set(digests).count == 4, "\(digests)")
            let interfaces = try #require(try northwind.json("interface", "list", "--json") as? [[String: Any]])
            #expect(interfaces.count == 12)
            let whoami = try #require(try northwind.json("whoami", "--json") as? [String: String])
            #expect(whoami["name"] == "Northwind Retail")
            let fabrikam = CommandFixture(directory: dir, db: dir.appendingPathComponent("fabrikam.db").path)
            let provider = try #require(try fabrikam.json("whoami", "--json") as? [String: String])
            #expect(provider["kind"] == "provider")
            #expect(provider["registerId"] == whoami["registerId"])

            let findings = try #require(
                try northwind.json("check", "--json", "--today", "2025-03-01") as? [[String: Any]])
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
            #expect(again.stderr.contains("--replace"))
            #expect(try Data(contentsOf: dir.appendingPathComponent("northwind.db")) == before)
            // With --replace it builds the demo anew: a new register, and the verdict again.
            let replaced = try SPIProcess.run(["demo", "--dir", dir.path, "--replace"])
            #expect(replaced.status == 0, "\(replaced)")
            #expect(replaced.stdout.hasPrefix("Replaced the demo in"), "\(replaced)")
            #expect(replaced.stdout.contains("✓ 4 replicas reconciled"), "\(replaced)")
            let renewed = try #require(try northwind.json("whoami", "--json") as? [String: String])
            #expect(renewed["registerId"] != whoami["registerId"])
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
