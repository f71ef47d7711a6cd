public import SPIRegister

/// One HTTP response of the app: a status, headers and a body, written to the wire by ``AppServer``.
public struct AppResponse: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The headers, in order (a name may repeat, as `Set-Cookie` does).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// A response; every one carries the app's security headers (`securityHeaders`).
    public init(status: Int, contentType: String, body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + Self.securityHeaders + headers
        self.body = body
    }

    /// What every response says to the browser: only the app's own scripts, styles and connections; never framed;
    /// nothing cached (pages show the replica as it is); no referrer (a URL may carry the session token).
    static let securityHeaders: [(name: String, value: String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("X-Frame-Options", "DENY"),
    ]

    /// An HTML page.
    public static func html(_ text: String, status: Int = 200) -> AppResponse {
        AppResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(text.utf8))
    }

    /// A JSON document.
    public static func json(_ value: JSONValue, status: Int = 200) -> AppResponse {
        AppResponse(
            status: status, contentType: "application/json; charset=utf-8", body: Array(value.canonicalText.utf8))
    }

    /// Plain text.
    public static func text(_ text: String, status: Int = 200) -> AppResponse {
        AppResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// A redirect (303: the browser follows it with a GET).
    public static func redirect(to location: String, headers: [(name: String, value: String)] = []) -> AppResponse {
        AppResponse(
            status: 303, contentType: "text/plain; charset=utf-8", body: [], headers: [("Location", location)] + headers
        )
    }

    /// The value of the first header with `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public static func == (lhs: AppResponse, rhs: AppResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { [$0.name, $0.value] } == rhs.headers.map { [$0.name, $0.value] }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(body)
        for header in headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
    }
}
