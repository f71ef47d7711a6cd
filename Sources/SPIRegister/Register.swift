public import Foundation
public import Logging
import SPISQLite
public import SPIReplication
import SPIIdentity

/// An SPI register: the domain layer over one local replica.
///
/// A register owns a `Replica` whose sixteen tables (see ``RegisterSchema``) replicate to the other
/// parties' replicas. It creates and migrates the schema, seeds the reference data (the ITIL 4 practices and their
/// activities) identically on every replica, and validates local edits through ``RecordStore``. Merges from other
/// replicas are never validated: broken rules show up in `spi check`.
///
/// ```swift
/// let register = try Register.create(at: "northwind.db", name: "Northwind Retail", kind: .organization,
///                                    registerID: nil, logger: logger)
/// let fab = try register.write { try $0.put("party", fields: ["code": "FAB", "name": "Fabrikam", "kind": "provider"]) }
/// let parties = try register.read { try $0.records("party") }
/// ```
///
/// A `Register` is not `Sendable`: use it from one thread or task at a time.
public final class Register {
    /// The replica that stores the register.
    public let replica: Replica
    /// The logger the register reports to.
    public let logger: Logger
    /// The register's display name on this replica (local, not replicated).
    public let name: String
    /// Which side this replica is on (local, not replicated).
    public let kind: ReplicaKind
    /// The current time, for date rules; replaceable in tests.
    public var now: @Sendable () -> Date = { Date() }
    /// Whether local edits are checked against the access rules of the party this replica speaks for (see
    /// ``AccessRules``). The `spi` command turns it on; a provider replica that no party is bound to may then edit
    /// nothing. Off by default for library users, whose edits every other replica still judges on arrival.
    public var enforcesAccessRules = false

    /// The metadata key of the display name.
    public static let nameKey = "register.name"
    /// The metadata key of the replica's kind.
    public static let kindKey = "register.kind"

    init(replica: Replica, name: String, kind: ReplicaKind, logger: Logger) {
        self.replica = replica
        self.name = name
        self.kind = kind
        self.logger = logger
    }

    /// Today's date as `YYYY-MM-DD`, in the local time zone.
    public var today: String {
        Self.isoDate(now())
    }

