import SPISQLite

/// The version metadata of tracked rows and cells (`_spi_row`, `_spi_clock`), as merges, deltas and history read
/// and write them one row at a time (stamping writes them in bulk: see `ChangeStamper`).
extension Replica {
    /// The row-level replication state: causal length and the version of its last causal-length change, which is
    /// also the version of every cell that has no entry of its own in `_spi_clock`.
    struct RowMeta {
        var causalLength: Int64
        var clock: Int64
        var site: Int64
        var isAlive: Bool { causalLength % 2 == 1 }
    }

    /// One cell's own version entry in `_spi_clock`.
    struct CellEntry {
        var clock: Int64
        var site: Int64
        var priorClock: Int64
        var priorSite: Int64
    }

    func rowMeta(_ key: RowKey, _ db: Connection) throws -> RowMeta? {
        let stmt = try db.cached("SELECT cl, hlc, site FROM _spi_row WHERE tbl = ? AND id = ?")
        try stmt.bind(.integer(key.table), at: 1)
        try stmt.bind(key.stored, at: 2)
        defer { stmt.reset() }
        guard try stmt.step() else { return nil }
        return RowMeta(causalLength: stmt.int64(0), clock: stmt.int64(1), site: stmt.int64(2))
    }

    func setRowMeta(_ key: RowKey, _ meta: RowMeta, _ db: Connection) throws {
        try db.cached(
            "INSERT INTO _spi_row(tbl, id, cl, hlc, site) VALUES (?, ?, ?, ?, ?) ON CONFLICT(tbl, id) DO UPDATE SET cl = excluded.cl, hlc = excluded.hlc, site = excluded.site"
        ).execute(binding: { s in
            try s.bind(.integer(key.table), at: 1)
            try s.bind(key.stored, at: 2)
            try s.bind(.integer(meta.causalLength), at: 3)
            try s.bind(.integer(meta.clock), at: 4)
            try s.bind(.integer(meta.site), at: 5)
        })
    }

    func rowExists(_ key: RowKey, table: TrackedTable, _ db: Connection) throws -> Bool {
        let stmt = try db.cached(table.existsSQL)
        try stmt.bind([.text(key.id)])
        defer { stmt.reset() }
        return try stmt.step()
    }

    func cellEntries(_ key: RowKey, _ db: Connection) throws -> [Int: CellEntry] {
        var entries: [Int: CellEntry] = [:]
        let row = try db.cached("SELECT col, hlc, site, prior_hlc, prior_site FROM _spi_clock WHERE tbl = ? AND id = ?")
        try row.bind(.integer(key.table), at: 1)
        try row.bind(key.stored, at: 2)
        defer { row.reset() }
        while try row.step() {
            entries[Int(row.int64(0))] = CellEntry(
                clock: row.int64(1), site: row.int64(2), priorClock: row.int64(3), priorSite: row.int64(4))
        }
        return entries
    }

    func setCellEntry(_ key: RowKey, column: Int, _ entry: CellEntry, _ db: Connection) throws {
        try Self.setCellEntry(key, column: column, entry, with: db.cached(Self.setCellEntrySQL))
    }

    /// Writes a cell's own version (`_spi_clock`), replacing the one it had.
    static let setCellEntrySQL =
        "INSERT INTO _spi_clock(tbl, id, col, hlc, site, prior_hlc, prior_site) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(tbl, id, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site, prior_hlc = excluded.prior_hlc, prior_site = excluded.prior_site"

    /// Runs ``setCellEntrySQL``, prepared as `statement`, for one cell.
    static func setCellEntry(_ key: RowKey, column: Int, _ entry: CellEntry, with statement: Statement) throws {
        try statement.execute(binding: { s in
            try s.bind(.integer(key.table), at: 1)
            try s.bind(key.stored, at: 2)
            try s.bind(.integer(Int64(column)), at: 3)
            try s.bind(.integer(entry.clock), at: 4)
            try s.bind(.integer(entry.site), at: 5)
            try s.bind(.integer(entry.priorClock), at: 6)
            try s.bind(.integer(entry.priorSite), at: 7)
        })
    }

    func deleteCellEntries(_ key: RowKey, _ db: Connection) throws {
        try db.execute("DELETE FROM _spi_clock WHERE tbl = ? AND id = ?", [.integer(key.table), key.stored])
    }
}

/// A row of a tracked table: the table's local number and the row's id.
struct RowKey: Hashable {
    let table: Int64
    let id: String
    /// The id as the replication tables store it: 16 bytes for a canonical lowercase UUID, else the text. Computed
    /// once: a merge uses it in several statements per row.
    let stored: DatabaseValue

    init(table: Int64, id: String) {
        self.table = table
        self.id = id
        self.stored = Self.stored(id)
    }

    static func == (lhs: RowKey, rhs: RowKey) -> Bool { lhs.table == rhs.table && lhs.id == rhs.id }

    func hash(into hasher: inout Hasher) {
        hasher.combine(table)
        hasher.combine(id)
    }

    static func stored(_ id: String) -> DatabaseValue {
        UUIDText.bytes(id).map { .blob($0) } ?? .text(id)
    }

    /// The id from its stored form.
    static func id(from value: DatabaseValue) -> String {
        switch value {
        case .blob(let bytes) where bytes.count == 16: return UUIDText.string(bytes)
        case .text(let text): return text
        default: return value.description
        }
    }
}
