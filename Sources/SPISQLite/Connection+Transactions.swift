import CSQLite

extension Connection {
    /// How a transaction takes its locks.
    public enum TransactionKind: String, Sendable {
        /// Take the write lock at once, so that the transaction never fails with BUSY halfway (`BEGIN IMMEDIATE`).
        case immediate = "IMMEDIATE"
        /// Take locks as statements need them (`BEGIN DEFERRED`); suits reads.
        case deferred = "DEFERRED"
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// Called inside another transaction, it nests as a savepoint, so that an inner failure rolls back only
    /// the inner work. The connection is only valid inside the closure's dynamic extent.
    ///
    /// ```swift
    /// let id = try db.transaction { db in
    ///     try db.execute("INSERT INTO party(id, name) VALUES (?, ?)", [.text(id), "Contoso"])
    ///     return id
    /// }
    /// ```
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: (Connection) throws -> T) throws -> T {
        if isInTransaction {
            return try savepoint(body)
        }
        try execute("BEGIN \(kind.rawValue)")
        let result: T
        do {
            result = try body(self)
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
        return result
    }

    /// Runs `body` inside a savepoint: released when it returns, rolled back to when it throws.
    public func savepoint<T>(_ body: (Connection) throws -> T) throws -> T {
        savepointDepth += 1
        let name = "spi_sp\(savepointDepth)"
        defer { savepointDepth -= 1 }
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body(self)
            try execute("RELEASE \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO \(name)")
            try? execute("RELEASE \(name)")
            throw error
        }
    }
}
