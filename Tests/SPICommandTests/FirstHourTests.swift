import Foundation
import Testing

/// What a new user meets in the first hour (issue 21): typos get a suggestion, `--version` answers, input errors
/// exit 64, counts read as words, and help text has no stray runs of spaces or doubled defaults.
@Suite("the first hour")
struct FirstHourTests {
    @Test("a mistyped subcommand or noun is refused with exit 64 and a suggestion, also after `help`")
    func typos() throws {
        let cases: [(arguments: [String], unknown: String, path: String, guess: String)] = [
            (["party", "lsit"], "lsit", "spi party", "list"),
            (["intreface", "list"], "intreface", "spi", "interface"),
            (["help", "intreface"], "intreface", "spi", "interface"),
            (["peer", "ad", "--name", "x"], "ad", "spi peer", "add"),
            (["chnages", "export"], "chnages", "spi", "changes"),
        ]
        for (run, c) in zip(try runConcurrently(cases.map(\.arguments)), cases) {
            #expect(run.status == 64, "\(c.arguments): \(run)")
            #expect(
                run.stderr == "error: unknown command '\(c.unknown)' for '\(c.path)'; did you mean '\(c.guess)'? "
                    + "(commands: " + run.stderr.split(separator: "(commands: ").last.map(String.init)!, "\(run)")
            #expect(run.stdout.isEmpty)
        }
        let far = try SPIProcess.run(["party", "zzzzzz"])
        #expect(far.status == 64)
        #expect(
            far.stderr.hasPrefix("error: unknown command 'zzzzzz' for 'spi party' (commands: add, set, remove"),
            "\(far)")
        // Words that are arguments of a command are not commands: a leaf takes them as they are.
        #expect(try SPIProcess.run(["help", "party", "list"]).status == 0)
    }

    @Test("spi --version names the release and the formats")
    func version() throws {
        let run = try SPIProcess.run(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("spi 0.1.0-dev (register schema "), "\(run)")
        #expect(run.stdout.contains("sync protocol v1"))
    }

    @Test("a mistyped peer id, name or address is input: exit 64, one line")
    func peerInput() throws {
        try withCommandFixture(.basics) { f in
            for arguments in [
                ["peer", "add", "--name", "fab", "--id", "NOT-A-PEER-ID"],
                ["party", "bind", "FAB", "--peer", "NOT-A-PEER-ID"],
                ["peer", "remove", "nobody"],
                ["peer", "add", "--name", "bad name", "--id", "NOT-A-PEER-ID"],
            ] {
                let message = try f.refused(arguments, status: 64)
                #expect(!message.isEmpty)
            }
        }
    }

    @Test("counts read as words: one change, one batch")
    func plurals() throws {
        try withCommandFixture(.basics) { f in
            try f.ok("party", "set", "FAB", "--notes", "one edit")
            let out = f.directory.appendingPathComponent("all.changes").path
            let wrote = try f.ok("changes", "export", "--out", out)
            #expect(wrote.contains(", 1 batch,") || wrote.contains(" batches,"), "\(wrote)")
            #expect(
                !wrote.contains(" 1 batches") && !wrote.contains(" 1 changes") && !wrote.contains(" 1 row groups"),
                "\(wrote)")
        }
    }

    @Test("spi sync without an address uses the only trusted peer that has one, and says what to give otherwise")
    func syncWithoutAddress() throws {
        try withCommandFixture(.basics) { f in
            #expect(try f.refused(["whoami", "--field", "colour"], status: 64).contains("registerId"))
            let none = try f.refused(["sync"], status: 64)
            #expect(none.contains("no trusted peer has an address"), "\(none)")
            var ids: [String] = []
            for name in ["a", "b"] {
                let path = f.directory.appendingPathComponent("\(name).db").path
                _ = try SPIProcess.run(["init", "--db", path, "--name", name, "--kind", "organization"])
                let json = try SPIProcess.run(["whoami", "--db", path, "--json"])
                let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: String]
                // --field prints the one value, for scripts (the README's tour uses it).
                let field = try SPIProcess.run(["whoami", "--db", path, "--field", "peerId"])
                #expect(field.status == 0 && field.stdout == (object?["peerId"] ?? "?") + "\n", "\(field)")
                ids.append(try #require(object?["peerId"], "\(json)"))
            }
            try f.ok("peer", "add", "--name", "hub", "--id", ids[0], "--address", "127.0.0.1:1")
            // The only peer with an address: the sync goes there (nothing listens on port 1).
            let run = try f.spi("sync")
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("127.0.0.1:1"), "\(run)")
            // In words, without the network library's internals.
            #expect(run.stderr.contains("connection refused"), "\(run)")
            #expect(!run.stderr.contains("SingleConnectionFailure") && !run.stderr.contains("IOError"), "\(run)")
            try f.ok("peer", "add", "--name", "backup", "--id", ids[1], "--address", "127.0.0.1:2")
            let two = try f.refused(["sync"], status: 64)
            #expect(two.contains("2 trusted peers have addresses (backup, hub)"), "\(two)")
        }
    }

    @Test("no help text has a run of spaces inside a sentence, or an option's default twice")
    func helpText() throws {
        var pending: [[String]] = [[]]
        var seen = 0
        while !pending.isEmpty {
            let batch = pending
            pending = []
            for (path, run) in zip(batch, try runConcurrently(batch.map { $0 + ["--help"] })) {
                seen += 1
                #expect(run.status == 0, "\(path): \(run)")
                let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                let usage = lines.firstIndex { $0.hasPrefix("USAGE:") } ?? lines.count
                for line in lines[..<usage] where !line.hasPrefix(" ") {
                    #expect(
                        line.range(of: #"\S {3,}\S"#, options: .regularExpression) == nil,
                        "spi \(path.joined(separator: " ")) --help: '\(line)'")
                }
                var option = ""
                for line in lines[usage...] + ["  -"] {
                    if line.hasPrefix("  -") || line.hasPrefix("  <") || !line.hasPrefix(" ") {
                        #expect(
                            option.components(separatedBy: "default").count <= 2,
                            "spi \(path.joined(separator: " ")) --help: \(option)")
                        option = ""
                    }
                    option += line
                }
                if let start = lines.firstIndex(of: "SUBCOMMANDS:") {
                    for line in lines[(start + 1)...] {
                        guard line.hasPrefix("  "), !line.hasPrefix("   "), !line.hasPrefix("  See ") else { break }
                        let name = line.split(separator: " ").first.map(String.init) ?? ""
                        if name != "help", !name.isEmpty { pending.append(path + [name]) }
                    }
                }
            }
        }
        #expect(seen > 50, "walked only \(seen) commands")
    }

    @Test(
        "spi serve --log-format json writes one JSON object per line: the serving notice, sessions, refusals",
        .timeLimit(.minutes(2)))
    func jsonLogs() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let port = try SyncEndToEndTests.freePort()
            let server = try SyncServerProcess(
                db: org.db, listen: "127.0.0.1:\(port)", directory: directory, arguments: ["--log-format", "json"])
            defer { server.stop() }
            let deadline = Date().addingTimeInterval(20)
            while !server.stderr.contains("\"message\":\"serving\"") && Date() < deadline {
                try #require(server.process.isRunning, "spi serve exited: \(server.stderr)")
                Thread.sleep(forTimeInterval: 0.05)
            }
            _ = try SyncEndToEndTests.syncReport(providers["FAB"]!, "127.0.0.1:\(port)")
            // A stranger: a replica the organization does not trust.
            let stranger = CommandFixture(
                directory: directory, db: directory.appendingPathComponent("stranger.db").path)
            try stranger.ok(
                "init", "--name", "Stranger", "--kind", "provider", "--register",
                try org.ok("whoami", "--field", "registerId"))
            try stranger.ok("peer", "add", "--name", "northwind", "--id", try org.ok("whoami", "--field", "peerId"))
            #expect(try stranger.spi("sync", "127.0.0.1:\(port)").status == 3)
            Thread.sleep(forTimeInterval: 0.5)
            let lines = server.stderr.split(separator: "\n").map(String.init)
            var messages: [String] = []
            var errors: [String] = []
            for line in lines {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object != nil, "not a JSON object: \(line)")
                guard let object else { continue }
                for key in ["time", "level", "label", "source", "message"] {
                    #expect(object[key] is String, "no \(key) in \(line)")
                }
                #expect((object["time"] as? String)?.hasSuffix("Z") == true)
                messages.append(object["message"] as? String ?? "")
                if let error = object["sync.error"] as? String { errors.append(error) }
            }
            #expect(messages.contains("serving"), "\(messages)")
            #expect(messages.contains("session complete"), "\(messages)")
            #expect(errors.contains("untrustedPeer"), "the refused stranger is not logged: \(messages) \(errors)")
            #expect(try org.spi("serve", "--log-format", "yaml").status == 64)
        }
    }
}
