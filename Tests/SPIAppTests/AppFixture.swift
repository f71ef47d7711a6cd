import Foundation
import Logging
@testable import SPIApp
import SPIRegister
import SPIReplication
import SPISQLite

let quietLogger = Logger(label: "spi.app.tests") { _ in SwiftLogNoOpLogHandler() }

/// An app over a fresh Northwind demo register (the organization's replica), driven request by request with no
/// network: what ``AppServer`` does, minus the sockets (the browser tests run the real server).
final class AppFixture {
    static let host = "127.0.0.1:8080"
    let directory: URL
    let path: String
    let app: WebApp
    let token: String

    init(kind: ReplicaKind = .organization) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("northwind.db").path
        let register = try Register.create(
            at: path, name: "Northwind Retail", kind: .organization, registerID: nil, logger: quietLogger)
        try register.replica.write { db in try NorthwindDemo.populate(db, today: register.today) }
        register.enforcesAccessRules = true
        app = WebApp(register: register, logger: quietLogger)
        app.allow(hosts: [Self.host])
        token = app.token
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// The headers of a logged-in browser request.
    func headers(cookie: Bool = true, json: Bool = false) -> [String: String] {
        var headers = ["Host": Self.host]
        if cookie { headers["Cookie"] = "other=1; \(AppAuth.cookieName)=\(token)" }
        if json { headers["Accept"] = "application/json" }
        return headers
    }

    func get(_ target: String, cookie: Bool = true) async -> AppResponse {
        await app.respond(to: AppRequest(method: "GET", target: target, headers: headers(cookie: cookie)))
    }

    /// Posts a form, with the page's CSRF token unless `csrf` says otherwise.
    func post(_ target: String, _ fields: [String: String], csrf: String? = nil, json: Bool = true) async -> AppResponse
    {
        var headers = headers(json: json)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        var fields = fields
        fields["csrf"] = csrf ?? app.auth.csrf
        let body = fields.map { "\(HTML.url($0.key))=\(HTML.url($0.value))" }.joined(separator: "&")
        return await app.respond(
            to: AppRequest(method: "POST", target: target, headers: headers, body: Array(body.utf8)))
    }

    /// Reads the replica through a connection of its own, as `spi` would.
    func read<T>(_ body: (RecordStore) throws -> T) throws -> T {
        try Register(path: path, logger: quietLogger).read(body)
    }

    /// The ids of the RACI rows of an SPI with these values.
    func raci(_ code: String, activity: String? = nil, party: String? = nil, role: String? = nil) throws -> [Record] {
        try read { store in
            var filters: [String: DatabaseValue] = ["interface_id": .text(try store.resolve("interface", code))]
            if let activity { filters["activity_id"] = .text(try store.resolve("activity", activity)) }
            if let party { filters["party_id"] = .text(try store.resolve("party", party)) }
            if let role { filters["role"] = .text(role) }
            return try store.records("raci_assignment", matching: filters)
        }
    }
}

extension AppResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}
