import CSPICapture
import CSQLite

/// One SQLite connection. The class owns the `sqlite3` handle and closes it in `deinit`.
///
/// A connection is not `Sendable`: use it from one thread at a time, and let an owner (a replica, a queue)
/// serialize access. It opens files in WAL mode with a busy timeout, so that the `spi` command, a `spi serve`
/// daemon and the stock `sqlite3` shell can share a replica (see ``enableWriteAheadLog()``).
///
/// ```swift
/// let db = try Connection(path: "spi.db")
/// try db.transaction { db in
///     try db.execute("INSERT INTO party(id, name) VALUES (?, ?)", [.text(id), "Fabrikam"])
/// }
/// ```
public final class Connection {
    let handle: OpaquePointer
    /// The file this connection opened (`:memory:` for an in-memory database).
    public let path: String
    var statementCache: [String: Statement] = [:]
    var savepointDepth = 0
    /// Statements that failed since the connection opened: a failed statement may have undone row changes that a
    /// ``ChangeCapture`` already recorded.
    var failedStatements = 0
    /// The change capture recording on this connection, if any (``withoutTriggers(_:)`` pauses it).
    var activeCapture: UnsafeMutablePointer<_spi_capture>?

    /// How a connection opens its file.
    public struct OpenMode: Sendable, Equatable {
        let flags: Int32
        /// Open an existing file for reading and writing; fail when it does not exist.
        public static let readWrite = OpenMode(flags: SQLITE_OPEN_READWRITE)
        /// Open for reading and writing, creating the file when it does not exist.
        public static let create = OpenMode(flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        /// Open an existing file read-only.
        public static let readOnly = OpenMode(flags: SQLITE_OPEN_READONLY)
    }

    /// Opens a database file.
    ///
    /// - Parameters:
    ///   - path: the file's path, or `:memory:`.
    ///   - mode: whether to create the file, write it, or only read it.
    ///   - busyTimeoutMilliseconds: how long to wait for another writer before failing with `SQLITE_BUSY`.
    /// - Throws: ``SQLiteError`` when the file cannot be opened or is not a SQLite database.
    public init(path: String, mode: OpenMode = .create, busyTimeoutMilliseconds: Int32 = 10_000) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags = mode.flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: ResultCode(rawValue: rc), message: "cannot open \(path): \(message)")
        }
        self.handle = db
        self.path = path
        _spi_disable_dqs(db)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        // Reading the schema proves the file is a database before anything else touches it.
        try execute("SELECT count(*) FROM sqlite_schema")
        try execute("PRAGMA foreign_keys = OFF")
        // Temporary tables (stamping folds, read scopes) stay in memory instead of a temporary file (Debian's SQLite
        // defaults to files).
        try execute("PRAGMA temp_store = MEMORY")
    }

    /// Switches the file to write-ahead logging with `synchronous = NORMAL`, so that readers never block the writer
    /// and a commit survives a process crash.
    ///
    /// Opening does not do this by itself, because it rewrites the file's header: callers first check that the file
    /// is theirs, then enable WAL.
    public func enableWriteAheadLog() throws(SQLiteError) {
        guard path != ":memory:" else { return }
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = NORMAL")
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        failedStatements += 1
        let extended = sqlite3_extended_errcode(handle)
        let message = String(cString: sqlite3_errmsg(handle))
        return SQLiteError(code: ResultCode(rawValue: extended != 0 ? extended : rc), message: message, sql: sql)
    }

    /// Runs one or more SQL statements that take no parameters.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            failedStatements += 1
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: ResultCode(rawValue: sqlite3_extended_errcode(handle)), message: message, sql: sql)
        }
    }

    /// Runs one statement with parameters, through the statement cache.
    public func execute(_ sql: String, _ values: [DatabaseValue]) throws(SQLiteError) {
        try cached(sql).execute(values)
    }

    /// Runs a query and returns all rows as arrays of values.
    public func rows(_ sql: String, _ values: [DatabaseValue] = []) throws(SQLiteError) -> [[DatabaseValue]] {
        let stmt = try cached(sql)
        try stmt.bind(values)
        var result: [[DatabaseValue]] = []
        while try stmt.step() { result.append(stmt.row()) }
        stmt.reset()
        return result
    }

    /// Runs a query and returns the first column of the first row, or nil when there is no row.
    public func scalar(_ sql: String, _ values: [DatabaseValue] = []) throws(SQLiteError) -> DatabaseValue? {
        let stmt = try cached(sql)
        try stmt.bind(values)
        defer { stmt.reset() }
        guard try stmt.step() else { return nil }
        return stmt.value(0)
    }

    /// Runs a query and calls `body` for each row, with the statement positioned on it.
    public func forEachRow(
        _ sql: String, _ values: [DatabaseValue] = [], _ body: (Statement) throws -> Void
    ) throws {
        let stmt = try cached(sql)
        try stmt.bind(values)
        defer { stmt.reset() }
        while try stmt.step() { try body(stmt) }
    }

    /// The number of rows the last INSERT, UPDATE or DELETE changed.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// The total number of rows changed since the connection opened.
    public var totalChanges: Int { Int(sqlite3_total_changes64(handle)) }

    /// Whether the connection was opened read-only.
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// The collating sequence a column of a `main` table declares (`BINARY` when it declares none), or nil when
    /// there is no such column.
    public func columnCollation(table: String, column: String) throws(SQLiteError) -> String? {
        var collation: UnsafePointer<CChar>?
        let rc = sqlite3_table_column_metadata(handle, "main", table, column, nil, &collation, nil, nil, nil)
        guard rc == SQLITE_OK else { return nil }
        return collation.map { String(cString: $0) }
    }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The version of the SQLite library in use, such as `3.40.1`.
    public static var sqliteVersion: String { String(cString: sqlite3_libversion()) }
}

@available(*, unavailable)
extension Connection: Sendable {}
