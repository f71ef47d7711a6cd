public import Logging
public import SPIRegister
import SPIReplication

/// The SPI register's local web app (`spi app`): server-rendered pages over one replica, with the same local rules as
/// the `spi` command, for process owners and service managers.
///
/// ``respond(to:)`` answers one request without any I/O of its own: ``AppServer`` (the NIO shell) reads requests
/// from the wire, and streams the live updates (``AppEvents``). Every request needs the session token (``token``);
/// every write needs the CSRF token its pages carry (see `AppAuth`).
///
/// ```swift
/// let register = try Register(path: "fabrikam.db", logger: logger)
/// register.enforcesAccessRules = true
/// let app = WebApp(register: register, logger: logger)
/// let server = AppServer(app: app, host: "127.0.0.1", port: 8080, logger: logger)
/// ```
public final class WebApp: Sendable {
    /// The register, owned by one serial queue (web requests and the change feed share it).
    let queue: SerialOwner<Register>
    /// The session and CSRF tokens, and the accepted hosts.
    let auth: AppAuth
    /// The register's display name, for page titles.
    let registerName: String
    /// Where the app reports.
    let logger: Logger
    /// What pages are told about changes: the live-update feed.
    let events: AppEvents
    /// The replica's trusted peers, for pairing (nil: the app shows none and adds none).
    let peers: (any PeerDirectory)?

    /// An app over `register` (which it takes ownership of); `token` is the session token (random when nil);
    /// `peers` lets the app list and add trusted peers.
    public init(register: sending Register, token: String? = nil, peers: (any PeerDirectory)? = nil, logger: Logger) {
        self.registerName = register.name
        self.queue = SerialOwner(register, label: "spi.register")
        self.auth = AppAuth(token: token)
        self.logger = logger
        self.events = AppEvents(queue: queue, logger: logger)
        self.peers = peers
    }

    /// The session token: the URL `spi app` prints carries it once.
    public var token: String { auth.token }

    /// Accepts requests whose `Host` header is one of `hosts` (the listening address, and its loopback aliases).
    public func allow(hosts: [String]) { auth.allow(hosts: hosts) }

    /// Answers one request.
    public func respond(to request: AppRequest) async -> AppResponse {
        guard auth.hostIsAllowed(request) else {
            return .text("this app answers only requests for the address it listens on", status: 421)
        }
        // The link `spi app` prints: log in, then show the page without the token in its URL.
        if auth.hasTokenInURL(request) {
            return .redirect(to: request.path, headers: [("Set-Cookie", auth.sessionCookie)])
        }
        guard auth.isAuthenticated(request) else {
            return .html(Self.loginPage, status: 401)
        }
        if request.method == "POST" {
            guard auth.hasCSRFToken(request) else {
                return .text(
                    "refused: the form's CSRF token is missing or wrong; reload the page and try again", status: 403)
            }
        } else if request.method != "GET" && request.method != "HEAD" {
            return .text("method \(request.method) is not allowed", status: 405)
        }
        do {
            return try await route(request)
        } catch let error as RegisterError {
            let missing = error.code == .notFound || error.code == .unknownReference
            return errorResponse(error.message, status: missing ? 404 : 422, request: request)
        } catch {
            logger.error("app request failed", metadata: ["app.path": "\(request.path)", "app.error": "\(error)"])
            return errorResponse("\(error)", status: 500, request: request)
        }
    }

    /// Why a request for the live-update stream is refused (as ``respond(to:)`` would refuse it), or nil.
    func streamRefusal(_ request: AppRequest) -> AppResponse? {
        guard auth.hostIsAllowed(request) else {
            return .text("this app answers only requests for the address it listens on", status: 421)
        }
        return auth.isAuthenticated(request) ? nil : .text("the session token is missing", status: 401)
    }

    /// The page for a browser without the session cookie.
    static let loginPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>SPI register: token needed</title></head>
        <body><main><h1>Open the link that <code>spi app</code> printed</h1>
        <p>This app needs its session token. Open the URL that <code>spi app</code> printed when it started (it ends in
        <code>?token=…</code>); the browser then keeps the token in a cookie.</p></main></body></html>
        """

    /// Dispatches a logged-in request to its page or action.
    func route(_ request: AppRequest) async throws -> AppResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.first ?? "", parts.count) {
        case ("GET", "", 0): return try await homePage()
        case ("GET", "assets", 2): return AppAssets.response(for: parts[1])
        case ("GET", "spis", 1): return try await interfaceList(request)
        case ("GET", "spis", 2): return try await interfacePage(code: parts[1])
        case ("GET", "spis", 3) where parts[2] == "raci": return try await raciFragment(code: parts[1])
        case ("POST", "spis", 3) where parts[2] == "raci": return try await setRACI(code: parts[1], request)
        case ("POST", "records", 3): return try await editRecord(table: parts[1], id: parts[2], request)
        case ("GET", "conflicts", 1): return try await conflictsPage()
        case ("POST", "conflicts", 2): return try await resolveConflict(id: parts[1], request)
        case ("GET", "parties", 1): return try await partiesPage()
        case ("POST", "peers", 1): return try await addPeer(request)
        case ("GET", "ecosystem", 1): return try await ecosystemPage()
        case ("GET", "reports", 1): return try await reportsPage()
        case ("GET", "reports", 2): return try await report(file: parts[1], request)
        default: return errorResponse("no page at \(request.path)", status: 404, request: request)
        }
    }

    /// A refusal: JSON for the app's scripts (they show it next to the field), else a page.
    func errorResponse(_ message: String, status: Int, field: String? = nil, request: AppRequest) -> AppResponse {
        if request.header("accept")?.contains("application/json") == true {
            var object: [String: JSONValue] = ["ok": .bool(false), "error": .string(message)]
            if let field { object["field"] = .string(field) }
            return .json(.object(object), status: status)
        }
        let body =
            "<h1>Not done</h1><p class=\"error\" role=\"alert\">\(HTML.escape(message))</p><p><a href=\"/\">Home</a></p>"
        return .html(page(title: "Not done", section: "", body: body), status: status)
    }

    /// A page in the app's layout.
    func page(title: String, section: String, body: String) -> String {
        HTML.page(title: title, register: registerName, section: section, csrf: auth.csrf, body: body)
    }

    /// Whether the request comes from the app's scripts (which want JSON back).
    static func wantsJSON(_ request: AppRequest) -> Bool {
        request.header("accept")?.contains("application/json") == true
    }
}
