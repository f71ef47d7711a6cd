import Foundation
import Logging
import SPIRegister
import SPIReplication
import SPISQLite

/// Realistic register rows for the benchmark suite: interfaces (15 columns, all filled, as for an approved SPI) and
/// their RACI rows (ids derived from the natural key, as `spi raci add` derives them), every interface belonging to
/// one provider party.
///
/// Rows are numbered by *group*: group `g` is interface `g` and its RACI rows. The same group number always gives the
/// same ids and values, so the tracked replica and the plain SQLite baseline receive exactly the same rows.
///
/// ```swift
/// let rows = BenchRows(provider: BenchParty.provider(1), space: 1)
/// try db.execute(BenchRows.insertInterface, rows.interface(7, revision: 0))
/// for k in 0..<4 { try db.execute(BenchRows.insertRACI, rows.raci(7, k)) }
/// ```
struct BenchRows {
    /// The provider party every interface of these rows belongs to.
    let provider: BenchParty
    /// Distinguishes the interface ids of different generators (for example a peer's later inserts).
    let space: Int

    /// The practices with seeded activities, which the interfaces cycle through.
    static let practices: [(code: String, id: String, activities: [String])] = {
        var order: [String] = []
        var activities: [String: [String]] = [:]
        for activity in ReferenceData.activities {
            if activities[activity.practice] == nil { order.append(activity.practice) }
            activities[activity.practice, default: []].append(ReferenceData.activityID(activity.code))
        }
        return order.map { ($0, ReferenceData.practiceID($0), activities[$0]!) }
    }()

    /// Every seeded activity's id.
    static let allActivities: [String] = ReferenceData.activities.map { ReferenceData.activityID($0.code) }

