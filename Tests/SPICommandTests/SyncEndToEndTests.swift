import Foundation
import SPITestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// End-to-end sync tests: real `spi serve` and `spi sync` processes talking over loopback.
@Suite("sync end to end", .serialized)
struct SyncEndToEndTests {
    static let sqlite3 = "/usr/bin/sqlite3"
    static var hasSQLite3: Bool { FileManager.default.isExecutableFile(atPath: sqlite3) }

    // MARK: - Tests

    @Test(
        "an organization and three bound providers edit offline, sync in a star, and each ends with its view",
        .timeLimit(.minutes(3)))
    func star() throws {
        try withScratchDirectory { directory in
            let org = CommandFixture(directory: directory, db: directory.appendingPathComponent("org.db").path)
            try org.ok("init", "--name", "Northwind Retail", "--kind", "organization")
            let orgIdentity = try Self.identity(of: org)
            let register = orgIdentity["registerId"]!
            let port = try Self.freePort()
            let address = "127.0.0.1:\(port)"

            // The organization's own offline edits: itself, a contact, and the provider parties.
            try org.ok(
                "party", "add", "--code", "NW", "--name", "Northwind Retail", "--kind", "organization",
                "--internal", "true")
            try org.ok("person", "add", "--party", "NW", "--name", "Jane Doe", "--email", "jane@northwind.example")

            // Three providers join the register, pair with the organization, and are bound to their parties.
            var providers: [(letter: String, fixture: CommandFixture)] = []
            for letter in ["A", "B", "C"] {
                let provider = CommandFixture(
                    directory: directory, db: directory.appendingPathComponent("provider-\(letter).db").path)
                try provider.ok("init", "--name", "Provider \(letter)", "--kind", "provider", "--register", register)
                let peerID = try Self.identity(of: provider)["peerId"]!
                try provider.ok("peer", "add", "--name", "org", "--id", orgIdentity["peerId"]!, "--address", address)
                try org.ok("peer", "add", "--name", "provider-\(letter.lowercased())", "--id", peerID)
                try org.ok(
                    "party", "add", "--code", "P\(letter)", "--name", "Provider \(letter) Ltd", "--kind", "provider")
                try org.ok("party", "bind", "P\(letter)", "--peer", peerID)
                // Not bound yet on its own replica: it may not edit.
                try provider.refused(["person", "add", "--party", "P\(letter)", "--name", "Agent"], status: 64)
                providers.append((letter, provider))
            }

            let server = try SyncServerProcess(db: org.db, listen: address, directory: directory)
            defer { server.stop() }
            try server.waitUntilServing()

            // Round one: each provider learns its binding, then adds its own contact offline.
            for (letter, provider) in providers {
                _ = try Self.syncReport(provider, address)
                try provider.ok(
                    "person", "add", "--party", "P\(letter)", "--name", "Agent \(letter)",
                    "--email", "agent.\(letter.lowercased())@provider.example")
            }
            // Round two: each provider sends its edit; round three: each gets what is new in its scope.
            for (letter, provider) in providers {
                let report = try Self.syncReport(provider, address)
                #expect((report["changesSent"] as? Int ?? 0) > 0, "provider \(letter) sent nothing: \(report)")
                #expect((report["changesRefusedByPeer"] as? Int ?? -1) == 0, "\(report)")
            }
            for (_, provider) in providers { _ = try Self.syncReport(provider, address) }
            // The server logs each session at its default level, one line each (9 sessions so far).
            let sessions = server.stderr.split(separator: "\n").filter { $0.contains("session complete") }
            #expect(sessions.count >= 9, "\(server.stderr)")

            // The organization holds everything; each provider exactly its view of it.
            let people = try org.ok("person", "list")
            for letter in ["a", "b", "c"] { #expect(people.contains("agent.\(letter)@provider.example")) }
            for (letter, provider) in providers {
                #expect(
                    try provider.ok("digest") == (try org.ok("digest", "--for", "P\(letter)")),
                    "provider \(letter)'s digest differs from the organization's view for P\(letter)")
            }
            // Parties and the organization's people are public; another provider's people are not.
            let partyOfA = try #require(
                try providers[2].fixture.json("party", "show", "PA", "--json") as? [String: Any])
            #expect(partyOfA["name"] as? String == "Provider A Ltd")
            let seenByA = try providers[0].fixture.ok("person", "list")
            #expect(seenByA.contains("jane@northwind.example") && seenByA.contains("agent.a@provider.example"))
            #expect(!seenByA.contains("agent.b@provider.example"), "provider A holds provider B's contact")

            // SIGTERM stops the hub gracefully, with status 0.
            let status = try server.terminate()
            #expect(status == 0, "spi serve exited with \(status); stderr: \(server.stderr)")
            try expectIntegrityOfDatabases(in: directory)
        }
    }

    @Test(
        "a provider killed with SIGKILL during a large apply keeps an intact replica that converges next sync",
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(3)))
    func killedDuringApply() throws {
        try withScratchDirectory { directory in
            let org = CommandFixture(directory: directory, db: directory.appendingPathComponent("org.db").path)
            try org.ok("init", "--name", "Northwind Retail", "--kind", "organization")
            let orgIdentity = try Self.identity(of: org)
            let port = try Self.freePort()
            let address = "127.0.0.1:\(port)"

            let provider = CommandFixture(
                directory: directory, db: directory.appendingPathComponent("provider.db").path)
            try provider.ok(
                "init", "--name", "Fabrikam", "--kind", "provider", "--register", orgIdentity["registerId"]!)
            try provider.ok("peer", "add", "--name", "org", "--id", orgIdentity["peerId"]!, "--address", address)
            let providerPeer = try Self.identity(of: provider)["peerId"]!
            try org.ok("peer", "add", "--name", "fabrikam", "--id", providerPeer)
            try org.ok("party", "add", "--code", "FAB", "--name", "Fabrikam Service Desk", "--kind", "provider")
            try org.ok("party", "bind", "FAB", "--peer", providerPeer)

            // A large change set on the organization: 20,000 people in one shell transaction (ids from the
            // table's default), then one `spi` run so the captured rows are turned into changes before serving.
            // (People of the organization's own party: every provider sees them.)
            try org.ok("party", "add", "--code", "NW", "--name", "Northwind Retail", "--kind", "organization")
            let rows = 20_000
            try Self.shell(
                org.db,
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows))
                INSERT INTO person(party_id, name, email)
                SELECT (SELECT id FROM party WHERE code = 'NW'), 'Person ' || i, 'p' || i || '@example.com' FROM n;
                """)
            try org.ok("digest")

            let server = try SyncServerProcess(db: org.db, listen: address, directory: directory)
            defer { server.stop() }
            try server.waitUntilServing()

            // Kill the provider's `spi sync` at several points of the transfer: once early (during the handshake or
            // the first batch), then twice shortly after a batch of this session has been committed, that is while
            // the next batch is being received and applied. After each kill the file is intact.
            var counts: [Int] = []
            var killedWhileRunning = 0
            for (round, delay) in [0.3, 0.1, 0.25].enumerated() {
                let before = counts.last ?? 0
                let sync = WatchedProcess()
                sync.process.executableURL = SPIProcess.executable
                sync.process.arguments = ["--db", provider.db, "sync", address, "--json"]
                sync.process.environment = Self.environment
                sync.process.standardInput = FileHandle.nullDevice
                sync.process.standardOutput = FileHandle.nullDevice
                sync.process.standardError = FileHandle.nullDevice
                try sync.start()
                if round > 0 {
                    // Wait (read-only, beside the writer: the replica is in WAL mode) for this session's first
                    // committed batch.
                    let deadline = Date().addingTimeInterval(20)
                    while sync.isRunning && Date() < deadline,
                        (try Self.peopleWhileSyncing(provider.db) ?? before) <= before
                    {
                        Thread.sleep(forTimeInterval: 0.03)
                    }
                }
                Thread.sleep(forTimeInterval: delay)
                sync.send(SIGKILL)
                try sync.waitForExit(timeout: 60)
                if sync.signaled && sync.status == SIGKILL {
                    killedWhileRunning += 1
                }
                #expect(
                    try Self.shell(provider.db, "PRAGMA integrity_check;") == "ok",
                    "integrity after the SIGKILL of round \(round)")
                counts.append(Int(try Self.shell(provider.db, "SELECT count(*) FROM person;")) ?? -1)
            }
            #expect(killedWhileRunning == 3, "some syncs finished before their SIGKILL; people received: \(counts)")
            #expect(counts.allSatisfy { $0 >= 0 && $0 < rows }, "people received after each kill: \(counts)")
            // What was committed before a kill stays: the later rounds each added batches.
            #expect(counts[1] > counts[0] && counts[2] > counts[1], "people received after each kill: \(counts)")

            // The next sync runs to completion and converges.
            let report = try Self.syncReport(provider, address)
            #expect((report["changesReceived"] as? Int ?? 0) > 0, "\(report)")
            #expect(try provider.ok("digest") == org.ok("digest", "--for", "FAB"))
            #expect(try Self.shell(provider.db, "SELECT count(*) FROM person;") == "\(rows)")
            #expect(
                try Self.shell(provider.db, "SELECT name FROM party WHERE code = 'FAB';") == "Fabrikam Service Desk")

            let status = try server.terminate()
            #expect(status == 0, "spi serve exited with \(status); stderr: \(server.stderr)")
            try expectIntegrityOfDatabases(in: directory)
        }
    }

    @Test(
        "a replica killed with SIGKILL while stamping a large backlog keeps every captured change, all or nothing",
        // A guard against a hang, not a timing assertion: it takes about 90 s on a debug build with two busy cores.
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(5)))
    func killedWhileStamping() throws {
        try withCommandFixture(.basics) { org in
            let provider = CommandFixture(
                directory: org.directory, db: org.directory.appendingPathComponent("provider.db").path)
            let register = try #require(try org.json("whoami", "--json") as? [String: String])["registerId"]!
            try provider.ok("init", "--name", "Fabrikam", "--kind", "provider", "--register", register)
            try org.ok("party", "bind", "FAB", "--peer", Self.identity(of: provider)["peerId"]!)
            _ = try org.ok("changes", "knowledge", "--out", org.directory.appendingPathComponent("settle").path)

            // A backlog of captured rows with no versions yet: one shell transaction, which the triggers capture.
            let rows = 150_000
            try Self.shell(
                org.db,
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows))
                INSERT INTO person(party_id, name, email)
                SELECT (SELECT id FROM party WHERE code = 'NW'), 'Person ' || i, 'p' || i || '@example.com' FROM n;
                """)
            let pending = "SELECT count(*) FROM _spi_capture WHERE id IS NOT NULL;"
            let stamped = "SELECT count(*) FROM _spi_row r JOIN _spi_table t ON t.idx = r.tbl WHERE t.name = 'person';"
            let before = Int(try Self.shell(org.db, stamped)) ?? -1
            #expect(try Self.shell(org.db, pending) == "\(rows)")

            // `spi changes knowledge` stamps the backlog first; kill it at several points.
            var killedWhileRunning = 0
            for delay in [0.15, 0.4, 0.8] {
                let run = WatchedProcess()
                run.process.executableURL = SPIProcess.executable
                run.process.arguments = [
                    "--db", org.db, "changes", "knowledge", "--out", org.directory.appendingPathComponent("k").path,
                ]
                run.process.environment = Self.environment
                run.process.standardInput = FileHandle.nullDevice
                run.process.standardOutput = FileHandle.nullDevice
                run.process.standardError = FileHandle.nullDevice
                try run.start()
                Thread.sleep(forTimeInterval: delay)
                run.send(SIGKILL)
                try run.waitForExit(timeout: 60)
                if run.signaled { killedWhileRunning += 1 }
                #expect(
                    try Self.shell(org.db, "PRAGMA integrity_check;") == "ok", "integrity after a kill at \(delay) s")
                // Stamping is one transaction: either the whole backlog got its versions, or none of it did.
                let left = Int(try Self.shell(org.db, pending)) ?? -1
                let versions = (Int(try Self.shell(org.db, stamped)) ?? -1) - before
                #expect(
                    (left == rows && versions == 0) || (left == 0 && versions == rows),
                    "after a kill at \(delay) s: \(left) entries pending, \(versions) rows stamped")
            }
            #expect(killedWhileRunning > 0, "every `spi changes knowledge` finished before its SIGKILL")

            // The next run stamps what is left, and every row travels.
            let changes = org.directory.appendingPathComponent("for-provider.changes").path
            let knowledge = org.directory.appendingPathComponent("provider.knowledge").path
            try provider.ok("changes", "knowledge", "--out", knowledge)
            try org.ok("changes", "export", "--since", knowledge, "--out", changes)
            try provider.ok("changes", "apply", changes)
            #expect(try Self.shell(provider.db, "SELECT count(*) FROM person WHERE name LIKE 'Person %';") == "\(rows)")
            #expect(try provider.ok("digest") == org.ok("digest", "--for", "FAB"))
            try expectIntegrityOfDatabases(in: org.directory)
        }
    }

    // MARK: - Helpers

    /// The environment for child processes: no `$SPI_DB` or log level from the caller.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["SPI_DB"] = nil
        env["SPI_LOG_LEVEL"] = nil
        return env
    }

    /// `spi whoami --json` of a fixture.
    static func identity(of fixture: CommandFixture) throws -> [String: String] {
        try #require(try fixture.json("whoami", "--json") as? [String: String])
    }

    /// Runs `spi sync ADDRESS --json`, which must succeed, and returns its report. Retries briefly while the
    /// server cannot be reached (exit status 2) or is busy (4).
    static func syncReport(
        _ fixture: CommandFixture, _ address: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: Any] {
        var run = try fixture.spi("sync", address, "--json")
        var attempts = 1
        while (run.status == 2 || run.status == 4) && attempts < 10 {
            Thread.sleep(forTimeInterval: 0.2)
            run = try fixture.spi("sync", address, "--json")
            attempts += 1
        }
        try #require(run.status == 0, "spi sync \(address): \(run)", sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8))
        let report = try #require(object as? [String: Any], "\(run)", sourceLocation: sourceLocation)
        // Keys as in every other --json output (the guide documents peerId).
        #expect(report["peerId"] is String && report["peerID"] == nil, "\(run)", sourceLocation: sourceLocation)
        return report
    }

    /// Runs the sqlite3 shell on `db` with `sql`; it must succeed. Returns its trimmed stdout.
    @discardableResult
    static func shell(_ db: String, _ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let run = try WatchedProcess.run(URL(fileURLWithPath: sqlite3), [db, sql], timeout: 300)
        #expect(run.status == 0, "sqlite3 \(sql): \(run.stderrText)", sourceLocation: sourceLocation)
        return run.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The number of people in `db`, read with a read-only sqlite3 shell beside a running writer; nil if the read
    /// failed (for instance busy while the writer recovers the WAL after a kill).
    static func peopleWhileSyncing(_ db: String) throws -> Int? {
        let run = try WatchedProcess.run(
            URL(fileURLWithPath: sqlite3), ["-readonly", "-cmd", ".timeout 500", db, "SELECT count(*) FROM person;"],
            timeout: 60)
        guard run.status == 0 else { return nil }
        return Int(run.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A loopback TCP port that was free a moment ago: bind to port 0, read the port the kernel chose, close.
    static func freePort() throws -> UInt16 {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        try #require(fd >= 0, "socket: errno \(errno)")
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0, "bind: errno \(errno)")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        try #require(named == 0, "getsockname: errno \(errno)")
        return UInt16(bigEndian: address.sin_port)
    }

    /// A fresh temporary directory, removed afterwards.
    func withScratchDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }
}

