import Foundation
import Testing

@Suite("spi conflicts and spi history")
struct ConflictsCommandTests {
    /// Sends everything `from` has that `to` lacks, through files.
    static func exchange(_ from: CommandFixture, _ to: CommandFixture) throws {
        let knowledge = from.directory.appendingPathComponent("k-\(UUID().uuidString)").path
        let changes = from.directory.appendingPathComponent("c-\(UUID().uuidString)").path
        try to.ok("changes", "knowledge", "--out", knowledge)
        try from.ok("changes", "export", "--since", knowledge, "--out", changes)
        try to.ok("changes", "apply", changes)
    }

    @Test("two replicas edit one field offline: both list the same conflict; resolving on one settles it on both")
    func conflictLifecycle() throws {
        try ChangesCommandTests.withPair { org, provider in
            try Self.exchange(org, provider)
            try org.ok("interface", "set", "SPI-INC-FAB", "--title", "Incident management (organization's wording)")
            Thread.sleep(forTimeInterval: 0.01)
            try provider.ok("interface", "set", "SPI-INC-FAB", "--title", "Incident management (Fabrikam's wording)")
            try Self.exchange(org, provider)
            try Self.exchange(provider, org)

            // In words: the row by its code, who by party, no bare ids.
            let text = try org.ok("conflicts")
            let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            #expect(text.contains("interface SPI-INC-FAB: title"), "\(text)")
            #expect(text.contains("(FAB, ") && text.contains("(the organization (this replica), "), "\(text)")
            let body = text.split(separator: "\n").dropFirst().joined(separator: "\n")
            #expect(body.range(of: uuid, options: .regularExpression) == nil, "\(text)")
            let orgList = try #require(try org.json("conflicts", "--json") as? [[String: Any]])
            let providerList = try #require(try provider.json("conflicts", "--json") as? [[String: Any]])
            #expect(orgList.count == 1 && providerList.count == 1)
            let id = try #require(orgList.first?["id"] as? String)
            #expect(providerList.first?["id"] as? String == id)
            #expect(orgList.first?["column"] as? String == "title")
            let winner = try #require(orgList.first?["winner"] as? [String: Any])
            #expect(winner["value"] as? String == "Incident management (Fabrikam's wording)")

            // The organization restores its own wording; the edit replicates and settles the conflict everywhere.
            try org.ok("conflicts", "resolve", id, "--keep", "mine")
            try Self.exchange(org, provider)
            for replica in [org, provider] {
                #expect(try replica.ok("conflicts") == "no open conflicts")
                let shown = try #require(
                    try replica.json("interface", "show", "SPI-INC-FAB", "--json") as? [String: Any])
                #expect(shown["title"] as? String == "Incident management (organization's wording)")
            }
            #expect(try org.ok("digest") == provider.ok("digest"))
            let history = try provider.ok("history", "interface", "SPI-INC-FAB")
            #expect(history.contains("title") && history.contains("organization's wording"), "\(history)")
            #expect(history.range(of: uuid, options: .regularExpression) == nil, "\(history)")
            #expect(
                history.hasPrefix("interface SPI-INC-FAB: created by ") && history.contains("the organization"),
                "\(history)")
            // Nouns for tables, and an id prefix of 8 characters for a row that has no code.
            try org.ok(
                "raci", "add", "--interface", "SPI-INC-FAB", "--activity", "INC-LOG", "--party", "FAB", "--role", "R")
            let cell = try #require(
                try org.json("raci", "list", "--where", "interface_id=SPI-INC-FAB", "--json") as? [[String: Any]])
            let cellID = try #require(cell.first?["id"] as? String)
            let raci = try org.ok("history", "raci", String(cellID.prefix(8)))
            #expect(raci.hasPrefix("raci SPI-INC-FAB / "), "\(raci)")
            #expect(raci.range(of: uuid, options: .regularExpression) == nil, "\(raci)")
            #expect(try org.ok("raci", "show", String(cellID.prefix(8))).contains(cellID))
            try provider.refused(["conflicts", "resolve", id, "--keep", "winner"])
            // A deleted row is named, and shows its last values, on the replica that deleted it and on one that
            // merged the delete.
            try Self.exchange(org, provider)
            try org.ok("raci", "remove", cellID)
            try Self.exchange(org, provider)
            for replica in [org, provider] {
                let deleted = try replica.ok("history", "raci", cellID)
                #expect(
                    deleted.hasPrefix("raci SPI-INC-FAB / INC-LOG / FAB / R: deleted by the organization"), "\(deleted)"
                )
                #expect(deleted.contains("its values when it was deleted:") && deleted.contains("role "), "\(deleted)")
                #expect(deleted.range(of: uuid, options: .regularExpression) == nil, "\(deleted)")
                let json = try #require(try replica.json("history", "raci", cellID, "--json") as? [String: Any])
                let last = try #require(json["lastValues"] as? [[String: Any]])
                #expect(last.contains { $0["column"] as? String == "role" && $0["value"] as? String == "R" }, "\(json)")
            }
        }
    }
}
