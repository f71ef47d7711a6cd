import Foundation
import Testing

@Suite("spi init and whoami")
struct InitCommandTests {
    @Test("init creates an organization register; whoami prints its ids as JSON")
    func initAndWhoami() throws {
        try withCommandFixture { f in
            let whoami = try #require(try f.json("whoami", "--json") as? [String: String])
            #expect(Set(whoami.keys) == ["siteId", "registerId", "name", "kind", "peerId", "party"])
            #expect(whoami["party"] == "organization (authority)")
            #expect(whoami["siteId"] == whoami["registerId"])
            // The peer id is the fingerprint of the replica's key, whose file only its owner may read.
            #expect(whoami["peerId"]?.isEmpty == false)
            let key = try FileManager.default.attributesOfItem(atPath: f.db + ".key")
            #expect((key[.posixPermissions] as? Int).map { $0 & 0o077 } == 0)
            #expect(whoami["name"] == "Northwind Retail")
            #expect(whoami["kind"] == "organization")
            #expect(UUID(uuidString: whoami["siteId"]!) != nil)
            #expect(whoami["siteId"] == whoami["siteId"]!.lowercased())
            #expect(try f.ok("whoami").contains("Northwind Retail"))

            // A provider joins the same register with its own site id.
            let provider = f.directory.appendingPathComponent("fabrikam.db").path
            let joined = try SPIProcess.run([
                "--db", provider, "init", "--name", "Fabrikam", "--kind", "provider", "--register",
                whoami["registerId"]!,
            ])
            #expect(joined.status == 0, "\(joined)")
            let other = try SPIProcess.run(["--db", provider, "whoami", "--json"])
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(other.stdout.utf8)) as? [String: String])
            #expect(json["registerId"] == whoami["registerId"])
            #expect(json["siteId"] != whoami["siteId"])
            #expect(json["kind"] == "provider")
        }
    }

    @Test("init refuses an existing file and leaves it byte-for-byte unchanged")
    func initOverExisting() throws {
        try withCommandFixture(.basics) { f in
            let message = try f.refused(["init", "--name", "Again", "--kind", "organization"], status: 1)
            #expect(message.contains("already exists"))
            let text = f.directory.appendingPathComponent("notes.txt")
            try Data("keep me".utf8).write(to: text)
            let run = try SPIProcess.run(["--db", text.path, "init", "--name", "X", "--kind", "organization"])
            #expect(run.status != 0)
            #expect(try Data(contentsOf: text) == Data("keep me".utf8))
        }
    }

    @Test("init validates its input and creates nothing on error")
    func initValidation() throws {
        try withCommandFixture(.none) { f in
            let kind = try f.refused(["init", "--name", "X", "--kind", "vendor"], status: 64)
            #expect(kind.contains("organization, provider"))
            let provider = try f.refused(["init", "--name", "X", "--kind", "provider"])
            #expect(provider.contains("--register"))
            try f.refused(["init", "--name", "X", "--kind", "provider", "--register", "not-a-uuid"], status: 64)
            try f.refused(["init", "--kind", "organization"], status: 64)
            #expect(!FileManager.default.fileExists(atPath: f.db))
            let nested = try SPIProcess.run([
                "--db", f.directory.appendingPathComponent("missing/dir/x.db").path, "init", "--name", "X", "--kind",
                "organization",
            ])
            #expect(nested.status == 1)
            #expect(nested.stderr.hasPrefix("error: "))
        }
    }

    @Test("the register path comes from --db, else $SPI_DB, else ./spi.db")
    func databasePath() throws {
        try withCommandFixture(.none) { f in
            let here = try SPIProcess.run(["init", "--name", "Here", "--kind", "organization"], in: f.directory)
            #expect(here.status == 0, "\(here)")
            #expect(FileManager.default.fileExists(atPath: f.directory.appendingPathComponent("spi.db").path))
            let env = f.directory.appendingPathComponent("env.db").path
            let viaEnvironment = try SPIProcess.run(
                ["init", "--name", "Env", "--kind", "organization"], environment: ["SPI_DB": env], in: f.directory)
            #expect(viaEnvironment.status == 0, "\(viaEnvironment)")
            let name = try SPIProcess.run(["whoami", "--json"], environment: ["SPI_DB": env], in: f.directory)
            #expect(name.stdout.contains("\"name\":\"Env\""))
            let local = try SPIProcess.run(["whoami", "--json"], in: f.directory)
            #expect(local.stdout.contains("\"name\":\"Here\""))
        }
    }

    @Test("every command and subcommand has help text")
    func help() throws {
        let root = try SPIProcess.run(["--help"])
        #expect(root.status == 0)
        let nouns = [
            "party", "person", "service", "agreement", "target", "interface", "raci", "integration", "info",
            "review", "practice", "activity",
        ]
        let commands = ["init", "whoami", "record", "schema", "export", "import", "digest", "check", "demo"] + nouns
        for (command, help) in zip(commands, try runConcurrently(commands.map { [$0, "--help"] })) {
            #expect(root.stdout.contains(command), "\(command)")
            #expect(help.status == 0, "\(command): \(help)")
            #expect(help.stdout.contains("OVERVIEW: "), "\(command)")
        }
        var leaves = [
            ["init"], ["whoami"], ["schema"], ["export"], ["import"], ["digest"], ["check"],
            ["record", "put"], ["record", "get"], ["record", "delete"], ["record", "list"],
        ]
        leaves += ["add", "set", "remove", "list", "show"].map { ["party", $0] }
        leaves += nouns.map { [$0, "add"] }
        let runs = try runConcurrently(leaves.map { $0 + ["--help"] })
        for (leaf, help) in zip(leaves, runs) {
            #expect(help.status == 0, "\(leaf): \(help)")
            #expect(help.stdout.contains("--db <path>"), "\(leaf)")
            #expect(help.stdout.contains("OVERVIEW: "), "\(leaf)")
        }
        #expect(try SPIProcess.run(["demo", "--help"]).stdout.contains("--dir"))
        let add = try SPIProcess.run(["integration", "add", "--help"])
        for option in [
            "--interface", "--from-party", "--to-practice", "--channel", "--correlation-key", "--mandatory-item",
        ] {
            #expect(add.stdout.contains(option), "\(option)")
        }
        #expect(add.stdout.contains("api, e_bonding, email, portal, phone, file, meeting"))
        let target = try SPIProcess.run(["target", "set", "--help"])
        #expect(target.stdout.contains("--value"))
    }
}
