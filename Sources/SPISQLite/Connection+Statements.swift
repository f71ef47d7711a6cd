import CSQLite

extension Connection {
    /// A prepared statement from this connection's cache, prepared with `SQLITE_PREPARE_PERSISTENT` on first use.
    ///
    /// The statement is shared by every caller of the same SQL on this connection: bind, step and reset it
    /// before handing control elsewhere.
    public func cached(_ sql: String) throws(SQLiteError) -> Statement {
        if let stmt = statementCache[sql] { return stmt }
        let stmt = try Statement(connection: self, sql: sql, persistent: true)
        statementCache[sql] = stmt
        return stmt
    }

    /// A new, uncached prepared statement, for SQL that runs once.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(connection: self, sql: sql, persistent: false)
    }

    /// Drops every cached statement, for example after a schema change.
    public func clearStatementCache() {
        statementCache.removeAll()
    }
}
