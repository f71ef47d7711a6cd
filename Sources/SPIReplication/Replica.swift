import Foundation
public import Logging
public import SPISQLite

/// One replica of a register: a SQLite file whose tracked tables replicate to other replicas.
///
/// A replica captures every write to its tracked tables (through this API, the `spi` command or the stock `sqlite3`
/// shell), stamps it with a hybrid logical clock and its site id, and merges change sets from other replicas so that
/// all of them converge on the same content.
///
/// ```swift
/// let replica = try Replica.create(at: "org.db", registerID: RegisterID(), logger: logger)
/// try replica.write { db in try db.execute("CREATE TABLE note(id TEXT PRIMARY KEY NOT NULL, body TEXT) STRICT") }
/// try replica.track(tables: ["note"])
/// try replica.write { db in try db.execute("INSERT INTO note VALUES (?, ?)", ["3f…", "hello"]) }
/// try replica.exportChanges(since: theirKnowledge, to: "for-them.changes")
/// ```
///
/// A `Replica` is not `Sendable`: use it from one thread or task at a time.
public final class Replica {
    /// The connection. Use ``read(_:)`` and ``write(_:)`` rather than touching it directly.
    let connection: Connection
    /// This replica's site id.
    public let siteID: SiteID
    /// The sites this replica had before its key rotations, oldest first (an open replica keeps the sites it had when
    /// it was opened: a rotation asks for a new `Replica`).
    public let previousSiteIDs: [SiteID]
    /// The register this replica belongs to.
    public let registerID: RegisterID
    /// The logger the replica reports to.
    public let logger: Logger
    /// The replica's own key, with which it signs the changes it makes before any leaves it (protocol/changes.md §7):
    /// the key its site id was derived from. Without one, its changes travel unsigned, and receivers that require
    /// origin proofs (every replica of a register) refuse them.
    public var signer: ChangeSetSigner?
    /// The largest distance a remote clock may run ahead of local time (default: five minutes).
    public var maximumClockDrift: Duration = .seconds(300)
    /// The local time source, in milliseconds since 1970; replaceable in tests.
    public var now: @Sendable () -> UInt64 {
        get { stamper.now }
        set { stamper.now = newValue }
    }
    /// For scoped deltas (``deltaCursor(for:scope:)``): the most versions a peer may lack for membership cells to
    /// be tested against a small table of them; past it (a first sync, say) each is looked up in the metadata.
    public var scopeUnseenLimit = 50_000
    /// For scoped deltas: how many rows of a table with versions the peer lacks are looked up one by one through the
    /// table's rule; past it, the rule runs once over the table (the tests vary it).
    var scopeLookupLimit = 2_000
    /// How many capture-log entries ``write(_:)`` lets wait before it turns them into versions; 0 stamps every
    /// write as it commits.
    ///
    /// Each write takes its clock reading as it commits, whatever this is; what waits is the bookkeeping of versions
    /// (`_spi_row`, `_spi_clock`), which is far cheaper for many transactions at once. It is always done before
    /// anything reads it: a merge, a delta or export, ``knowledge()``, ``conflicts(includeResolved:)``, ``stamp()``.
    /// Each written row is one entry, and each write transaction adds one more (its clock reading); the write that
    /// reaches the limit pays for stamping all of them.
    public var pendingStampLimit: Int {
        get { stamper.pendingStampLimit }
        set { stamper.pendingStampLimit = newValue }
    }
    /// The most changes, and bytes of them, this replica holds for one origin site while their authority cannot be
    /// established (``heldChanges(limit:)``); a batch that would hold more is refused whole with
    /// `ReplicationError.Code.tooManyHeld`, so that no peer can make the held store grow without bound.
    public var heldLimit = Replica.defaultHeldLimit
    /// Whether ``write(_:)`` captures its changes with SQLite's pre-update hook rather than the capture triggers.
    ///
    /// Both log the same entries; the hook costs a fraction of a trigger per row. It is used when the SQLite library
    /// has the hook, the file has no triggers besides the capture triggers (it turns this connection's triggers off,
    /// and leaves them off between writes) and no tracked column declares a collation. Writes by any other client
    /// (the `sqlite3` shell, another process) are captured by the triggers whatever this says. Write only inside
    /// ``write(_:)`` and ``writeBaseline(_:)``: rows written inside ``read(_:)`` are not captured.
    public var capturesWithPreUpdateHook: Bool {
        get { stamper.capturesWithPreUpdateHook }
        set { stamper.capturesWithPreUpdateHook = newValue }
    }
    /// Whether the pre-update hook may capture writes to the tables as loaded (see `ChangeStamper`).
    var hookCaptureEligible: Bool { stamper.hookCaptureEligible }
    /// How many ``writeBaseline(_:)`` calls are running: a ``write(_:)`` inside one is refused.
    var baselineDepth = 0

