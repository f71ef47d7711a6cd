import Foundation
import Testing

/// Permissions end to end, on the Northwind demo (one organization, three providers bound to FAB, CON and TAIL),
/// with real `spi serve` and `spi sync` processes over loopback TLS and real `sqlite3` writes.
@Suite("permissions end to end", .serialized)
struct PermissionEndToEndTests {
    static let providers = [("fabrikam", "FAB"), ("contoso", "CON"), ("tailspin", "TAIL")]

    /// Builds the demo in a scratch directory, then runs `body` with the organization's fixture and each provider's.
    func withDemo(_ body: (URL, CommandFixture, [String: CommandFixture]) throws -> Void) throws {
        try SyncEndToEndTests().withScratchDirectory { directory in
            let dir = directory.appendingPathComponent("demo").path
            let demo = try SPIProcess.run(["demo", "--dir", dir])
            try #require(demo.status == 0, "spi demo: \(demo)")
            let org = CommandFixture(directory: directory, db: dir + "/northwind.db")
            var providers: [String: CommandFixture] = [:]
            for (file, code) in Self.providers {
                providers[code] = CommandFixture(directory: directory, db: dir + "/\(file).db")
            }
            try body(directory, org, providers)
        }
    }

    /// Serves the organization's replica on a free loopback port while `body` runs.
    func serving(_ org: CommandFixture, in directory: URL, _ body: (String) throws -> Void) throws {
        let address = "127.0.0.1:\(try SyncEndToEndTests.freePort())"
        let server = try SyncServerProcess(db: org.db, listen: address, directory: directory)
        defer { server.stop() }
        try server.waitUntilServing()
        try body(address)
    }

