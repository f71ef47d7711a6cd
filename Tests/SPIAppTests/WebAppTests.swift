import Foundation
@testable import SPIApp
import SPIRegister
import SPIReplication
import SPISQLite
import Testing

/// The web app answered request by request (no sockets): sessions, CSRF, pages, and edits with the same rules and
/// words as `spi`.
@Suite("web app")
struct WebAppTests {
    @Test("every request needs the session token; the printed link logs in once and leaves no token in the URL")
    func session() async throws {
        let f = try AppFixture()
        let anonymous = await f.get("/", cookie: false)
        #expect(anonymous.status == 401 && anonymous.text.contains("spi app"))
        let wrongToken = await f.get("/?token=\(String(repeating: "0", count: 64))", cookie: false)
        #expect(wrongToken.status == 401)
        let login = await f.get("/spis?token=\(f.token)", cookie: false)
        #expect(login.status == 303 && login.header("Location") == "/spis")
        let cookie = try #require(login.header("Set-Cookie"))
        #expect(
            cookie.contains("\(AppAuth.cookieName)=\(f.token)") && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict"))
        let home = await f.get("/")
        #expect(home.status == 200 && home.text.contains("<h1>Home</h1>"))
        #expect(home.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
        #expect(home.header("Referrer-Policy") == "no-referrer")
        // Another Host (a DNS name rebound to loopback) is refused, even with the cookie.
        var request = AppRequest(method: "GET", target: "/", headers: f.headers())
        request.headers["host"] = "evil.example:8080"
        #expect(await f.app.respond(to: request).status == 421)
        #expect(await f.app.respond(to: AppRequest(method: "DELETE", target: "/", headers: f.headers())).status == 405)
    }

    @Test("a write without the CSRF token or with a wrong one is refused and changes nothing")
    func csrf() async throws {
        let f = try AppFixture()
        let fields = ["activity": "INC-DIAG", "party": "NWR", "role": "I", "on": "1"]
        let ids = try f.read { store in
            ["activity": try store.resolve("activity", "INC-DIAG"), "party": try store.resolve("party", "NWR")]
        }
        let form = fields.merging(ids) { _, id in id }
        #expect(await f.post("/spis/SPI-INC-FAB/raci", form, csrf: "").status == 403)
        #expect(await f.post("/spis/SPI-INC-FAB/raci", form, csrf: String(repeating: "a", count: 64)).status == 403)
        #expect(try f.raci("SPI-INC-FAB", activity: "INC-DIAG", party: "NWR").isEmpty)
        let done = await f.post("/spis/SPI-INC-FAB/raci", form)
        #expect(done.status == 200 && done.object["ok"] as? Bool == true, "\(done.text)")
        #expect(try f.raci("SPI-INC-FAB", activity: "INC-DIAG", party: "NWR", role: "I").count == 1)
        // The matrix that comes back shows the letter set, for the page to swap in.
        #expect((done.object["html"] as? String)?.contains("aria-label=\"INC-DIAG, NWR: Informed\"") == true)
    }

