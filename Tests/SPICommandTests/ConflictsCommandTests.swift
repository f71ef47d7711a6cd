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
                let shown = try #require(try replica.json("interface", "show", "SPI-INC-FAB", "--json") as? [String: Any])
                #expect(shown["title"] as? String == "Incident management (organization's wording)")
            }
            #expect(try org.ok("digest") == provider.ok("digest"))
            let history = try provider.ok("history", "interface", "SPI-INC-FAB")
            #expect(history.contains("title") && history.contains("organization's wording"), "\(history)")
            try provider.refused(["conflicts", "resolve", id, "--keep", "winner"])
        }
    }
}
