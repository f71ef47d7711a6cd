import Foundation
import Testing

/// Key loss, rotation and shared keys end to end, on the Northwind demo, with real `spi serve` and `spi sync`
/// processes over loopback TLS (docs/permissions.md, "Replacing a lost key").
@Suite("key rotation end to end", .serialized)
struct KeyRotationEndToEndTests {
    /// The value of one column of one SPI, read with the sqlite3 shell.
    static func column(_ column: String, of code: String, in fixture: CommandFixture) throws -> String {
        try SyncEndToEndTests.shell(fixture.db, "SELECT \(column) FROM interface WHERE code = '\(code)'")
    }

    @Test(
        "a lost key is an error that changes nothing; after a rotation and a new binding, the replica's edits are accepted everywhere and its older ones still verify when relayed",
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(3)))
    func lostKey() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let fabrikam = providers["FAB"]!
            let oldPeer = try fabrikam.ok("whoami", "--field", "peerId")
            let orgPeer = try org.ok("whoami", "--field", "peerId")
            let register = try org.ok("whoami", "--field", "registerId")
            try fabrikam.ok("interface", "set", "SPI-INC-FAB", "--description", "Written before the key was lost")
            try PermissionEndToEndTests().serving(org, in: directory) { address in
                _ = try SyncEndToEndTests.syncReport(fabrikam, address)
            }

            // The key is lost: every command that needs it says so, with the way out, and changes nothing.
            for suffix in [".key", ".crt"] { try FileManager.default.removeItem(atPath: fabrikam.db + suffix) }
            let before = try fabrikam.ok("export")
            for arguments in [
                ["whoami"], ["sync", "127.0.0.1:1"], ["changes", "knowledge", "--out", directory.path + "/k"],
            ] {
                let run = try fabrikam.spi(arguments)
                #expect(run.status == 1, "spi \(arguments): \(run)")
                #expect(
                    run.stderr.contains("key") && run.stderr.contains("is missing")
                        && run.stderr.contains("spi key rotate"),
                    "spi \(arguments): \(run)")
            }
            #expect(!FileManager.default.fileExists(atPath: fabrikam.db + ".key"), "a key was made silently")
            #expect(try fabrikam.ok("export") == before)

            // Rotate: a new peer id and site; nothing the replica holds is lost.
            let rotated = try #require(try fabrikam.json("key", "rotate", "--json") as? [String: Any])
            let newPeer = try #require(rotated["peerId"] as? String)
            #expect(newPeer != oldPeer)
            #expect(rotated["previousPeerId"] is NSNull, "\(rotated)")
            #expect(rotated["reattributed"] as? Int == 0)
            #expect(try fabrikam.ok("whoami", "--field", "peerId") == newPeer)
            #expect(try fabrikam.ok("whoami", "--field", "party") == "unbound")
            #expect(try fabrikam.ok("export") == before)
            // Unbound, it may not edit yet.
            try fabrikam.refused(["interface", "set", "SPI-SR-FAB", "--description", "too early"], status: 64)

            // The organization trusts and binds the new peer id, and unbinds the old one.
            try org.ok("peer", "remove", "fabrikam")
            try org.ok("peer", "add", "--name", "fabrikam", "--id", newPeer)
            let previousSite = try #require(rotated["previousSiteId"] as? String)
            try org.ok("party", "bind", "FAB", "--peer", newPeer, "--replaces", previousSite)
            try org.ok("party", "unbind", "--peer", oldPeer)

            // A second replica for Fabrikam, which has seen nothing yet.
            let second = CommandFixture(
                directory: directory, db: directory.appendingPathComponent("fabrikam-2.db").path)
            try second.ok("init", "--name", "Fabrikam Desk 2", "--kind", "provider", "--register", register)
            let secondPeer = try second.ok("whoami", "--field", "peerId")
            try second.ok("peer", "add", "--name", "northwind", "--id", orgPeer)
            try org.ok("peer", "add", "--name", "fabrikam-2", "--id", secondPeer)
            try org.ok("party", "bind", "FAB", "--peer", secondPeer)

            try PermissionEndToEndTests().serving(org, in: directory) { address in
                _ = try SyncEndToEndTests.syncReport(fabrikam, address)
                #expect(try fabrikam.ok("whoami", "--field", "party") == "FAB")
                try fabrikam.ok("interface", "set", "SPI-SR-FAB", "--description", "Written with the new key")
                let report = try SyncEndToEndTests.syncReport(fabrikam, address)
                #expect(report["changesRefusedByPeer"] as? Int == 0, "\(report)")
                #expect((report["changesAppliedByPeer"] as? Int ?? 0) >= 1, "\(report)")

                // The rotated replica relays its old site's changes with their proofs, and its new ones: a file of
                // everything it holds applies on the second replica (a forged or unprovable change would fail it).
                let file = directory.appendingPathComponent("all.changes").path
                try fabrikam.ok("changes", "export", "--all", "--out", file)
                try second.ok("changes", "apply", file)
                _ = try SyncEndToEndTests.syncReport(second, address)
            }
            for replica in [org, fabrikam, second] {
                #expect(
                    try Self.column("description", of: "SPI-INC-FAB", in: replica) == "Written before the key was lost")
                #expect(try Self.column("description", of: "SPI-SR-FAB", in: replica) == "Written with the new key")
            }
            #expect(try fabrikam.ok("digest") == (try org.ok("digest", "--for", "FAB")))
            #expect(try second.ok("digest") == (try org.ok("digest", "--for", "FAB")))
            for replica in [org, second] {
                let refusals = try #require(try replica.json("peer", "refusals", "--json") as? [[String: Any]])
                #expect(refusals.isEmpty, "\(refusals)")
            }
        }
    }

    @Test(
        "a planned rotation signs the replica's last changes with the old key first, so none is lost",
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(3)))
    func plannedRotation() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let contoso = providers["CON"]!
            let oldPeer = try contoso.ok("whoami", "--field", "peerId")
            try contoso.ok("interface", "set", "SPI-INC-CON", "--description", "Made offline, then the key was rotated")
            let rotated = try #require(try contoso.json("key", "rotate", "--json") as? [String: Any])
            #expect(rotated["previousPeerId"] as? String == oldPeer)
            #expect(rotated["reattributed"] as? Int == 0)
            let firstSite = try #require(rotated["previousSiteId"] as? String)
            let middleSite = try #require(rotated["siteId"] as? String)
            let middlePeer = try #require(rotated["peerId"] as? String)
            #expect(rotated["replaces"] as? [String] == [firstSite])
            // Rotated again before the organization bound the middle key: the steps name both earlier replicas.
            let steps = try contoso.ok("key", "rotate")
            #expect(steps.contains("spi party bind CON --peer "), "\(steps)")
            #expect(steps.contains("--replaces \(firstSite),\(middlePeer)"), "\(steps)")
            let newPeer = try contoso.ok("whoami", "--field", "peerId")
            #expect(!FileManager.default.fileExists(atPath: contoso.db + ".key.next"))
            try org.ok("peer", "remove", "contoso")
            try org.ok("peer", "add", "--name", "contoso", "--id", newPeer)
            let bound = try org.ok("party", "bind", "CON", "--peer", newPeer, "--replaces", "\(oldPeer),\(middlePeer)")
            #expect(bound.contains("succeeding site \(firstSite), \(middleSite)"), "\(bound)")
            try PermissionEndToEndTests().serving(org, in: directory) { address in
                let report = try SyncEndToEndTests.syncReport(contoso, address)
                #expect(report["changesRefusedByPeer"] as? Int == 0, "\(report)")
            }
            #expect(
                try Self.column("description", of: "SPI-INC-CON", in: org) == "Made offline, then the key was rotated")
            #expect(try contoso.ok("digest") == (try org.ok("digest", "--for", "CON")))
            // The authority cannot rotate: every replica knows it by its site.
            let refused = try org.refused(["key", "rotate"], status: 64)
            #expect(refused.contains("authority"), "\(refused)")
        }
    }

    @Test(
        "two replicas with one key are reported on receipt, and `spi key rotate` on the copy cures it",
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(3)))
    func sharedKey() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let fabrikam = providers["FAB"]!
            let copy = CommandFixture(
                directory: directory, db: directory.appendingPathComponent("fabrikam-copy.db").path)
            for suffix in ["", ".key", ".crt"] {
                try FileManager.default.copyItem(atPath: fabrikam.db + suffix, toPath: copy.db + suffix)
            }
            try fabrikam.ok("interface", "set", "SPI-SR-FAB", "--description", "from the original")
            try copy.ok("interface", "set", "SPI-INC-FAB", "--description", "from the copy")
            let address = "127.0.0.1:\(try SyncEndToEndTests.freePort())"
            let server = try SyncServerProcess(db: org.db, listen: address, directory: directory)
            defer { server.stop() }
            try server.waitUntilServing()
            _ = try SyncEndToEndTests.syncReport(fabrikam, address)
            _ = try SyncEndToEndTests.syncReport(copy, address)
            let run = try fabrikam.spi("sync", address)
            #expect(run.status == 0, "\(run)")
            #expect(
                run.stderr.contains("own key that it never signed") && run.stderr.contains("spi key rotate"), "\(run)")
            // The hub notices too: the original knows fewer of its own changes than the hub holds.
            #expect(
                server.stderr.contains("the peer knows fewer of its own changes than this replica holds"),
                "\(server.stderr)")
            let rotated = try #require(try copy.json("key", "rotate", "--json") as? [String: Any])
            #expect(rotated["peerId"] as? String != (try fabrikam.ok("whoami", "--field", "peerId")))
        }
    }
}
