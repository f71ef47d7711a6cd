import Crypto
import Foundation
import NIOConcurrencyHelpers

/// Who may use the app: whoever holds the session token printed when `spi app` starts (as Jupyter does), from a page
/// the app itself served.
///
/// - The token comes once in the URL (`/?token=…`); the app then sets it as an `HttpOnly`, `SameSite=Strict` cookie
///   and redirects to the same page without it. Every later request must carry the cookie.
/// - Every write (`POST`) must also carry the CSRF token, derived from the session token, that the app puts in its
///   pages: in a form field (`csrf`) or the `X-CSRF-Token` header.
/// - The `Host` header must name the address the app listens on, so that a page on another site cannot reach the
///   app through a DNS name it rebinds to loopback.
struct AppAuth: Sendable {
    /// The session token (64 hex digits).
    let token: String
    /// The CSRF token: HMAC-SHA256 of a fixed label under the session token, as hex.
    let csrf: String
    /// The `Host` values accepted (set once the listening port is known).
    private let hosts = NIOLockedValueBox<Set<String>>([])

    /// The cookie that holds the session token.
    static let cookieName = "spi_app_session"

    init(token: String? = nil) {
        let token = token ?? Self.randomToken()
        self.token = token
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("spi app csrf".utf8), using: SymmetricKey(data: Array(token.utf8)))
        self.csrf = mac.map { String(format: "%02x", $0) }.joined()
    }

    /// 32 random bytes as hex.
    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }

    /// Accepts requests whose `Host` is one of `values` (such as `127.0.0.1:8080` and `localhost:8080`).
    func allow(hosts values: [String]) {
        hosts.withLockedValue { $0.formUnion(values.map { $0.lowercased() }) }
    }

    /// Whether the request names an accepted host.
    func hostIsAllowed(_ request: AppRequest) -> Bool {
        guard let host = request.header("host")?.lowercased() else { return false }
        return hosts.withLockedValue { $0.contains(host) }
    }

    /// Whether the request carries the session cookie.
    func isAuthenticated(_ request: AppRequest) -> Bool {
        guard let cookie = request.cookies[Self.cookieName] else { return false }
        return Self.constantTimeEqual(cookie, token)
    }

    /// Whether the request's `token` query parameter is the session token (the link `spi app` prints).
    func hasTokenInURL(_ request: AppRequest) -> Bool {
        guard let given = request.query["token"] else { return false }
        return Self.constantTimeEqual(given, token)
    }

    /// Whether a write carries the CSRF token, in its form or its `X-CSRF-Token` header.
    func hasCSRFToken(_ request: AppRequest) -> Bool {
        guard let given = request.header("x-csrf-token") ?? request.form["csrf"] else { return false }
        return Self.constantTimeEqual(given, csrf)
    }

    /// The cookie that logs the browser in.
    var sessionCookie: String {
        "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
    }

    /// Compares two strings in time that depends only on their lengths.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
