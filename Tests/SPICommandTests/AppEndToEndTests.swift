import Foundation
import Logging
import SPIApp
import SPIRegister
import SPITestSupport
import Testing

/// `spi app`: the real server over the demo's replicas, in a real Chromium (Selenium and chromedriver), and a
/// provider's app, which offers only what its party may do.
@Suite("spi app end to end")
struct AppEndToEndTests {
    /// Whether chromedriver, Chromium and Python's Selenium are here (CI installs them: scripts/setup).
    static let browserAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        else { return false }
        return (try? WatchedProcess.run(program: "python3", ["-c", "import selenium"], timeout: 120))?.status == 0
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser/app_browser_test.py")

    /// Where the browser test saves its screenshots: `.build/app-screenshots` of the package.
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/app-screenshots")

    @Test(
        "in Chromium: log in with the token, edit a RACI cell, see a second Accountable refused, watch a sync land live, settle a conflict; wrong tokens refused",
        .enabled(if: browserAvailable), .timeLimit(.minutes(4)))
    func browser() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let syncAddress = "127.0.0.1:\(try SyncEndToEndTests.freePort())"
            let app = try SyncServerProcess.app(
                db: org.db, arguments: ["--listen", "127.0.0.1:0", "--sync", "--sync-listen", syncAddress],
                directory: directory)
            defer { app.stop() }
            let url = try app.waitForURL()
            let fabrikam = try #require(providers["FAB"])
            try fabrikam.ok("peer", "remove", "northwind")
            try fabrikam.ok("peer", "add", "--name", "northwind", "--id", try org.ok("whoami", "--field", "peerId"))
            let run = try WatchedProcess.run(
                program: "python3",
                [
                    Self.script.path, "--url", url, "--spi", SPIProcess.executable.path, "--org", org.db,
                    "--fabrikam", fabrikam.db, "--sync", syncAddress, "--screenshots", Self.screenshots.path,
                ],
                environment: SyncEndToEndTests.environment, timeout: 200)
            let text = run.stdoutText + run.stderrText
            // Into the test output: each step, the screenshots it saved (in .build/app-screenshots) and its timings.
            print(text)
            #expect(run.status == 0, "\(text)\n--- spi app:\n\(app.stderr)")
            #expect(text.contains("every step passed"), "\(text)")
            try expectIntegrityOfDatabases(in: directory.appendingPathComponent("demo"))
        }
    }

    /// What a program found on PATH writes to stdout and stderr, once it has exited.
    static func output(of arguments: [String]) throws -> String {
        let run = try WatchedProcess.run(program: arguments[0], Array(arguments.dropFirst()), timeout: 120)
        return run.stdoutText + run.stderrText
    }

    /// This machine's first IPv4 address other than loopback, if it has one.
    static let externalAddress: String? = {
        guard let text = try? output(of: ["hostname", "-I"]) else { return nil }
        return text.split(separator: " ").map(String.init)
            .first { $0.split(separator: ".").count == 4 && !$0.hasPrefix("127.") }
    }()

    @Test(
        "on an address other than loopback the app serves HTTPS with the replica's certificate, and says so",
        .enabled(if: externalAddress != nil), .timeLimit(.minutes(2)))
    func tls() throws {
        let host = try #require(Self.externalAddress)
        try withCommandFixture(.empty) { f in
            let app = try SyncServerProcess.app(db: f.db, arguments: ["--listen", "\(host):0"], directory: f.directory)
            defer { app.stop() }
            let url = try app.waitForURL()
            #expect(url.hasPrefix("https://\(host):"), "\(url)")
            #expect(app.stderr.contains("HTTPS with the replica's own certificate"))
            // Over TLS (the replica's self-signed certificate: not verified here) the token logs in and its absence is
            // refused; plain HTTP on the same port gets nothing.
            let script = """
                import http.client, ssl, sys
                from urllib.parse import urlparse
                url = urlparse(sys.argv[1])
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                def get(path):
                    c = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=20)
                    c.request("GET", path, headers={"Host": url.netloc})
                    r = c.getresponse()
                    return r.status, r.getheader("Set-Cookie") or ""
                print(get("/")[0], get("/?" + url.query)[0], "HttpOnly" in get("/?" + url.query)[1])
                plain = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
                try:
                    plain.request("GET", "/")
                    print("plain", plain.getresponse().status)
                except Exception:
                    print("plain refused")
                """
            let text = try Self.output(of: ["python3", "-c", script, url])
            #expect(text.contains("401 303 True") && text.contains("plain refused"), "\(text)")
        }
    }

    @Test(
        "malformed HTTP gets 400 and a body over 1 MiB gets 413, from the real server, which keeps serving",
        .timeLimit(.minutes(2)))
    func badRequests() throws {
        try withCommandFixture(.empty) { f in
            let app = try SyncServerProcess.app(
                db: f.db, arguments: ["--listen", "127.0.0.1:0"], directory: f.directory)
            defer { app.stop() }
            let url = try app.waitForURL()
            let script = """
                import socket, sys
                from urllib.parse import urlparse
                url = urlparse(sys.argv[1])
                def send(data):
                    s = socket.create_connection((url.hostname, url.port), timeout=20)
                    s.sendall(data)
                    reply = b""
                    try:
                        while b"\\r\\n" not in reply:
                            chunk = s.recv(4096)
                            if not chunk: break
                            reply += chunk
                    except OSError:
                        pass
                    s.close()
                    return reply.split(b"\\r\\n")[0].decode(errors="replace")
                host = ("Host: %s\\r\\n" % url.netloc).encode()
                print(send(b"NOT HTTP AT ALL\\r\\n\\r\\n"))
                body = b"x" * (2 * 1024 * 1024)
                print(send(b"POST /records/party/x HTTP/1.1\\r\\n" + host + b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body))
                print(send(b"GET / HTTP/1.1\\r\\n" + host + b"\\r\\n"))
                """
            let text = try Self.output(of: ["python3", "-c", script, url])
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(text)")
            #expect(lines.first?.hasPrefix("HTTP/1.1 400") == true, "\(text)")
            #expect(lines.dropFirst().first?.hasPrefix("HTTP/1.1 413") == true, "\(text)")
            #expect(lines.last?.hasPrefix("HTTP/1.1 401") == true, "\(text)")
        }
    }

    @Test("a provider's app offers only what its party may do, and refuses the rest with the CLI's words")
    func providerApp() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-app-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try SPIProcess.run(["demo", "--dir", directory.path])
        try #require(demo.status == 0, "spi demo: \(demo)")
        let fabrikam = CommandFixture(directory: directory, db: directory.appendingPathComponent("fabrikam.db").path)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let appRegister = try Register(path: fabrikam.db, logger: quiet)
        appRegister.enforcesAccessRules = true
        let app = WebApp(register: appRegister, logger: quiet)
        // The app owns its connection; the test reads through its own.
        let register = try Register(path: fabrikam.db, logger: quiet)
        app.allow(hosts: ["127.0.0.1:1"])
        let headers = ["Host": "127.0.0.1:1", "Cookie": "spi_app_session=\(app.token)"]
        let page = await app.respond(to: AppRequest(method: "GET", target: "/spis/SPI-INC-FAB", headers: headers))
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(page.status == 200)
        // Fabrikam edits the RACI of its own SPIs (docs/permissions.md): the matrix offers its letters.
        #expect(html.contains("aria-label=\"INC-DIAG, FAB: Consulted\""), "\(html)")
        // The SPI's governance is the organization's: the app offers no field of it, and refuses a post anyway, in
        // the words `spi interface set` uses.
        #expect(!html.contains("name=\"next_review\""))
        let spiID = try register.read { try $0.resolve("interface", "SPI-INC-FAB") }
        let before = try register.read { try $0.record("interface", spiID) }
        let csrf = try #require(html.firstMatch(of: /name="csrf-token" content="([0-9a-f]+)"/)?.1)
        var post = AppRequest(method: "POST", target: "/records/interface/\(spiID)", headers: headers)
        post.headers["content-type"] = "application/x-www-form-urlencoded"
        post.headers["accept"] = "application/json"
        post.headers["x-csrf-token"] = String(csrf)
        post.body = Array("next_review=2030-01-01".utf8)
        let refused = await app.respond(to: post)
        let body = String(decoding: refused.body, as: UTF8.self)
        #expect(refused.status == 403 && body.contains("this replica may not change next_review"), "\(body)")
        let cli = try fabrikam.refused(["interface", "set", "SPI-INC-FAB", "--next-review", "2030-01-01"], status: 64)
        #expect(cli.contains("this replica may not change next_review"), "\(cli)")
        #expect(try register.read { try $0.record("interface", spiID) } == before)
    }
}

extension SyncServerProcess {
    /// `spi app` on `db`, with more `arguments`.
    static func app(db: String, arguments: [String], directory: URL) throws -> SyncServerProcess {
        try SyncServerProcess(arguments: ["--db", db, "app"] + arguments, directory: directory)
    }

    /// The URL `spi app` printed, once it listens.
    func waitForURL(timeout: TimeInterval = 20) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let match = stderr.firstMatch(of: /is at (https?:\/\/\S+)/) { return String(match.1) }
            try #require(process.isRunning, "spi app exited early: \(stderr)")
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("spi app did not print its URL within \(timeout) s: \(stderr)")
        throw CancellationError()
    }
}
