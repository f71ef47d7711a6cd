import SPISQLite

extension Replica {
    /// Reads local settings (``LocalSettings``) in one read transaction.
    public func readLocalSettings<T>(_ body: (borrowing LocalSettings) throws -> T) throws -> T {
        try read { db in try body(LocalSettings(db: db)) }
    }

    /// Reads and changes local settings in one write transaction: what `body` checks still holds when it writes, and
    /// nothing is written when it throws. Local settings are not tracked: they never replicate.
    public func updateLocalSettings<T>(_ body: (borrowing LocalSettings) throws -> T) throws -> T {
        try connection.transaction(.immediate) { db in try body(LocalSettings(db: db)) }
    }

    /// Whether the replica was opened read-only.
    public var isReadOnly: Bool { connection.isReadOnly }

    /// A number that changes whenever another connection commits to this replica's file (SQLite's
    /// `PRAGMA data_version`): a cheap way to notice writes by other processes, the `sqlite3` shell or other replicas
    /// of the same file.
    public func dataVersion() throws -> Int64 {
        try connection.scalar("PRAGMA data_version")?.integerValue ?? 0
    }
}
