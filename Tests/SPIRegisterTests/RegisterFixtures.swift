import Foundation
import Logging
import SPIRegister
import SPIReplication
import SPISQLite
import Testing

/// A logger that drops everything, for tests.
let quietLogger = Logger(label: "spi.tests") { _ in SwiftLogNoOpLogHandler() }

/// A fresh temporary directory, removed after the body runs; every SQLite file left in it must pass
/// `PRAGMA integrity_check`.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spi-register-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let result = try body(dir)
    for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".db") {
        let path = dir.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path), data.starts(with: Array("SQLite format 3".utf8))
        else { continue }
        try expectIntegrity(path)
    }
    return result
}

/// Asserts that SQLite's `PRAGMA integrity_check` is `ok` on the file.
func expectIntegrity(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let db = try Connection(path: path, mode: .readOnly)
    #expect(
        try db.scalar("PRAGMA integrity_check") == .text("ok"), "integrity of \(path)", sourceLocation: sourceLocation)
}

/// A new register in a temporary directory; its file's integrity is checked after the body runs.
func withRegister<T>(
    kind: ReplicaKind = .organization, today: String = "2025-03-01", _ body: (Register, URL) throws -> T
) throws -> T {
    try withTemporaryDirectory { dir in
        let path = dir.appendingPathComponent("register.db").path
        let result: T
        do {
            let register = try Register.create(
                at: path, name: "Test register", kind: kind, registerID: kind == .provider ? RegisterID() : nil,
                logger: quietLogger)
            register.now = { Register.dateFromISO(today) }
            result = try body(register, dir)
        }
        try expectIntegrity(path)
        return result
    }
}

extension Register {
    /// Noon UTC of an ISO date, so that ``today`` gives the same date in every time zone.
    static func dateFromISO(_ text: String) -> Date {
        var components = DateComponents()
        let parts = text.split(separator: "-").compactMap { Int($0) }
        components.year = parts[0]
        components.month = parts[1]
        components.day = parts[2]
        components.hour = 12
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)!
    }
}

/// Adds the parties, people, service and agreement most tests need; returns nothing, use codes.
func addBasics(_ register: Register) throws {
    try register.write { store in
        try store.put(
            "party", fields: ["code": "NW", "name": "Northwind Retail", "kind": "organization", "internal": "true"])
        try store.put("party", fields: ["code": "FAB", "name": "Fabrikam Service Desk", "kind": "provider"])
        try store.put("party", fields: ["code": "CON", "name": "Contoso Cloud Hosting", "kind": "provider"])
        try store.put("person", fields: ["party_id": "NW", "name": "Jane Doe", "email": "jane@northwind.example"])
        try store.put("person", fields: ["party_id": "FAB", "name": "Raj Patel", "email": "raj@fabrikam.example"])
        try store.put(
            "service",
            fields: [
                "code": "SD", "name": "Service desk", "type": "technical", "status": "catalogue",
                "provider_id": "FAB", "customer_id": "NW",
            ])
        try store.put(
            "agreement",
            fields: [
                "code": "UC-FAB", "title": "Service desk contract", "type": "uc",
                "customer_id": "NW", "provider_id": "FAB", "start_date": "2025-01-01",
                "end_date": "2026-12-31", "status": "active",
            ])
        try store.put(
            "interface",
            fields: [
                "code": "SPI-INC-FAB", "title": "Incident management with Fabrikam",
                "practice_id": "INC", "provider_id": "FAB",
                "owner_id": "jane@northwind.example",
            ])
    }
}

/// Runs `body`, expecting a ``RegisterError`` with `code`; returns its message.
@discardableResult
func expectRegisterError<R>(
    _ code: RegisterError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R
) -> String {
    do {
        _ = try body()
        Issue.record("expected a RegisterError \(code), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as RegisterError {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
        return error.message
    } catch {
        Issue.record("expected a RegisterError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return ""
}