    /// `date` as `YYYY-MM-DD` in the local time zone.
    public static func isoDate(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        func pad(_ n: Int, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.year ?? 1970, 4))-\(pad(parts.month ?? 1, 2))-\(pad(parts.day ?? 1, 2))"
    }

    /// Creates a new register file: a replica with a new site id, the register schema, and the reference data.
    ///
    /// The schema and the seeded practices and activities are written as a baseline, which does not replicate:
    /// every replica creates the same rows with the same ids.
    ///
    /// - Parameters:
    ///   - path: where to create it; nothing may exist there.
    ///   - name: the register's display name on this replica, such as `Northwind Retail`.
    ///   - kind: `.organization` creates a new register; `.provider` joins an existing one.
    ///   - registerID: the register to join; required for a provider, new when nil for an organization.
    ///   - logger: where to log.
    /// - Throws: `RegisterError.Code.alreadyExists` when `path` exists, `RegisterError.Code.missingField` for a
    ///   provider without a register id or an empty name, `RegisterError.Code.database` when the file cannot be
    ///   created. On failure nothing is left behind.
    public static func create(
        at path: String, name: String, kind: ReplicaKind, registerID: RegisterID?, logger: Logger
    ) throws -> Register {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if FileManager.default.fileExists(atPath: path) {
            throw RegisterError(.alreadyExists, "\(path) already exists; refusing to touch it")
        }
        guard !name.isEmpty else { throw RegisterError(.missingField, "a register needs a name") }
        // The site id is derived from the replica's key, so that a verified peer is a verified site; the
        // organization's first replica is the register's authority: the register id is its site id.
        let identity: PeerIdentity
        do {
            identity = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        } catch {
            throw RegisterError(
                .database, "cannot create the replica's key next to \(path): \(error)", underlying: error)
        }
        let site = identity.peerID.siteID
        let register: RegisterID
        switch (kind, registerID) {
        case (_, .some(let id)): register = id
        case (.organization, nil): register = site
        case (.provider, nil):
            throw RegisterError(
                .missingField, "a provider joins an existing register: give the organization's register id (--register)"
            )
        }
        do {
            let replica = try Replica.create(
                at: path, registerID: register, signer: try identity.changeSetSigner(), logger: logger)
            try replica.writeBaseline { db in
                try RegisterSchema.migrate(db)
                try ReferenceData.seed(db)
            }
            try replica.track(tables: RegisterSchema.tableNames)
            try replica.setMetadata(nameKey, .text(name))
            try replica.setMetadata(kindKey, .text(kind.rawValue))
            logger.info(
                "created register",
                metadata: ["register.path": "\(path)", "register.id": "\(register)", "register.kind": "\(kind)"])
            return Register(replica: replica, name: name, kind: kind, logger: logger)
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
            throw Self.wrap(error, path: path)
        }
    }

    /// Opens an existing register file, migrating its schema forward when it is older than this build.
    ///
    /// - Throws: `RegisterError.Code.notARegister` when the path does not exist, is a directory, is not a SQLite
    ///   database, or is a SQLite database but not an SPI register; `RegisterError.Code.unsupportedVersion` when
    ///   its schema is newer than this build.
    public convenience init(path: String, logger: Logger) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RegisterError(.notARegister, "\(path) does not exist; create a register with `spi init`")
        }
        if isDirectory.boolValue {
            throw RegisterError(.notARegister, "\(path) is a directory, not a register file")
        }
        let replica: Replica
        do {
            replica = try Replica(path: path, logger: logger)
        } catch {
            throw Self.wrap(error, path: path)
        }
        let kindText = try? replica.metadata(Self.kindKey)?.textValue
        guard let kindText, let kind = ReplicaKind(rawValue: kindText) else {
            throw RegisterError(.notARegister, "\(path) is an SPI replica but not a register (no register kind)")
        }
        let name = (try? replica.metadata(Self.nameKey)?.textValue) ?? ""
        self.init(replica: replica, name: name, kind: kind, logger: logger)
        try migrateIfNeeded()
    }

    func migrateIfNeeded() throws {
        do {
            let version = Int(try replica.read { try $0.scalar("PRAGMA user_version")?.integerValue } ?? 0)
            if version > RegisterSchema.currentVersion {
                throw RegisterError(
                    .unsupportedVersion,
                    "\(replica.path) has schema version \(version), newer than this spi supports "
                        + "(\(RegisterSchema.currentVersion)); upgrade spi")
            }
            guard version < RegisterSchema.currentVersion else { return }
            try replica.writeBaseline { db in
                try RegisterSchema.migrate(db)
                try ReferenceData.seed(db)
            }
            try replica.track(tables: RegisterSchema.tableNames)
            logger.info(
                "migrated register",
                metadata: ["register.path": "\(replica.path)", "register.schema": "\(RegisterSchema.currentVersion)"])
        } catch {
            throw Self.wrap(error, path: replica.path)
        }
    }

    /// Runs `body` with a store over one consistent snapshot.
    public func read<T>(_ body: (RecordStore) throws -> T) throws -> T {
        let (kind, today) = (kind, today)
        do {
            return try replica.read { db in try body(RecordStore(db: db, kind: kind, today: today)) }
        } catch {
            throw Self.wrap(error, path: replica.path)
        }
    }

    /// Runs `body` in one write transaction: every edit commits together and replicates, or none does.
    @discardableResult
    public func write<T>(_ body: (RecordStore) throws -> T) throws -> T {
        let (kind, today) = (kind, today)
        let enforces = enforcesAccessRules && kind != .organization
        let replica = replica
        do {
            return try replica.write { db in
                var store = RecordStore(db: db, kind: kind, today: today)
                if enforces {
                    store.actor = try AccessRules.actor(of: replica.siteID, registerID: replica.registerID, db)
                }
                return try body(store)
            }
        } catch {
            throw Self.wrap(error, path: replica.path)
        }
    }

    /// Turns lower-level errors into a ``RegisterError`` with a message for people; a ``RegisterError`` passes
    /// through unchanged.
    static func wrap(_ error: any Error, path: String) -> any Error {
        switch error {
        case let error as RegisterError:
            return error
        case let error as SQLiteError:
            if error.code.primary == .notADatabase {
                return RegisterError(.notARegister, "\(path) is not a SQLite database", underlying: error)
            }
            if error.code.primary == .cantOpen {
                return RegisterError(.database, "cannot open \(path): \(error.message)", underlying: error)
            }
            return RegisterError(.database, "database error in \(path): \(error.message)", underlying: error)
        case let error as ReplicationError:
            if error.code == .notAReplica {
                return RegisterError(
                    .notARegister, "\(path) is a SQLite database but not an SPI register", underlying: error)
            }
            if error.code == .alreadyExists {
                return RegisterError(.alreadyExists, error.message, underlying: error)
            }
            return RegisterError(.database, error.message, underlying: error)
        default:
            return error
        }
    }
}

@available(*, unavailable)
extension Register: Sendable {}
