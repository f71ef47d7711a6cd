import CSQLite

/// A prepared SQLite statement. The class owns the `sqlite3_stmt` and finalizes it in `deinit`.
///
/// Statements come from a ``Connection``, usually through its cache (``Connection/cached(_:)``), and are reset
/// before each use. Bind parameters are 1-based, columns 0-based, as in the C API.
///
/// ```swift
/// let stmt = try db.cached("SELECT name FROM party WHERE code = ?")
/// try stmt.bind(["FAB"])
/// while try stmt.step() { print(stmt.text(0) ?? "") }
/// ```
public final class Statement {
    let handle: OpaquePointer
    /// The SQL text this statement was prepared from.
    public let sql: String
    unowned let connection: Connection

    init(connection: Connection, sql: String, persistent: Bool) throws(SQLiteError) {
        var stmt: OpaquePointer?
        let flags: UInt32 = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, flags, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw connection.error(rc, sql: sql)
        }
        self.handle = stmt
        self.sql = sql
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and clears its bindings, ready for new parameters.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// The number of parameters the statement takes.
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// Binds one value at a 1-based index.
    public func bind(_ value: DatabaseValue, at index: Int32) throws(SQLiteError) {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(handle, index)
        case .integer(let i):
            rc = sqlite3_bind_int64(handle, index, i)
        case .real(let d):
            rc = sqlite3_bind_double(handle, index, d)
        case .text(let s):
            // With its byte count, so that a text holding U+0000 is stored whole rather than cut there.
            rc = sqlite3_bind_text(handle, index, s, Int32(s.utf8.count), _spi_sqlite_transient())
        case .blob(let b):
            rc = b.withUnsafeBytes { raw in
                // A zero-length blob must still bind as a blob, not NULL: give SQLite a non-null pointer.
                sqlite3_bind_blob64(
                    handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(b.count),
                    _spi_sqlite_transient())
            }
        }
        if rc != SQLITE_OK { throw connection.error(rc, sql: sql) }
    }

    /// Resets the statement and binds all parameters, in order.
    public func bind(_ values: [DatabaseValue]) throws(SQLiteError) {
        reset()
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Steps the statement: `true` when a row is available, `false` when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion with the given parameters, ignoring rows.
    public func execute(_ values: [DatabaseValue] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Runs the statement to completion, ignoring rows, after `bind` has bound its parameters one by one: for hot
    /// paths that should not build an array of values per call. Parameters `bind` leaves out keep their old values.
    ///
    /// ```swift
    /// try stmt.execute(binding: { s in
    ///     try s.bind(.integer(table), at: 1)
    ///     try s.bind(.text(id), at: 2)
    /// })
    /// ```
    public func execute(binding bind: (Statement) throws -> Void) throws {
        sqlite3_reset(handle)
        try bind(self)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// The number of result columns.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The name of a result column.
    public func columnName(_ index: Int32) -> String {
        String(cString: sqlite3_column_name(handle, index))
    }

    /// Whether a column of the current row is NULL.
    public func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    /// A column of the current row as an integer (SQLite's conversion rules apply; NULL is 0).
    public func int64(_ index: Int32) -> Int64 {
        sqlite3_column_int64(handle, index)
    }

    /// A column of the current row as a double.
    public func double(_ index: Int32) -> Double {
        sqlite3_column_double(handle, index)
    }

    /// A column of the current row as text, or nil when NULL.
    public func text(_ index: Int32) -> String? {
        guard let cString = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: cString, count: count), as: UTF8.self)
    }

    /// A column of the current row as bytes, or nil when NULL.
    public func blob(_ index: Int32) -> [UInt8]? {
        if sqlite3_column_type(handle, index) == SQLITE_NULL { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// A column of the current row as a ``DatabaseValue`` of its stored type.
    ///
    /// Text that is not valid UTF-8 (only a writer that skips validation, such as the `sqlite3` shell, can store it)
    /// is returned as its exact bytes, a `.blob`, never repaired: what reads it sees the bytes that are there.
    public func value(_ index: Int32) -> DatabaseValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            guard let start = sqlite3_column_text(handle, index) else { return .text("") }
            let bytes = UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(handle, index)))
            if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
            return .blob(Array(bytes))
        case SQLITE_BLOB: return .blob(blob(index) ?? [])
        default: return .null
        }
    }

    /// The current row's values, all columns.
    public func row() -> [DatabaseValue] {
        (0..<columnCount).map { value($0) }
    }
}

@available(*, unavailable)
extension Statement: Sendable {}
