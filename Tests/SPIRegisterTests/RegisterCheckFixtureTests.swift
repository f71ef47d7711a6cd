import Foundation
import SPIRegister
import SPISQLite
import Testing

/// Fixtures for the check, demo and report tests: a register in a temporary SQLite file with the schema and the
/// seeded ITIL 4 practices and activities (the same ids as every replica seeds).
enum CheckFixture {
    static let practices: [(code: String, name: String, category: String)] = [
        ("ARC", "Architecture management", "general"), ("CI", "Continual improvement", "general"),
        ("ISM", "Information security management", "general"), ("KM", "Knowledge management", "general"),
        ("MR", "Measurement and reporting", "general"), ("OCM", "Organizational change management", "general"),
        ("PFM", "Portfolio management", "general"), ("PJM", "Project management", "general"),
        ("RM", "Relationship management", "general"), ("RSK", "Risk management", "general"),
        ("SFM", "Service financial management", "general"), ("STM", "Strategy management", "general"),
        ("SUP", "Supplier management", "general"), ("WTM", "Workforce and talent management", "general"),
        ("AVM", "Availability management", "service"), ("BA", "Business analysis", "service"),
        ("CAP", "Capacity and performance management", "service"), ("CHG", "Change enablement", "service"),
        ("INC", "Incident management", "service"), ("ITAM", "IT asset management", "service"),
        ("MEM", "Monitoring and event management", "service"), ("PRB", "Problem management", "service"),
        ("REL", "Release management", "service"), ("SCM", "Service catalogue management", "service"),
        ("CFG", "Service configuration management", "service"), ("SCO", "Service continuity management", "service"),
        ("SD", "Service design", "service"), ("SDK", "Service desk", "service"),
        ("SLM", "Service level management", "service"), ("SR", "Service request management", "service"),
        ("SVT", "Service validation and testing", "service"), ("DEP", "Deployment management", "technical"),
        ("IPM", "Infrastructure and platform management", "technical"),
        ("SDM", "Software development and management", "technical"),
    ]

    static let activities: [(practice: String, code: String, name: String)] = [
        ("INC", "INC-LOG", "Log and categorize"), ("INC", "INC-PRI", "Prioritize"),
        ("INC", "INC-DIAG", "Investigate and diagnose"), ("INC", "INC-ESC", "Escalate"),
        ("INC", "INC-RES", "Resolve and recover"), ("INC", "INC-CLS", "Close"),
        ("INC", "INC-MAJ", "Major incident coordination"),
        ("PRB", "PRB-ID", "Identify problems"), ("PRB", "PRB-RCA", "Root cause analysis"),
        ("PRB", "PRB-KE", "Record known errors"), ("PRB", "PRB-FIX", "Resolve"), ("PRB", "PRB-REV", "Review"),
        ("CHG", "CHG-RFC", "Raise request for change"), ("CHG", "CHG-ASSESS", "Assess and plan"),
        ("CHG", "CHG-CAB", "Authorize"), ("CHG", "CHG-IMPL", "Implement"),
        ("CHG", "CHG-PIR", "Post-implementation review"),
        ("SR", "SR-LOG", "Log request"), ("SR", "SR-APPR", "Approve request"), ("SR", "SR-FUL", "Fulfil"),
        ("SR", "SR-CLS", "Close"),
        ("SLM", "SLM-AGREE", "Agree targets"), ("SLM", "SLM-MON", "Monitor service levels"),
        ("SLM", "SLM-REP", "Report service levels"), ("SLM", "SLM-REV", "Review service levels"),
        ("CAP", "CAP-FCST", "Forecast demand"), ("CAP", "CAP-MON", "Monitor capacity"),
        ("CAP", "CAP-PLAN", "Maintain capacity plan"), ("CAP", "CAP-TUNE", "Tune performance"),
        ("CFG", "CFG-ID", "Identify configuration items"), ("CFG", "CFG-CTRL", "Control configuration changes"),
        ("CFG", "CFG-ACC", "Status accounting"), ("CFG", "CFG-VER", "Verify and audit"),
        ("ISM", "ISM-POL", "Maintain security policy"), ("ISM", "ISM-RISK", "Assess security risk"),
        ("ISM", "ISM-INC", "Handle security incidents"), ("ISM", "ISM-AUD", "Audit controls"),
    ]

    /// A fixed "today" for tests.
    static let today = "2025-03-14"

    /// Inserts the seeded practices and activities, with the conventional UUIDv5 ids.
    static func seed(_ db: Connection) throws {
        for practice in practices {
            try db.execute(
                "INSERT INTO practice (id, code, name, category) VALUES (?, ?, ?, ?)",
                [
                    .text(RecordID.v5("practice:\(practice.code)")), .text(practice.code), .text(practice.name),
                    .text(practice.category),
                ]
            )
        }
        try ReferenceData.seedMetrics(db)
        var positions: [String: Int64] = [:]
        for activity in activities {
            positions[activity.practice, default: 0] += 1
            try db.execute(
                "INSERT INTO activity (id, practice_id, code, name, position) VALUES (?, ?, ?, ?, ?)",
                [
                    .text(RecordID.v5("activity:\(activity.code)")),
                    .text(RecordID.v5("practice:\(activity.practice)")), .text(activity.code), .text(activity.name),
                    .integer(positions[activity.practice]!),
                ]
            )
        }
    }

    /// Runs `body` with a fresh register file (schema and seeded reference data) in a temporary directory, then
    /// checks the file's integrity and removes it.
    static func withRegister<T>(seeded: Bool = true, _ body: (Connection) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("spi-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try Connection(path: directory.appendingPathComponent("register.db").path)
        try db.enableWriteAheadLog()
        try RegisterSchema.migrate(db)
        if seeded { try db.transaction { db in try seed(db) } }
        let result = try body(db)
        #expect(try db.scalar("PRAGMA integrity_check")?.textValue == "ok")
        return result
    }

    /// Runs `body` with a register that holds the Northwind demo built around ``today``.
    static func withDemo<T>(_ body: (Connection) throws -> T) throws -> T {
        try withRegister { db in
            try db.transaction { db in try NorthwindDemo.populate(db, today: today) }
            return try body(db)
        }
    }

    /// The id of the first row of `table` with this code.
    static func id(_ db: Connection, _ table: String, code: String) throws -> String {
        let value = try db.scalar("SELECT id FROM \(table) WHERE code = ?", [.text(code)])?.textValue
        return try #require(value, "no \(table) with code \(code)")
    }
}
