import Foundation
import SPITestSupport
import Testing

@Suite("spi changes")
struct ChangesCommandTests {
    /// An organization replica with the basics, and an empty provider replica of the same register beside it, bound to
    /// the party FAB.
    static func withPair(_ body: (CommandFixture, CommandFixture) throws -> Void) throws {
        try withCommandFixture(.basics) { org in
            let register = try #require(try org.json("whoami", "--json") as? [String: String])["registerId"]!
            let provider = CommandFixture(
                directory: org.directory, db: org.directory.appendingPathComponent("provider.db").path)
            _ = try SPIProcess.run([
                "init", "--db", provider.db, "--name", "Fabrikam", "--kind", "provider", "--register", register,
            ])
            // The organization binds the provider's replica to Fabrikam, so that its edits are Fabrikam's.
            let peer = try #require(try provider.json("whoami", "--json") as? [String: String])["peerId"]!
            try org.ok("party", "bind", "FAB", "--peer", peer)
            try body(org, provider)
        }
    }

    @Test(
        "a row edited with the sqlite3 shell on one replica reaches another through export and apply",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func shellEditTravels() throws {
        try Self.withPair { org, provider in
            let shell = try WatchedProcess.run(
                URL(fileURLWithPath: "/usr/bin/sqlite3"),
                [org.db, "UPDATE party SET name = 'Fabrikam Service Desk (edited in the shell)' WHERE code = 'FAB'"])
            #expect(shell.status == 0, "\(shell)")

            let knowledge = org.directory.appendingPathComponent("provider.knowledge").path
            let changes = org.directory.appendingPathComponent("for-provider.changes").path
            try provider.ok("changes", "knowledge", "--out", knowledge)
            try org.ok("changes", "export", "--since", knowledge, "--out", changes)
            let applied = try provider.ok("changes", "apply", changes)
            #expect(applied.contains("applied"), "\(applied)")
            let party = try #require(try provider.json("party", "show", "FAB", "--json") as? [String: Any])
            #expect(party["name"] as? String == "Fabrikam Service Desk (edited in the shell)")
            #expect(try org.ok("digest") == provider.ok("digest"))

            // The same file again changes nothing.
            let again = try #require(try provider.json("changes", "apply", changes, "--json") as? [String: Int])
            #expect(again["applied"] == 0)
        }
    }

    @Test("a truncated change set applies its complete batches, says so, and exits non-zero")
    func truncatedFile() throws {
        try Self.withPair { org, provider in
            let changes = org.directory.appendingPathComponent("all.changes").path
            try org.ok("changes", "export", "--out", changes)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: changes))
            try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: changes))
            let run = try provider.spi("changes", "apply", changes)
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.hasPrefix("error: ") && run.stderr.contains("cut short"), "\(run)")
            // The full set, re-exported, completes it.
            try org.ok("changes", "export", "--out", changes)
            try provider.ok("changes", "apply", changes)
            #expect(try org.ok("digest") == provider.ok("digest"))
        }
    }

    @Test("a change set from another register is refused and changes nothing")
    func otherRegister() throws {
        try withCommandFixture(.basics) { org in
            let stranger = CommandFixture(
                directory: org.directory, db: org.directory.appendingPathComponent("stranger.db").path)
            _ = try SPIProcess.run(["init", "--db", stranger.db, "--name", "Elsewhere", "--kind", "organization"])
            let changes = org.directory.appendingPathComponent("org.changes").path
            try org.ok("changes", "export", "--out", changes)
            let message = try stranger.refused(["changes", "apply", changes])
            #expect(message.contains("register"), "\(message)")
        }
    }
}
