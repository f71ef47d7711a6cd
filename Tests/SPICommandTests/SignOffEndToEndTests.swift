import Foundation
import Testing

/// Sign-off end to end, on the Northwind demo, with real `spi` processes and a real `spi serve` over loopback TLS
/// (protocol/signoff.md, docs/governance.md).
@Suite("sign-off end to end", .serialized)
struct SignOffEndToEndTests {
    /// `spi interface verify --json`, by SPI code.
    func states(_ fixture: CommandFixture, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String:
        [String: Any]]
    {
        let array = try #require(
            try fixture.json("interface", "verify", "--json") as? [[String: Any]], sourceLocation: sourceLocation)
        return Dictionary(
            uniqueKeysWithValues: array.compactMap { state in (state["code"] as? String).map { ($0, state) } })
    }

    @Test(
        "the demo ends with SPI-INC-FAB in force and SPI-CHG-CON changed since signed; a provider's edit after signing shows on both sides after a sync, until both sign again; a forged signature is invalid everywhere",
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(3)))
    func endToEnd() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let fabrikam = providers["FAB"]!
            let contoso = providers["CON"]!

            // The demo's sign-off, on every replica that holds the SPIs.
            let atOrganization = try states(org)
            #expect(atOrganization["SPI-INC-FAB"]?["inForce"] as? Bool == true, "\(atOrganization)")
            let changed = try #require(atOrganization["SPI-CHG-CON"])
            #expect(changed["changedSinceSigned"] as? Bool == true && changed["inForce"] as? Bool == false)
            let changes = try #require(changed["changes"] as? [[String: Any]])
            #expect(changes.count == 1 && changes.first?["by"] as? String == "CON", "\(changes)")
            #expect((changes.first?["description"] as? String)?.hasPrefix("RACI CHG-") == true, "\(changes)")
            #expect(try states(fabrikam)["SPI-INC-FAB"]?["inForce"] as? Bool == true)
            #expect(try states(contoso)["SPI-CHG-CON"]?["changedSinceSigned"] as? Bool == true)
            #expect(try states(contoso)["SPI-INC-FAB"] == nil, "Contoso sees Fabrikam's signatures")
            // spi check, spi due and the document show it.
            #expect(try org.spi("check").stdout.contains("changed-since-signed"))
            #expect(try org.ok("due").contains("changed since signed  SPI-CHG-CON"))
            let document = try org.ok("report", "document", "--provider", "CON")
            #expect(
                document.contains("### Document control") && document.contains("⚠ Changed since"),
                "\(document.prefix(3000))")
            let text = try org.ok("interface", "verify", "SPI-INC-FAB")
            #expect(text.hasPrefix("SPI-INC-FAB (version ") && text.contains("): in force"), "\(text)")

            // The version Contoso signed is frozen: listed, compared in words, and rendered as it was.
            let versions = try #require(
                try org.json("interface", "versions", "SPI-CHG-CON", "--json") as? [[String: Any]])
            #expect(versions.count == 1 && versions.first?["version"] as? String == "1.3", "\(versions)")
            #expect(versions.first?["current"] as? Bool == false && versions.first?["event"] as? String == "signed")
            let diff = try org.ok("interface", "diff", "SPI-CHG-CON", "1.3")
            #expect(
                diff.contains("1 change from version 1.3") && diff.contains("RACI CHG-RFC / CON: role_title"), "\(diff)"
            )
            let frozen = try org.ok("report", "document", "--provider", "CON", "--version", "1.3")
            #expect(
                frozen.contains("**Frozen version:** 1.3") && !frozen.contains("Contoso change authority"),
                "\(frozen.prefix(3000))")
            #expect(try org.ok("report", "document", "--provider", "CON").contains("Contoso change authority"))
            try org.refused(["report", "document", "--provider", "CON", "--version", "9.9"], status: 64)
            try org.refused(["interface", "diff", "SPI-CHG-CON", "9.9"], status: 64)

            // Refusals change nothing: Fabrikam cannot sign for the organization, nor sign Contoso's SPI.
            try fabrikam.refused(
                ["interface", "sign", "SPI-INC-FAB", "--by", "sofia.lindqvist@northwind.example"], status: 64)
            try org.refused(
                ["interface", "sign", "SPI-INC-FAB", "--by", "grace.holloway@fabrikam.example"], status: 64)
            try fabrikam.refused(
                ["interface", "sign", "SPI-CHG-CON", "--by", "grace.holloway@fabrikam.example"], status: 64)

            // Fabrikam edits its SPI after signing and syncs: changed since signed on both sides, by FAB.
            let cell = try SyncEndToEndTests.shell(
                fabrikam.db,
                """
                SELECT r.id FROM raci_assignment r JOIN interface i ON i.id = r.interface_id JOIN party p ON p.id = r.party_id
                WHERE i.code = 'SPI-INC-FAB' AND p.code = 'FAB' ORDER BY r.id LIMIT 1
                """)
            try fabrikam.ok("raci", "set", cell, "--title", "Desk lead")
            try PermissionEndToEndTests().serving(org, in: directory) { address in
                _ = try SyncEndToEndTests.syncReport(fabrikam, address)
            }
            for (name, fixture) in [("organization", org), ("Fabrikam", fabrikam)] {
                let state = try #require(try states(fixture)["SPI-INC-FAB"], "\(name)")
                #expect(
                    state["changedSinceSigned"] as? Bool == true && state["inForce"] as? Bool == false,
                    "\(name): \(state)")
                let words = (state["changes"] as? [[String: Any]])?.compactMap { $0["description"] as? String } ?? []
                #expect(
                    words.count == 1 && words[0].contains("role_title") && words[0].contains("'Desk lead'"), "\(words)")
            }

            // Both sign again: in force on both sides after the next sync.
            try fabrikam.ok("interface", "sign", "SPI-INC-FAB", "--by", "grace.holloway@fabrikam.example")
            try org.ok("interface", "sign", "SPI-INC-FAB", "--by", "sofia.lindqvist@northwind.example")
            try PermissionEndToEndTests().serving(org, in: directory) { address in
                _ = try SyncEndToEndTests.syncReport(fabrikam, address)
            }
            #expect(try states(org)["SPI-INC-FAB"]?["inForce"] as? Bool == true)
            #expect(try states(fabrikam)["SPI-INC-FAB"]?["inForce"] as? Bool == true)

            // A forged signature: Fabrikam's own, re-dated (the signed statement no longer matches), written by hand.
            let row = try SyncEndToEndTests.shell(
                fabrikam.db,
                """
                SELECT json_object('interface_id', s.interface_id, 'party_id', s.party_id, 'person_id', s.person_id,
                    'version', s.version, 'digest', s.digest, 'content', s.content, 'public_key', s.public_key,
                    'signature', s.signature)
                FROM interface_signature s JOIN party p ON p.id = s.party_id WHERE p.code = 'FAB' ORDER BY s.id DESC LIMIT 1
                """)
            let genuine = try #require(try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: String])
            var arguments = ["record", "put", "interface_signature", "signed_on=2020-01-01"]
            for (column, value) in genuine.sorted(by: { $0.key < $1.key }) { arguments.append("\(column)=\(value)") }
            try fabrikam.ok(arguments)
            try PermissionEndToEndTests().serving(org, in: directory) { address in
                _ = try SyncEndToEndTests.syncReport(fabrikam, address)
            }
            for fixture in [org, fabrikam] {
                let run = try fixture.spi("interface", "verify", "SPI-INC-FAB")
                #expect(run.status == 1, "\(run)")
                #expect(run.stdout.contains("INVALID: the signature does not verify"), "\(run)")
                #expect(
                    run.stderr
                        == "error: 1 invalid signature: forged, altered, or by a replica not bound to its party\n",
                    "\(run)")
                #expect(try fixture.spi("check").stdout.contains("signature-invalid"))
            }
            // The genuine signatures still count: the forgery cannot take the SPI out of force.
            let last = try org.spi("interface", "verify", "SPI-INC-FAB", "--json")
            let object = try JSONSerialization.jsonObject(with: Data(last.stdout.utf8)) as? [[String: Any]]
            #expect(last.status == 1 && object?.first?["inForce"] as? Bool == true, "\(last)")
        }
    }
}