    @Test("a second Accountable is refused in the words of `spi raci add`, and nothing is written")
    func secondAccountable() async throws {
        let f = try AppFixture()
        let (activity, party) = try f.read { store in
            (try store.resolve("activity", "INC-LOG"), try store.resolve("party", "FAB"))
        }
        let before = try f.raci("SPI-INC-FAB", activity: "INC-LOG", role: "A")
        #expect(before.count == 1)
        let refused = await f.post(
            "/spis/SPI-INC-FAB/raci", ["activity": activity, "party": party, "role": "A", "on": "1"])
        #expect(refused.status == 422)
        let message = try #require(refused.object["error"] as? String)
        // The words docs/app.md quotes, the same as `spi raci add`'s.
        #expect(
            message == "INC-LOG already has an Accountable party (SIAM) in this SPI; an activity has exactly one A",
            "\(message)")
        #expect(refused.object["field"] as? String == "raci")
        #expect(try f.raci("SPI-INC-FAB", activity: "INC-LOG", role: "A").map(\.id) == before.map(\.id))
        // Clearing the existing one, then setting the new one, moves the Accountable.
        let siam = try f.read { try $0.resolve("party", "SIAM") }
        #expect(
            await f.post("/spis/SPI-INC-FAB/raci", ["activity": activity, "party": siam, "role": "A", "on": "0"]).status
                == 200)
        #expect(
            await f.post("/spis/SPI-INC-FAB/raci", ["activity": activity, "party": party, "role": "A", "on": "1"])
                .status == 200)
        #expect(try f.raci("SPI-INC-FAB", activity: "INC-LOG", role: "A").map { $0["party_id"].textValue } == [party])
    }

    @Test("inline edits are checked like `spi record put`: a refusal names the field and changes nothing")
    func edits() async throws {
        let f = try AppFixture()
        let spi = try f.read { try $0.record("interface", "SPI-INC-FAB") }
        let saved = await f.post(
            "/records/interface/\(spi.id)", ["title": "Incidents <b>&</b> Fabrikam", "version": "2.1"])
        #expect(saved.status == 200 && saved.object["changed"] as? Int == 1, "\(saved.text)")
        #expect(
            try f.read { try $0.record("interface", "SPI-INC-FAB")["title"] } == .text("Incidents <b>&</b> Fabrikam"))
        // Shown escaped on the page.
        let page = await f.get("/spis/SPI-INC-FAB")
        #expect(page.text.contains("Incidents &lt;b&gt;&amp;&lt;/b&gt; Fabrikam") && !page.text.contains("<b>&</b>"))
        let refused = await f.post("/records/interface/\(spi.id)", ["title": ""])
        #expect(refused.status == 422 && refused.object["field"] as? String == "title", "\(refused.text)")
        let unknown = await f.post("/records/interface/\(spi.id)", ["colour": "red"])
        #expect(unknown.status == 422 && (unknown.object["error"] as? String)?.contains("colour") == true)
        #expect(
            try f.read { try $0.record("interface", "SPI-INC-FAB")["title"] } == .text("Incidents <b>&</b> Fabrikam"))
        // Without the app's scripts, a form post redirects back to the page it came from.
        var request = AppRequest(method: "POST", target: "/records/interface/\(spi.id)", headers: f.headers())
        request.headers["content-type"] = "application/x-www-form-urlencoded"
        request.headers["referer"] = "http://\(AppFixture.host)/spis/SPI-INC-FAB"
        request.body = Array("csrf=\(f.app.auth.csrf)&version=2.2".utf8)
        let plain = await f.app.respond(to: request)
        #expect(plain.status == 303 && plain.header("Location") == "/spis/SPI-INC-FAB")
    }

    @Test("the pages: home, the SPI list with its filters, an SPI, conflicts, parties, reports in every format")
    func pages() async throws {
        let f = try AppFixture()
        let home = await f.get("/")
        #expect(home.text.contains("overdue by") && home.text.contains("Open findings"))
        let fab = await f.get("/spis?provider=FAB&status=")
        #expect(fab.text.contains("SPI-INC-FAB") && !fab.text.contains("SPI-INC-CON"))
        let all = await f.get("/spis")
        #expect(all.text.contains("SPI-INC-CON"))
        let spi = await f.get("/spis/SPI-INC-FAB")
        #expect(
            spi.status == 200 && spi.text.contains("table class=\"raci\"") && spi.text.contains("Integration points"))
        #expect(await f.get("/spis/SPI-NOPE").status == 404)
        #expect(await f.get("/conflicts").text.contains("No open conflicts"))
        let parties = await f.get("/parties")
        #expect(parties.text.contains("Fabrikam") && parties.text.contains("What this replica"))
        // The organization sees each party's scope: Fabrikam sees its 3 SPIs of 12.
        #expect(
            parties.text.contains("id=\"scope-FAB\"") && parties.text.contains("<td>interface</td><td>3 of 12</td>"),
            "\(parties.text)")
        // The ecosystem view, its own page: the demo's heat map, every colour of it, in the app's layout.
        let ecosystem = await f.get("/ecosystem")
        #expect(ecosystem.status == 200 && ecosystem.text.lowercased().hasPrefix("<!doctype html>"))
        #expect(ecosystem.text.contains("href=\"/ecosystem\" aria-current=\"page\""), "\(ecosystem.text.prefix(2000))")
        for heat in ["heat-good", "heat-partial", "heat-missing"] {
            #expect(ecosystem.text.contains("class=\"heat \(heat)\""), "\(heat)")
        }
        #expect(ecosystem.text.contains("SPI-PRB-CON") && ecosystem.text.contains("data-live=\"/ecosystem\""))
        #expect(!ecosystem.text.contains("<style>"), "the fragment brings no styles of its own (the app's CSP)")
        let reports = await f.get("/reports")
        #expect(reports.text.contains("/reports/raci.csv?provider=FAB"))
        for name in ReportName.allCases {
            for format in ReportFormat.allCases {
                let report = await f.get("/reports/\(name.rawValue).\(format.rawValue)?provider=FAB")
                #expect(report.status == 200, "\(name) \(format): \(report.text.prefix(200))")
                #expect(report.header("Content-Type")?.hasPrefix(format.mediaType) == true)
            }
        }
        let ics = await f.get("/reports/calendar.ics")
        #expect(ics.text.hasPrefix("BEGIN:VCALENDAR"))
        #expect(await f.get("/reports/raci.pdf").status == 404)
        let unknownProvider = await f.get("/reports/raci.csv?provider=ZZZ")
        #expect(unknownProvider.status == 422 && unknownProvider.text.contains("no party with code &#39;ZZZ&#39;"))
        #expect(await f.get("/assets/app.js").text.contains("EventSource"))
        #expect(await f.get("/nowhere").status == 404)
    }

    @Test("a change committed by another connection is announced once, counted and named by who made it")
    func liveUpdates() async throws {
        let f = try AppFixture()
        let received = Received()
        let id = f.app.events.subscribe { received.append($0) }
        await f.app.events.poll() // the first look only notes where things stand
        #expect(received.frames.isEmpty)
        let other = try Register(path: f.path, logger: quietLogger)
        try other.write { store in
            _ = try store.put(
                "interface", id: try store.resolve("interface", "SPI-INC-FAB"), fields: ["version": "2.2"],
                mode: .update)
        }
        await f.app.events.poll()
        #expect(received.frames.count == 1)
        let frame = try #require(received.frames.first)
        #expect(
            frame.hasPrefix("event: changes\ndata: {")
                && frame.contains("1 change from the organization (this replica)"), "\(frame)")
        await f.app.events.poll()
        #expect(received.frames.count == 1)
        f.app.events.unsubscribe(id)
        #expect(f.app.events.subscriberCount == 0)
    }

    @Test("requests are parsed strictly: percent escapes, form encoding, cookies, malformed input")
    func parsing() {
        let request = AppRequest(
            method: "post", target: "/spis/SPI%2DINC?x=a+b&y=%C3%A9&bad=%ZZ&=empty",
            headers: ["Cookie": " a=1 ;b = 2", "Content-Type": "application/x-www-form-urlencoded"],
            body: Array("title=Hello+world%21&csrf=t".utf8))
        #expect(request.method == "POST" && request.path == "/spis/SPI-INC")
        #expect(request.query["x"] == "a b" && request.query["y"] == "é" && request.query["bad"] == nil)
        #expect(request.form == ["title": "Hello world!", "csrf": "t"])
        #expect(request.cookies == ["a": "1", "b": "2"])
        #expect(AppRequest(method: "GET", target: "/%E0%A4").path == "/")
        #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(
            AppAuth.constantTimeEqual("abc", "abc") && !AppAuth.constantTimeEqual("abc", "abd")
                && !AppAuth.constantTimeEqual("ab", "abc"))
    }
}

/// Frames received by a subscriber (the event stream's writer, in the real server).
final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ frame: String) { lock.withLock { stored.append(frame) } }
    var frames: [String] { lock.withLock { stored } }
}
