public import SPISQLite

extension Replica {
    /// The conflicts in the local log: open ones, or all of them.
    ///
    /// Pending local writes are stamped first (on a writable replica; see ``stamp()``), so that a conflict they
    /// settled shows as resolved.
    public func conflicts(includeResolved: Bool = false) throws -> [Conflict] {
        try stamp()
        return try read { db in
            try conflictLog.conflicts(includeResolved: includeResolved, db)
        }
    }

    /// Settles an open conflict by writing `value` to its cell as a new edit, which replicates like any other and
    /// settles the conflict on every replica that receives it. Keeping the value the cell already holds is an edit
    /// too (it carries a new version), so that the other replicas learn that the conflict was looked at.
    ///
    /// - Throws: `ReplicationError.Code.notFound` when no open conflict has this id or its row no longer exists;
    ///   `ReplicationError.Code.invalidValue` when the column cannot hold the value.
    public func resolveConflict(_ id: String, keep value: DatabaseValue) throws {
        try write { db in
            // A write still waiting for its versions may have settled it already.
            try stamper.stampPendingChanges(db)
            let (tableName, rowID, columnName) = try conflictLog.openCell(id, db)
            guard let table = tablesByName[tableName], let column = table.columnIndex[columnName] else {
                throw ReplicationError(
                    .unknownTable, "the conflict's cell \(tableName).\(columnName) is no longer replicated")
            }
            guard table.accepts(value, column: column) else {
                throw ReplicationError(
                    .invalidValue, "\(tableName).\(columnName) cannot hold a \(value.typeName) value")
            }
            let key = RowKey(table: table.index, id: rowID)
            guard try catalog.cellValue(key, table: table, column: column, db) != nil else {
                throw ReplicationError(.notFound, "the conflict's row \(tableName) \(rowID) no longer exists")
            }
            try catalog.updateCell(key, table: table, column: column, to: value, db)
            // The update trigger records nothing when the value is unchanged: log the cell explicitly.
            try db.execute(
                "INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (?, ?, 2, ?)",
                [.integer(table.index), .text(rowID), .integer(Int64(1) << Int64(column))])
        }
    }

    /// What this replica knows of a row's history: its life (causal length and when it last began or ended) and,
    /// per column, the current value with the version that wrote it.
    ///
    /// A replica keeps only the versions that won, not every past value: older values of a cell are gone once
    /// superseded (losing concurrent values remain in the conflict log).
    public func history(table name: String, id: String) throws -> RowHistory? {
        try stamp()
        return try read { db in
            guard let table = tablesByName[name] else {
                throw ReplicationError(.unknownTable, "\(name) is not a replicated table")
            }
            let key = RowKey(table: table.index, id: id)
            guard let meta = try rowMeta(key, db) else {
                guard let values = try catalog.rowValues(key, table: table, db) else { return nil }
                // Baseline data never edited since: every value has the zero version.
                return RowHistory(
                    causalLength: 1, life: .zero,
                    cells: zip(table.columns, values).map {
                        RowHistory.Cell(column: $0.name, value: $1, version: .zero)
                    })
            }
            let life = try catalog.version(clock: meta.clock, site: meta.site, db)
            let entries = try cellEntries(key, db)
            let values = try catalog.rowValues(key, table: table, db)
            var cells: [RowHistory.Cell] = []
            var lastValues: [RowHistory.LastValue] = []
            if let values {
                for (index, column) in table.columns.enumerated() where column.isLive {
                    let entry = entries[index]
                    let cellVersion = try entry.map { try catalog.version(clock: $0.clock, site: $0.site, db) } ?? life
                    cells.append(RowHistory.Cell(column: column.name, value: values[index], version: cellVersion))
                }
            } else {
                var kept: [Int: DatabaseValue] = [:]
                try db.forEachRow(
                    "SELECT col, value FROM _spi_last_value WHERE tbl = ? AND id = ?",
                    [.integer(table.index), .text(id)]
                ) { row in kept[Int(row.int64(0))] = row.value(1) }
                for (index, column) in table.columns.enumerated() where column.isLive {
                    if let value = kept[index] {
                        lastValues.append(RowHistory.LastValue(column: column.name, value: value))
                    }
                }
            }
            return RowHistory(causalLength: meta.causalLength, life: life, cells: cells, lastValues: lastValues)
        }
    }
}

/// A row's replication history as one replica knows it (see ``Replica/history(table:id:)``).
public struct RowHistory: Sendable, Hashable {
    /// One column's current value and the version that wrote it.
    public struct Cell: Sendable, Hashable {
        /// The column.
        public var column: String
        /// Its current value.
        public var value: DatabaseValue
        /// Who wrote it, and when.
        public var version: Version
    }

    /// 1 for a row created once, odd while alive, even once deleted.
    public var causalLength: Int64
    /// The version at which the row's current life began (or, when deleted, ended).
    public var life: Version
    /// The columns, empty for a deleted row.
    public var cells: [Cell]
    /// A deleted row's values when it was deleted here (by this replica or by a change it merged); empty while the
    /// row is alive, and for a row this replica never held or deleted before it kept last values.
    public var lastValues: [LastValue] = []

    /// One column's value when its row was deleted.
    public struct LastValue: Sendable, Hashable {
        /// The column.
        public var column: String
        /// Its value when the row was deleted.
        public var value: DatabaseValue
    }

    /// Whether the row is alive.
    public var isAlive: Bool { causalLength % 2 == 1 }
}