    /// The tracked tables, site numbers and merge SQL that the replica's parts share.
    let catalog: ReplicaCatalog
    /// The tracked tables, in the order they were first tracked.
    var tables: [TrackedTable] { catalog.tables }
    /// The tracked tables by name.
    var tablesByName: [String: TrackedTable] { catalog.tablesByName }
    /// The tracked tables by local number.
    var tablesByIndex: [Int64: TrackedTable] { catalog.tablesByIndex }
    /// The conflict log: recorded by merges, settled by merges and stamping.
    let conflictLog: ConflictLog
    /// The local number of this replica's own site in `_spi_site`.
    static let ownSiteIndex = ReplicaCatalog.ownSiteIndex
    /// The open conflicts on rows a range of the capture log wrote (see `ConflictLog.writtenSQL`).
    static let conflictsWrittenSQL = ConflictLog.writtenSQL
    /// Capture and stamping: gives local writes their clock readings and versions.
    let stamper: ChangeStamper
    /// Writes the rows a merge finds new to this replica.
    let newRows: NewRowWriter
    /// Whether merges write rows new to this replica through ``newRows`` (the default) rather than row at a time
    /// through the general merge; the tests turn it off to compare both paths on the same batches.
    var mergesNewRowsInBulk = true
    /// Raised by `spi_stamp_fallback` during stamping (the tests turn the fast path off with it).
    var stampSignal: StampFallbackSignal { stamper.stampSignal }

    /// The file's path.
    public var path: String { connection.path }

    /// Creates a new replica file.
    ///
    /// - Parameters:
    ///   - path: where to create it; the file must not exist.
    ///   - registerID: the register it belongs to (a new one for the first replica).
    ///   - siteID: its site id; a new random one by default.
    /// - Throws: `ReplicationError.Code.alreadyExists` when the file exists, or a `SQLiteError`.
    public static func create(
        at path: String, registerID: RegisterID, siteID: SiteID = SiteID(), logger: Logger
    ) throws -> Replica {
        try create(at: path, registerID: registerID, siteID: siteID, signer: nil, logger: logger)
    }

    /// Creates a new replica file whose site is the one `signer`'s key belongs to, signing its changes with it.
    ///
    /// - Throws: as ``create(at:registerID:siteID:logger:)``.
    public static func create(
        at path: String, registerID: RegisterID, signer: ChangeSetSigner, logger: Logger
    ) throws -> Replica {
        try create(at: path, registerID: registerID, siteID: signer.site, signer: signer, logger: logger)
    }

    private static func create(
        at path: String, registerID: RegisterID, siteID: SiteID, signer: ChangeSetSigner?, logger: Logger
    ) throws -> Replica {
        if FileManager.default.fileExists(atPath: path) {
            throw ReplicationError(.alreadyExists, "\(path) already exists; refusing to overwrite it")
        }
        let db = try Connection(path: path, mode: .create)
        try db.enableWriteAheadLog()
        try db.transaction { db in
            try db.execute(ReplicaSchema.sql)
            try db.execute(
                "INSERT INTO _spi_meta(key, value) VALUES ('replica.schema', ?)",
                [.integer(Int64(ReplicaSchema.version))])
            try db.execute(
                "INSERT INTO _spi_meta(key, value) VALUES ('register.id', ?)", [.text(registerID.description)])
            try db.execute("INSERT INTO _spi_meta(key, value) VALUES ('site.id', ?)", [.text(siteID.description)])
            try db.execute("INSERT INTO _spi_meta(key, value) VALUES ('clock.last', 0)")
            try db.execute("INSERT INTO _spi_site(idx, site) VALUES (1, ?)", [.blob(siteID.bytes)])
        }
        logger.info("created replica", metadata: ["replica.path": "\(path)", "replica.site": "\(siteID)"])
        let replica = try Replica(connection: db, logger: logger)
        replica.signer = signer
        return replica
    }