/// `spi serve` (or another long-running `spi` command, such as `spi app`) in the background, its output in a file.
final class SyncServerProcess {
    let child = WatchedProcess()
    var process: Process { child.process }
    let logPath: String

    convenience init(db: String, listen: String, directory: URL, arguments: [String] = []) throws {
        try self.init(arguments: ["--db", db, "serve", "--listen", listen] + arguments, directory: directory)
    }

    /// Runs `spi` with `arguments`.
    init(arguments: [String], directory: URL) throws {
        logPath = directory.appendingPathComponent("serve-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = SPIProcess.executable
        process.arguments = arguments
        process.environment = SyncEndToEndTests.environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try child.start()
        try log.close()
    }

    /// What the server wrote so far.
    var stderr: String {
        (FileManager.default.contents(atPath: logPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Waits until the server says it is serving (it prints that once it listens).
    func waitUntilServing(timeout: TimeInterval = 20, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderr.contains("spi: serving") { return }
            try #require(process.isRunning, "spi serve exited early: \(stderr)", sourceLocation: sourceLocation)
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("spi serve did not start listening within \(timeout) s: \(stderr)", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Sends SIGTERM and waits up to `timeout` seconds for the exit; returns the exit status. SIGKILLs and fails
    /// if the server does not stop in time.
    func terminate(timeout: TimeInterval = 5, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int32 {
        child.send(SIGTERM)
        guard child.waitForExit(atMost: timeout) else {
            child.stop()
            Issue.record(
                "spi serve did not exit within \(timeout) s of SIGTERM: \(stderr)", sourceLocation: sourceLocation)
            return -1
        }
        #expect(!child.signaled, "spi serve died of a signal: \(stderr)", sourceLocation: sourceLocation)
        return child.status
    }

    /// Makes sure the server is gone (for `defer`): SIGKILL if it still runs.
    func stop() {
        child.stop()
    }
}