    static let insertInterface = """
        INSERT INTO interface(id, code, title, practice_id, provider_id, stage, owner_id, status, version, \
        approved_by, approved_on, review_interval_months, next_review, agreement_id, description) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let insertRACI = """
        INSERT INTO raci_assignment(id, interface_id, activity_id, party_id, role, role_title) VALUES (?, ?, ?, ?, ?, ?)
        """
    /// B1's interface update: two columns.
    static let updateInterfaceTitle = "UPDATE interface SET title = ?, status = ? WHERE id = ?"
    /// B8's and B10's edit of an interface: its title alone (the organization's to change).
    static let retitleInterface = "UPDATE interface SET title = ? WHERE id = ?"
    /// B2's interface update: eight columns.
    static let updateInterfaceWide = """
        UPDATE interface SET title = ?, stage = ?, status = ?, version = ?, approved_on = ?, \
        review_interval_months = ?, next_review = ?, description = ? WHERE id = ?
        """
    static let updateRACITitle = "UPDATE raci_assignment SET role_title = ? WHERE id = ?"
    static let deleteInterface = "DELETE FROM interface WHERE id = ?"
    static let deleteRACI = "DELETE FROM raci_assignment WHERE id = ?"

    /// A canonical lowercase UUID, unique per `(space, number)`.
    static func uuid(_ space: Int, _ number: Int) -> String {
        String(
            format: "%08x-%04x-7000-8000-%012x", 0x5b1_0000 + space, (number >> 48) & 0xFFFF,
            number & 0xFFFF_FFFF_FFFF)
    }

    /// The id of group `g`'s interface.
    func interfaceID(_ g: Int) -> String { Self.uuid(space, g) }

    /// The practice of group `g`.
    private func practice(_ g: Int) -> (code: String, id: String, activities: [String]) {
        Self.practices[g % Self.practices.count]
    }

    /// Group `g`'s interface row, all 15 columns; `revision` varies the edited columns.
    func interface(_ g: Int, revision: Int = 0) -> [DatabaseValue] {
        let practice = practice(g)
        return [
            .text(interfaceID(g)), .text("SPI-\(practice.code)-\(provider.code)-\(space)-\(g)"),
            .text(
                "\(practice.code) management with \(provider.name), lot \(g)"
                    + (revision == 0 ? "" : " (rev. \(revision))")),
            .text(practice.id), .text(provider.id), .text(FieldCatalog.stages[g % FieldCatalog.stages.count]),
            .text(BenchParty.ownerID), .text("approved"), .text("1.\(revision)"), .text(BenchParty.ownerID),
            .text("2026-06-30"), .integer(12), .text("2027-06-30"), .text(provider.agreementID),
            .text(
                "Scope: \(practice.code) hand-offs between Northwind Retail and \(provider.name) for service lot \(g); "
                    + "revision \(revision)."),
        ]
    }

    /// The eight values (then the id) of B2's wide interface update of group `g`.
    func wideUpdate(_ g: Int, revision: Int) -> [DatabaseValue] {
        [
            .text("\(practice(g).code) management with \(provider.name), lot \(g) (rev. \(revision))"),
            .text(FieldCatalog.stages[(g + revision) % FieldCatalog.stages.count]),
            .text(FieldCatalog.interfaceStatuses[(revision + 2) % FieldCatalog.interfaceStatuses.count]),
            .text("1.\(revision)"),
            .text("2026-0\(1 + revision % 9)-15"), .integer(Int64(6 + revision % 7)),
            .text("2027-0\(1 + revision % 9)-15"),
            .text("Scope: revised hand-offs with \(provider.name) for lot \(g), revision \(revision)."),
            .text(interfaceID(g)),
        ]
    }

    /// RACI row `k` (0…3: R and C held by the provider, A and I by the organization) of group `g`.
    func raci(_ g: Int, _ k: Int, revision: Int = 0) -> [DatabaseValue] {
        let activities = practice(g).activities
        let activity = activities[(k / 2) % activities.count]
        let (party, role, title) =
            switch k % 4 {
            case 0: (provider.id, "R", "Service desk analyst")
            case 1: (BenchParty.organizationID, "A", "Incident manager")
            case 2: (provider.id, "C", "Resolver group lead")
            default: (BenchParty.organizationID, "I", "Service owner")
            }
        let id = RecordID.v5("raci:\(interfaceID(g)):\(activity):\(party):\(role)")
        return [
            .text(id), .text(interfaceID(g)), .text(activity), .text(party), .text(role),
            .text(revision == 0 ? title : "\(title) (rev. \(revision))"),
        ]
    }

    /// The id of RACI row `k` of group `g`.
    func raciID(_ g: Int, _ k: Int) -> DatabaseValue { raci(g, k)[0] }

    /// The `n`th RACI row a provider writes on its own interfaces (groups 0 and 1): every combination of interface,
    /// activity, party and role, so up to 592 distinct rows.
    func providerRACI(_ n: Int) -> [DatabaseValue] {
        let g = n % 2
        let rest = n / 2
        let role = FieldCatalog.raciRoles[rest % 4]
        let party = (rest / 4) % 2 == 0 ? provider.id : BenchParty.organizationID
        let activity = Self.allActivities[(rest / 8) % Self.allActivities.count]
        let id = RecordID.v5("raci:\(interfaceID(g)):\(activity):\(party):\(role)")
        return [.text(id), .text(interfaceID(g)), .text(activity), .text(party), .text(role), .text("Role \(n)")]
    }
}

/// A party of the benchmark registers: the organization (`NWR`) or a provider (`P001`, `P002`, …), with its
/// agreement and a contact person.
struct BenchParty {
    /// The party's code.
    let code: String
    /// The party's name.
    let name: String
    /// The party's id.
    let id: String
    /// Its underpinning contract's id.
    let agreementID: String
    /// Its contact person's id.
    let personID: String

    /// The organization party's id.
    static let organizationID = BenchRows.uuid(0xA, 1)
    /// The organization's process owner, who owns and approves every interface.
    static let ownerID = BenchRows.uuid(0xA, 2)

    /// Provider number `n` (from 1).
    static func provider(_ n: Int) -> BenchParty {
        let code = "P" + String(format: "%03d", n)
        return BenchParty(
            code: code, name: "Provider \(code) Services", id: BenchRows.uuid(0xB, n),
            agreementID: BenchRows.uuid(0xC, n), personID: BenchRows.uuid(0xD, n))
    }

    /// Writes the organization party and its owner (`organization: true`), and these providers with their
    /// agreements and contacts, into `db` (a replica inside `write`, or a plain connection inside a transaction).
    static func write(_ providers: [BenchParty], organization: Bool, into db: Connection) throws {
        if organization {
            try db.execute(
                """
                INSERT INTO party(id, code, name, kind, internal) \
                VALUES (?, 'NWR', 'Northwind Retail', 'organization', 1)
                """,
                [.text(organizationID)])
            try db.execute(
                """
                INSERT INTO person(id, party_id, name, email, role) \
                VALUES (?, ?, 'Jane Doe', 'jane@northwind.example', 'Process owner')
                """,
                [.text(ownerID), .text(organizationID)])
        }
        for party in providers {
            try db.execute(
                "INSERT INTO party(id, code, name, kind, internal) VALUES (?, ?, ?, 'provider', 0)",
                [.text(party.id), .text(party.code), .text(party.name)])
            try db.execute(
                "INSERT INTO person(id, party_id, name, email, role) VALUES (?, ?, ?, ?, 'Service manager')",
                [
                    .text(party.personID), .text(party.id), .text("Contact \(party.code)"),
                    .text("contact@\(party.code.lowercased()).example"),
                ])
            try db.execute(
                """
                INSERT INTO agreement(id, code, title, type, customer_id, provider_id, start_date, end_date, status, \
                owner_id) VALUES (?, ?, ?, 'uc', ?, ?, '2025-01-01', '2027-12-31', 'active', ?)
                """,
                [
                    .text(party.agreementID), .text("UC-\(party.code)"),
                    .text("Underpinning contract with \(party.name)"),
                    .text(organizationID), .text(party.id), .text(ownerID),
                ])
        }
    }
}

/// Creating the files the scenarios measure.
enum BenchFiles {
    /// A logger that stays quiet: the suite reports on its own.
    static var logger: Logger {
        var logger = Logger(label: "spi.bench")
        logger.logLevel = .error
        return logger
    }

    /// A plain SQLite file with the register's schema and reference data, and the same settings as a replica (WAL,
    /// `synchronous = NORMAL`), but no triggers or replication metadata.
    static func plainRegister(at path: String) throws -> Connection {
        let db = try Connection(path: path, mode: .create)
        try db.enableWriteAheadLog()
        try RegisterSchema.migrate(db)
        try db.transaction { db in _ = try ReferenceData.seed(db) }
        return db
    }

    /// A plain register file (as ``plainRegister(at:)``) plus the capture log and the capture triggers of `tables`,
    /// copied from a tracked replica: capture without any replication around it.
    static func captureOnlyRegister(at path: String, triggersFrom replica: Replica, tables: [String]) throws
        -> Connection
    {
        let db = try plainRegister(at: path)
        var schema: [String] = []
        try replica.read { source in
            let names = tables.map { "'\($0)'" }.joined(separator: ", ")
            try source.forEachRow(
                """
                SELECT sql FROM sqlite_schema WHERE (type = 'table' AND name IN ('_spi_capture', '_spi_last_value'))
                    OR (type = 'trigger' AND tbl_name IN (\(names)) AND name LIKE '\\_spi\\_%' ESCAPE '\\')
                ORDER BY type = 'trigger'
                """
            ) { row in if let sql = row.text(0) { schema.append(sql) } }
        }
        guard schema.count == 2 + 4 * tables.count else {
            throw BenchError(
                .unexpected,
                "expected the capture log, the last-values table and 4 triggers per table, found \(schema.count) objects"
            )
        }
        try db.transaction { db in for sql in schema { try db.execute(sql) } }
        return db
    }

    /// Folds the write-ahead log into the file and returns the file's size in bytes.
    static func checkpointedSize(_ path: String) throws -> Int {
        let db = try Connection(path: path, mode: .readWrite)
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return size(path)
    }

    /// Copies a replica file byte for byte, after a TRUNCATE checkpoint so that the file holds every commit: a twin on
    /// which to measure the same work with one thing changed (B9). The key beside the file is not copied, so the copy
    /// opens without a signer.
    ///
    /// - Throws: `BenchError.Code.unexpected` when a connection held a read open and the checkpoint could not finish.
    static func copyReplica(_ path: String, to copy: String) throws {
        let db = try Connection(path: path, mode: .readWrite)
        let result = try db.rows("PRAGMA wal_checkpoint(TRUNCATE)")
        guard result.first?.first == .integer(0) else {
            throw BenchError(.unexpected, "could not checkpoint \(path) to copy it: \(result)")
        }
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        // On disk before it is measured: otherwise its first checkpoint's fsync writes the whole copy back.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: copy))
        try handle.synchronize()
        try handle.close()
    }

    /// The size of a file in bytes (0 when it does not exist).
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
