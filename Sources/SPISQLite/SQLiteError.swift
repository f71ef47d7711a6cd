import CSQLite

/// An error reported by SQLite, with the result code, SQLite's message and the SQL that failed.
///
/// ```swift
/// do { try db.execute("INSERT INTO t VALUES (1)") }
/// catch let error as SQLiteError where error.code.primary == .constraint { … }
/// ```
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The (possibly extended) SQLite result code.
    public var code: ResultCode
    /// SQLite's error message, or a description of the failure.
    public var message: String
    /// The SQL statement that failed, when there was one.
    public var sql: String?

    /// Creates an error from its parts.
    public init(code: ResultCode, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(code.rawValue): \(message)"
        if let sql { text += " (in: \(sql.prefix(200)))" }
        return text
    }
}