    /// Opens an existing replica file, with its own key (``signer``) when `<path>.key` holds it.
    ///
    /// - Throws: `ReplicationError.Code.notAReplica` when the file is a SQLite database without replication
    ///   metadata, or a `SQLiteError` when it cannot be opened or is not a database.
    public convenience init(path: String, readOnly: Bool = false, logger: Logger) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReplicationError(.notAReplica, "\(path) does not exist; create it with `spi init`")
        }
        if isDirectory.boolValue {
            throw ReplicationError(.notAReplica, "\(path) is a directory, not a replica file")
        }
        let db = try Connection(path: path, mode: readOnly ? .readOnly : .readWrite)
        try self.init(connection: db, logger: logger)
        // The replica's own key, where `spi` keeps it: its changes are signed with it.
        if let signer = ChangeSetSigner.beside(replicaAt: path) {
            if signer.site == siteID {
                self.signer = signer
            } else {
                logger.warning(
                    "the key beside the replica is not its own: its changes are not signed",
                    metadata: ["replica.path": "\(path)", "key.site": "\(signer.site)", "replica.site": "\(siteID)"])
            }
        }
    }

    /// The register id of the replica whose connection is `db`, or nil when `db` is not a replica's.
    public static func registerID(_ db: Connection) throws -> RegisterID? {
        guard try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = '_spi_meta'") == .integer(1) else {
            return nil
        }
        return try db.scalar("SELECT value FROM _spi_meta WHERE key = 'register.id'")?.textValue.flatMap(
            RegisterID.init)
    }

    init(connection db: Connection, logger: Logger) throws {
        let hasMeta = try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = '_spi_meta'")
        guard hasMeta == .integer(1),
            let site = try db.scalar("SELECT value FROM _spi_meta WHERE key = 'site.id'")?.textValue.flatMap(
                SiteID.init),
            let register = try db.scalar("SELECT value FROM _spi_meta WHERE key = 'register.id'")?.textValue
                .flatMap(RegisterID.init)
        else {
            throw ReplicationError(.notAReplica, "\(db.path) is a SQLite database but not an SPI replica")
        }
        let format = try db.scalar("SELECT value FROM _spi_meta WHERE key = 'replica.schema'")?.integerValue ?? 1
        guard format <= Int64(ReplicaSchema.version) else {
            throw ReplicationError(
                .unsupportedVersion,
                "\(db.path) has replica format \(format), newer than this version of spi reads (\(ReplicaSchema.version)); "
                    + "upgrade spi")
        }
        if !db.isReadOnly {
            try db.enableWriteAheadLog()
            try db.execute(ReplicaSchema.upgradeSQL)
            if format < 3 {
                try db.transaction { db in
                    try db.execute(ReplicaSchema.upgradeToProofs)
                    try db.execute("UPDATE _spi_meta SET value = 3 WHERE key = 'replica.schema'")
                }
            }
            // Only when older: an UPDATE takes the write lock even when it changes nothing, and opening a replica
            // must not wait for a writer (sessions applying batches hold the lock).
            if format < Int64(ReplicaSchema.version) {
                try db.execute(
                    "UPDATE _spi_meta SET value = ? WHERE key = 'replica.schema' AND value < ?",
                    [.integer(Int64(ReplicaSchema.version)), .integer(Int64(ReplicaSchema.version))])
            }
        }
        self.connection = db
        self.siteID = site
        self.previousSiteIDs = try Self.previousSites(db)
        self.registerID = register
        self.logger = logger
        self.catalog = try ReplicaCatalog(connection: db)
        self.conflictLog = ConflictLog(catalog: catalog)
        self.stamper = try ChangeStamper(catalog: catalog, conflictLog: conflictLog)
        self.newRows = NewRowWriter(catalog: catalog)
        if !db.isReadOnly { try recordBaselineVersionsOnce() }
    }

    /// Runs `body` in a read transaction: it sees one consistent snapshot.
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        try connection.transaction(.deferred, body)
    }

    /// Runs `body` in a write transaction, then gives every captured change its clock reading before committing.
    ///
    /// The changes and their clock commit together: a crash leaves either both or neither. Their versions are
    /// recorded in bulk later (see ``pendingStampLimit``).
    ///
    /// - Throws: `ReplicationError.Code.unsupportedWrite` inside ``writeBaseline(_:)``, whose end drops what a
    ///   write captured (nothing is written), or when `body` creates a trigger.
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        guard baselineDepth == 0 else {
            throw ReplicationError(
                .unsupportedWrite,
                "a write inside writeBaseline would not replicate: write baseline rows there, or write after it")
        }
        do {
            return try connection.transaction(.immediate) { db in
                let result = try stamper.withHookCapture(db, body)
                try stamper.markPendingChanges(db)
                return result
            }
        } catch {
            catalog.resetSiteCache()
            throw error
        }
    }

    /// Runs `body` in a write transaction whose changes do not replicate: baseline data that every replica creates
    /// identically by itself, such as seeded reference rows, or schema migrations.
    ///
    /// Changes captured before `body` runs are stamped first, so none of them is lost. Rows written here carry the
    /// zero version: any real edit to them, anywhere, wins over them. Rows it inserts into tracked tables get that
    /// zero version recorded (causal length 1), so that a later delete of them is always seen as one, even when the
    /// same transaction re-inserts the row first (`INSERT OR REPLACE` captures no delete).
    public func writeBaseline<T>(_ body: (Connection) throws -> T) throws -> T {
        try connection.transaction(.immediate) { db in
            try stamper.stampPendingChanges(db)
            // Nested in a write, baseline rows must not reach that write's capture either.
            baselineDepth += 1
            defer { baselineDepth -= 1 }
            let result =
                try stamper.hookCapture.map { capture in try capture.withoutRecording { try body(db) } } ?? body(db)
            // Everything written before `body` is stamped, so the rows still without metadata are baseline rows.
            for table in tables { try recordBaselineVersions(table: table.name, index: table.index, db) }
            try db.execute("DELETE FROM _spi_capture")
            return result
        }
    }

    /// Stamps changes captured since the last stamp: writes waiting for their versions (see
    /// ``pendingStampLimit``) and edits made with the `sqlite3` shell.
    ///
    /// A replica opened read-only cannot record versions: it stamps nothing, and reports (knowledge, deltas,
    /// conflicts) only what is stamped already, which is never more than it holds. With nothing to stamp, it takes
    /// no write lock (every sync session and conflict listing starts here).
    ///
    /// - Returns: the number of rows whose changes were stamped.
    @discardableResult
    public func stamp() throws -> Int {
        if (stamper.hookCapture?.count ?? 0) == 0,
            try connection.isReadOnly || connection.scalar("SELECT EXISTS (SELECT 1 FROM _spi_capture)") == .integer(0)
        {
            try refreshTablesIfSchemaChanged()
            return 0
        }
        return try connection.transaction(.immediate) { db in
            try stamper.flushHookCapture(db)
            let pending = "SELECT count(*) FROM (SELECT DISTINCT tbl, id FROM _spi_capture WHERE id IS NOT NULL)"
            let rows = try db.scalar(pending)?.integerValue ?? 0
            try stamper.stampPendingChanges(db)
            return Int(rows)
        }
    }

    /// A local setting that does not replicate (for example the register's display name).
    public func metadata(_ key: String) throws -> DatabaseValue? {
        try Self.metadata(key, connection)
    }

    /// A local setting of the replica open on `db` (nil on a database that is not a replica).
    public static func metadata(_ key: String, _ db: Connection) throws -> DatabaseValue? {
        guard try db.scalar("SELECT 1 FROM sqlite_schema WHERE name = '_spi_meta'") != nil else { return nil }
        return try db.scalar("SELECT value FROM _spi_meta WHERE key = ?", [.text(key)])
    }

    /// Stores a local setting that does not replicate.
    public func setMetadata(_ key: String, _ value: DatabaseValue) throws {
        try connection.transaction { db in
            try db.execute(
                "INSERT INTO _spi_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [.text(key), value])
        }
    }
}

@available(*, unavailable)
extension Replica: Sendable {}
