import SPISQLite

/// Writes rows that are new to a replica, as a merge creates them: rows of a batch that have no metadata here and do
/// not exist in their table (protocol/changes.md §2, rule 3, from a causal length of 0).
///
/// A merge decides such a row without reading anything more: its causal length and row version come from the change,
/// its cells from the change's cells, and every column the change does not carry gets the zero version. What is left
/// is writing: the row's metadata (`_spi_row`), the cells' own versions (`_spi_clock`) and the row itself. The writer
/// keeps one prepared statement per kind of write, and one per table and set of columns for the row itself, so that a
/// batch of new rows (an initial sync, a peer's inserts) binds and steps statements it already holds instead of
/// looking each one up by its SQL, and inserts metadata without an upsert's conflict handling. It writes exactly what
/// the row-at-a-time merge writes, in the same order; a differential test
/// (`Tests/SPIReplicationTests/NewRowMergeTests.swift`) checks that on random batches.
///
/// ```swift
/// let writer = NewRowWriter(catalog: catalog)
/// try writer.insertLive(key, table: table, causalLength: 1, base: base, cells: cells, db)
/// ```
///
/// Like the connection, it is not `Sendable`: the replica that owns it serialises its use. It keeps statements of the
/// catalog's connection, and prepares them again when the catalog reloaded the tables (the schema changed).
final class NewRowWriter {
    /// One cell of a new row: its column, its value, and its version with the prior.
    struct Cell {
        var column: Int
        var value: DatabaseValue
        var entry: Replica.CellEntry
    }

    /// The catalog whose tables the rows belong to.
    let catalog: ReplicaCatalog
    /// The catalog's schema version when the statements were prepared.
    private var schemaVersion: Int64 = -1
    private var deleteEntries: Statement?
    private var insertMeta: Statement?
    private var upsertEntry: Statement?
    /// Row inserts by table number and the bit mask of the columns they write.
    private var insertRows: [Int64: [UInt64: Statement]] = [:]
    /// How many rows this writer has written, live or deleted (tests check that merges take this path).
    private(set) var rowsWritten = 0

    /// A writer for the rows of `catalog`'s tables, on its connection.
    init(catalog: ReplicaCatalog) {
        self.catalog = catalog
    }

    /// Writes a row new to this replica, created by a change with an odd causal length.
    ///
    /// - Parameters:
    ///   - base: the row version (the change's, or the zero version when it carries none); cells at this version get
    ///     no entry of their own.
    ///   - cells: the change's cells in batch order; a column given twice (a forged batch) keeps its last value.
    func insertLive(
        _ key: RowKey, table: TrackedTable, causalLength: Int64, base: Replica.RowMeta, cells: [Cell], _ db: Connection
    ) throws {
        try prepare(db)
        rowsWritten += 1
        try clearEntries(key)
        try insertMeta(key, causalLength: causalLength, clock: base.clock, site: base.site)
        var mask: UInt64 = 0
        var repeated = false
        for cell in cells {
            let bit: UInt64 = cell.column < 64 ? 1 << UInt64(cell.column) : 0
            if bit == 0 || mask & bit != 0 { repeated = true }
            mask |= bit
            if cell.entry.clock != base.clock || cell.entry.site != base.site {
                try setEntry(key, column: cell.column, cell.entry)
            }
        }
        if repeated {
            // Only a forged batch repeats a column: the row-at-a-time merge's insert, with its last value.
            try catalog.insertRow(
                key, table: table, values: Replica.lastValuePerColumn(cells.map { ($0.column, $0.value) }), db)
        } else {
            try insertRow(key, table: table, mask: mask, cells: cells, db)
        }
        if base.clock != 0 || base.site != 0 {
            // Columns the change does not carry hold defaults nobody wrote: the zero version, so any real write wins.
            let zero = Replica.CellEntry(clock: 0, site: 0, priorClock: 0, priorSite: 0)
            if repeated {
                let carried = Set(cells.map(\.column))
                for column in table.columns.indices where !carried.contains(column) {
                    try setEntry(key, column: column, zero)
                }
            } else {
                for column in table.columns.indices where column >= 64 || mask & (1 << UInt64(column)) == 0 {
                    try setEntry(key, column: column, zero)
                }
            }
        }
    }

    /// Writes a row new to this replica that arrives deleted (an even causal length): its metadata alone.
    func insertDeleted(_ key: RowKey, causalLength: Int64, clock: Int64, site: Int64, _ db: Connection) throws {
        try prepare(db)
        rowsWritten += 1
        try clearEntries(key)
        try insertMeta(key, causalLength: causalLength, clock: clock, site: site)
    }

    /// Prepares the fixed statements, dropping every statement of the tables as they were before a reload.
    private func prepare(_ db: Connection) throws {
        let schemaVersion = catalog.loadedSchemaVersion
        if self.schemaVersion == schemaVersion, deleteEntries != nil { return }
        insertRows.removeAll()
        deleteEntries = try db.cached("DELETE FROM _spi_clock WHERE tbl = ? AND id = ?")
        insertMeta = try db.cached("INSERT INTO _spi_row(tbl, id, cl, hlc, site) VALUES (?, ?, ?, ?, ?)")
        upsertEntry = try db.cached(Replica.setCellEntrySQL)
        self.schemaVersion = schemaVersion
    }

    private func clearEntries(_ key: RowKey) throws {
        guard let stmt = deleteEntries else { return }
        try stmt.execute(binding: { s in
            try s.bind(.integer(key.table), at: 1)
            try s.bind(key.stored, at: 2)
        })
    }

    private func insertMeta(_ key: RowKey, causalLength: Int64, clock: Int64, site: Int64) throws {
        guard let stmt = insertMeta else { return }
        try stmt.execute(binding: { s in
            try s.bind(.integer(key.table), at: 1)
            try s.bind(key.stored, at: 2)
            try s.bind(.integer(causalLength), at: 3)
            try s.bind(.integer(clock), at: 4)
            try s.bind(.integer(site), at: 5)
        })
    }

    private func setEntry(_ key: RowKey, column: Int, _ entry: Replica.CellEntry) throws {
        guard let stmt = upsertEntry else { return }
        try Replica.setCellEntry(key, column: column, entry, with: stmt)
    }

    /// Inserts the row with its columns in table order: one statement per table and set of columns, kept.
    private func insertRow(_ key: RowKey, table: TrackedTable, mask: UInt64, cells: [Cell], _ db: Connection) throws {
        let stmt: Statement
        if let kept = insertRows[table.index]?[mask] {
            stmt = kept
        } else {
            let columns = cells.map(\.column).sorted()
            stmt = try db.cached(table.insertSQL(columns: columns))
            insertRows[table.index, default: [:]][mask] = stmt
        }
        // Columns are bound in table order, whatever the order of the cells.
        let ordered = cells.count < 2 ? cells : cells.sorted { $0.column < $1.column }
        try stmt.execute(binding: { s in
            try s.bind(.text(key.id), at: 1)
            for (n, cell) in ordered.enumerated() { try s.bind(cell.value, at: Int32(n + 2)) }
        })
    }
}

@available(*, unavailable)
extension NewRowWriter: Sendable {}