    @Test(
        "after a star sync each provider holds exactly the organization's register filtered to its scope",
        .timeLimit(.minutes(2)))
    func scopes() throws {
        try withDemo { directory, org, providers in
            try serving(org, in: directory) { address in
                for (_, code) in Self.providers { _ = try SyncEndToEndTests.syncReport(providers[code]!, address) }
            }
            let everything = try org.ok("export")
            for code in ["FAB", "CON", "TAIL"] {
                #expect(everything.contains("\"SPI-INC-\(code)\""), "the organization lacks SPI-INC-\(code)")
            }
            for (_, code) in Self.providers {
                let held = try providers[code]!.ok("export")
                #expect(
                    held == (try org.ok("export", "--for", code)), "\(code)'s export is not the organization's view")
                #expect(held.contains("\"SPI-INC-\(code)\""))
            }
            let fabrikam = try providers["FAB"]!.ok("export")
            for other in ["CON", "TAIL"] {
                #expect(!fabrikam.contains("\"SPI-INC-\(other)\""), "Fabrikam holds an SPI of \(other)")
            }
            #expect(
                !fabrikam.contains("@contoso.example") && !fabrikam.contains("@tailspin.example"),
                "Fabrikam holds another provider's people")
            let agreements = try #require(
                try providers["FAB"]!.json("record", "list", "agreement", "--json") as? [[String: Any]])
            let fab = try #require(try org.json("party", "show", "FAB", "--json") as? [String: Any])["id"] as? String
            #expect(!agreements.isEmpty)
            for agreement in agreements {
                #expect(
                    agreement["provider_id"] as? String == fab || agreement["customer_id"] as? String == fab,
                    "Fabrikam holds an agreement it is not a party to: \(agreement)")
            }
            // A hand-off from Fabrikam to Contoso on Fabrikam's SPIs: both providers hold it and its data items,
            // Tailspin does not; Contoso may not edit it (the SPI is Fabrikam's), and its check finds nothing missing.
            for name in ["Hosting incident hand-off", "Hosting access request"] {
                #expect(try providers["FAB"]!.ok("integration", "list").contains(name))
                #expect(try providers["CON"]!.ok("integration", "list").contains(name), "Contoso lacks \(name)")
                #expect(try !providers["TAIL"]!.ok("integration", "list").contains(name), "Tailspin holds \(name)")
            }
            // The SPI a received hand-off belongs to is another provider's: not held here, not missing.
            let contosoPoints = try providers["CON"]!.ok("integration", "list")
            #expect(
                contosoPoints.contains("(not held here)") && !contosoPoints.contains("(missing)"), "\(contosoPoints)")
            let contosoExport = try providers["CON"]!.ok("export")
            #expect(contosoExport.contains("Affected host") && !contosoExport.contains("\"SPI-INC-FAB\""))
            #expect(try !providers["TAIL"]!.ok("export").contains("Affected host"))
            let handoff = try #require(
                (try providers["CON"]!.json("integration", "list", "--json") as? [[String: Any]])?
                    .first { $0["name"] as? String == "Hosting incident hand-off" }?["id"] as? String)
            let refused = try providers["CON"]!.refused(
                ["integration", "set", handoff, "--timing", "Whenever"], status: 64)
            #expect(refused.contains("this replica may not"), "\(refused)")
            let contosoCheck = try providers["CON"]!.spi("check")
            #expect(
                !contosoCheck.stdout.contains("dangling-reference")
                    && !contosoCheck.stdout.contains("handoff-without-spi"),
                "\(contosoCheck)")
            #expect(try org.spi("check").stdout.contains("handoff-without-spi"))
            // Scope inspection and the bound parties.
            let scope = try #require(try org.json("scope", "FAB", "--json") as? [String: Any])
            let tables = try #require(scope["tables"] as? [[String: Any]])
            let interfaces = try #require(tables.first { $0["table"] as? String == "interface" })
            #expect(interfaces["visibleRows"] as? Int == 3)
            let peers = try org.ok("peer", "list")
            for (_, code) in Self.providers { #expect(peers.contains(code), "peer list lacks \(code): \(peers)") }
        }
    }

    @Test(
        "a provider's forged changes are refused and logged everywhere; its permitted ones still apply",
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(2)))
    func forgedChanges() throws {
        try withDemo { directory, org, providers in
            let fabrikam = providers["FAB"]!
            // The local check refuses what Fabrikam may not do.
            try fabrikam.refused(["interface", "set", "SPI-INC-FAB", "--status", "retired"], status: 64)
            let review = try fabrikam.refused(
                ["interface", "set", "SPI-INC-FAB", "--next-review", "2030-01-01"], status: 64)
            #expect(review.contains("next_review"), "\(review)")
            try fabrikam.refused(
                ["practice", "add", "--code", "FORGE", "--name", "Forged", "--category", "general"], status: 64)
            let approve = try fabrikam.refused(
                ["interface", "approve", "SPI-INC-FAB", "--by", "sofia.lindqvist@northwind.example"], status: 64)
            #expect(approve.contains("may not change status"), "\(approve)")

            // A client that skips the check: the sqlite3 shell.
            let contosoRACI = try SyncEndToEndTests.shell(
                org.db,
                """
                SELECT r.id || '|' || r.interface_id || '|' || r.activity_id || '|' || r.party_id || '|' || r.role_title
                FROM raci_assignment r JOIN interface i ON i.id = r.interface_id WHERE i.code = 'SPI-INC-CON'
                ORDER BY r.id LIMIT 1
                """
            ).split(separator: "|").map(String.init)
            try #require(contosoRACI.count == 5)
            let statusBefore = try SyncEndToEndTests.shell(
                org.db, "SELECT status FROM interface WHERE code = 'SPI-INC-FAB'")
            try SyncEndToEndTests.shell(
                fabrikam.db,
                """
                INSERT INTO practice(id, code, name, category) VALUES ('0b7e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 'FORGE', 'Forged practice', 'general');
                UPDATE interface SET status = 'retired', approved_on = '2020-01-01', description = 'Permitted edit by Fabrikam'
                    WHERE code = 'SPI-INC-FAB';
                INSERT INTO raci_assignment(id, interface_id, activity_id, party_id, role, role_title)
                    VALUES ('\(contosoRACI[0])', '\(contosoRACI[1])', '\(contosoRACI[2])', '\(contosoRACI[3])', 'R', 'forged by Fabrikam');
                """)
            try serving(org, in: directory) { address in
                let report = try SyncEndToEndTests.syncReport(fabrikam, address)
                let refused = try #require(report["refusalsByPeer"] as? [[String: Any]])
                let tables = Set(refused.compactMap { $0["table"] as? String })
                #expect(tables == ["practice", "interface", "raci_assignment"], "refusals: \(refused)")
                #expect((report["changesRefusedByPeer"] as? Int ?? 0) >= 3)
                let interfaceRefusal = try #require(refused.first { $0["table"] as? String == "interface" })
                #expect(Set(interfaceRefusal["columns"] as? [String] ?? []) == ["status", "approved_on"])
                // The others sync too.
                for code in ["CON", "TAIL"] { _ = try SyncEndToEndTests.syncReport(providers[code]!, address) }
            }
            // Nothing forbidden reached the organization; the permitted edit did.
            #expect(try SyncEndToEndTests.shell(org.db, "SELECT count(*) FROM practice WHERE code = 'FORGE'") == "0")
            #expect(
                try SyncEndToEndTests.shell(org.db, "SELECT status FROM interface WHERE code = 'SPI-INC-FAB'")
                    == statusBefore)
            #expect(
                try SyncEndToEndTests.shell(org.db, "SELECT description FROM interface WHERE code = 'SPI-INC-FAB'")
                    == "Permitted edit by Fabrikam")
            #expect(
                try SyncEndToEndTests.shell(
                    org.db, "SELECT role_title FROM raci_assignment WHERE id = '\(contosoRACI[0])'")
                    == contosoRACI[4])
            // Logged on the organization's side, with the peer and the row.
            let log = try #require(try org.json("peer", "refusals", "--json") as? [[String: Any]])
            #expect(Set(log.compactMap { $0["table"] as? String }) == ["practice", "interface", "raci_assignment"])
            #expect(log.allSatisfy { ($0["peer"] as? String ?? "").hasPrefix("fabrikam") }, "\(log)")
            #expect(log.contains { $0["id"] as? String == contosoRACI[0] })
            // The other replicas are untouched: each still holds exactly its view of the organization's register.
            let contoso = providers["CON"]!
            #expect(
                try SyncEndToEndTests.shell(
                    contoso.db, "SELECT role_title FROM raci_assignment WHERE id = '\(contosoRACI[0])'")
                    == contosoRACI[4])
            for code in ["CON", "TAIL"] {
                #expect(try providers[code]!.ok("digest") == (try org.ok("digest", "--for", code)))
                #expect(
                    try SyncEndToEndTests.shell(
                        providers[code]!.db, "SELECT count(*) FROM practice WHERE code = 'FORGE'") == "0")
            }
        }
    }

    @Test(
        "an SPI reassigned to another provider moves with all its rows; the old provider gets no further updates",
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(2)))
    func reassignment() throws {
        try withDemo { directory, org, providers in
            let (fabrikam, contoso) = (providers["FAB"]!, providers["CON"]!)
            let raciRows = try SyncEndToEndTests.shell(
                org.db,
                """
                SELECT count(*) FROM raci_assignment r JOIN interface i ON i.id = r.interface_id WHERE i.code = 'SPI-CAP-CON'
                """)
            #expect(Int(raciRows) ?? 0 > 0)
            #expect(
                try SyncEndToEndTests.shell(fabrikam.db, "SELECT count(*) FROM interface WHERE code = 'SPI-CAP-CON'")
                    == "0")
            try org.ok("interface", "set", "SPI-CAP-CON", "--provider", "FAB")
            try serving(org, in: directory) { address in
                _ = try SyncEndToEndTests.syncReport(fabrikam, address)
                _ = try SyncEndToEndTests.syncReport(contoso, address)
                // Fabrikam now holds the SPI with every row hanging off it: its view equals the organization's.
                #expect(
                    try SyncEndToEndTests.shell(
                        fabrikam.db,
                        """
                        SELECT count(*) FROM raci_assignment r JOIN interface i ON i.id = r.interface_id WHERE i.code = 'SPI-CAP-CON'
                        """) == raciRows)
                #expect(try fabrikam.ok("digest") == (try org.ok("digest", "--for", "FAB")))
                // A later edit reaches Fabrikam, not Contoso.
                try org.ok("interface", "set", "SPI-CAP-CON", "--title", "Capacity management, now with Fabrikam")
                _ = try SyncEndToEndTests.syncReport(fabrikam, address)
                _ = try SyncEndToEndTests.syncReport(contoso, address)
            }
            #expect(
                try SyncEndToEndTests.shell(fabrikam.db, "SELECT title FROM interface WHERE code = 'SPI-CAP-CON'")
                    == "Capacity management, now with Fabrikam")
            #expect(
                try SyncEndToEndTests.shell(contoso.db, "SELECT title FROM interface WHERE code = 'SPI-CAP-CON'")
                    != "Capacity management, now with Fabrikam")
            // Contoso's stale copy still names Contoso, so its own check lets it edit; the organization refuses.
            try contoso.ok("interface", "set", "SPI-CAP-CON", "--description", "still ours?")
            let descriptionBefore = try SyncEndToEndTests.shell(
                org.db, "SELECT description FROM interface WHERE code = 'SPI-CAP-CON'")
            try serving(org, in: directory) { address in
                let report = try SyncEndToEndTests.syncReport(contoso, address)
                #expect((report["changesRefusedByPeer"] as? Int ?? 0) == 1, "\(report)")
            }
            #expect(
                try SyncEndToEndTests.shell(org.db, "SELECT description FROM interface WHERE code = 'SPI-CAP-CON'")
                    == descriptionBefore)
        }
    }

    @Test("a change-set file exported for a party holds only its scope, and applies to exactly its view")
    func scopedFiles() throws {
        try withDemo { directory, org, providers in
            let fabrikam = providers["FAB"]!
            try org.ok("interface", "set", "SPI-INC-FAB", "--description", "New wording for Fabrikam")
            try org.ok("interface", "set", "SPI-INC-CON", "--description", "New wording for Contoso")
            let knowledge = directory.appendingPathComponent("fab.knowledge").path
            let file = directory.appendingPathComponent("for-fab.changes").path
            try fabrikam.ok("changes", "knowledge", "--out", knowledge)
            try org.ok("changes", "export", "--since", knowledge, "--for", "FAB", "--out", file)
            let bytes = try #require(FileManager.default.contents(atPath: file))
            #expect(bytes.range(of: Data("New wording for Fabrikam".utf8)) != nil)
            #expect(
                bytes.range(of: Data("New wording for Contoso".utf8)) == nil, "the file for FAB carries Contoso's SPI")
            try fabrikam.ok("changes", "apply", file)
            #expect(try fabrikam.ok("digest") == (try org.ok("digest", "--for", "FAB")))
        }
    }
}
