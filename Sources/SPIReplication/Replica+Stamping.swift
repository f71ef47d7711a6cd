import SPISQLite

extension Replica {
    /// What the capture log says happened to one row since the last stamp.
    struct CapturedRow {
        var inserted = false
        var deleted = false
        var mask: Int64 = 0
    }

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

    /// Turns the capture log into versions: one new clock reading for everything captured since the last stamp.
    ///
    /// Runs inside the caller's write transaction. Rows inserted get causal length 1 (or the next odd length when
    /// re-created after a delete) and the new version as their base; updated columns get entries of their own;
    /// deleted rows get the next even causal length and lose their cell entries.
    ///
    /// - Returns: the number of rows stamped.
    @discardableResult
    func stampPendingChanges(_ db: Connection) throws -> Int {
        var order: [RowKey] = []
        var captured: [RowKey: CapturedRow] = [:]
        var lastSeq: Int64 = 0
        try db.forEachRow("SELECT seq, tbl, id, op, mask FROM _spi_capture ORDER BY seq") { row in
            lastSeq = row.int64(0)
            guard let id = row.text(2) else { return }  // a NULL id cannot be a row of a tracked table
            let key = RowKey(table: row.int64(1), id: id)
            var entry = captured[key] ?? {
                order.append(key)
                return CapturedRow()
            }()
            switch row.int64(3) {
            case 1: entry.inserted = true; entry.mask = -1
            case 3: entry.deleted = true
            default: entry.mask |= row.int64(4)
            }
            captured[key] = entry
        }
        guard lastSeq > 0 else { return 0 }
        let clock = try nextLocalClock(db)
        let hasOpenConflicts = try db.scalar("SELECT EXISTS (SELECT 1 FROM _spi_conflict WHERE resolved_hlc IS NULL)") == .integer(1)
        var stamped = 0
        for key in order {
            guard let table = tablesByIndex[key.table], let change = captured[key] else { continue }
            if try stamp(key, change, table: table, clock: clock, resolveConflicts: hasOpenConflicts, db) {
                stamped += 1
            }
        }
        try db.execute("DELETE FROM _spi_capture WHERE seq <= ?", [.integer(lastSeq)])
        if stamped > 0 {
            try db.execute(
                "INSERT INTO _spi_knowledge(site, hlc) VALUES (?, ?) ON CONFLICT(site) DO UPDATE SET hlc = max(hlc, excluded.hlc)",
                [.integer(Self.ownSiteIndex), .integer(clock)])
        }
        return stamped
    }

    private func stamp(
        _ key: RowKey, _ change: CapturedRow, table: TrackedTable, clock: Int64, resolveConflicts: Bool,
        _ db: Connection
    ) throws -> Bool {
        let own = Self.ownSiteIndex
        let meta = try rowMeta(key, db)
        let exists = try rowExists(key, table: table, db)
        if exists {
            if let meta, meta.isAlive, !change.deleted {
                // An update (or an INSERT OR REPLACE over a live row): the changed cells get entries of their own.
                let mask = change.inserted ? table.allColumnsMask : change.mask
                guard mask != 0 else { return false }
                try stampCells(key, mask: mask, table: table, base: meta, clock: clock, resolveConflicts: resolveConflicts, db)
                return true
            }
            if meta == nil && !change.inserted {
                // A row that existed before tracking began (seeded reference data): its values have the zero version.
                let base = RowMeta(causalLength: 1, clock: 0, site: 0)
                try setRowMeta(key, base, db)
                try stampCells(key, mask: change.mask, table: table, base: base, clock: clock, resolveConflicts: resolveConflicts, db)
                return true
            }
            // A new row, or a re-created one: the next odd causal length, all cells at the new version.
            let previous = meta?.causalLength ?? 0
            let length = previous % 2 == 1 ? previous + 2 : previous + 1
            try deleteCellEntries(key, db)
            try setRowMeta(key, RowMeta(causalLength: length, clock: clock, site: own), db)
            if resolveConflicts { try resolveConflictsOnRow(key, table: table, clock: clock, db) }
            return true
        }
        if let meta {
            guard meta.isAlive else { return false }
            try deleteCellEntries(key, db)
            try setRowMeta(key, RowMeta(causalLength: meta.causalLength + 1, clock: clock, site: own), db)
            if resolveConflicts { try resolveConflictsOnRow(key, table: table, clock: clock, db) }
            return true
        }
        // No metadata and no row: inserted and deleted before any stamp (nothing escaped), or a seeded row deleted.
        if change.inserted { return false }
        try setRowMeta(key, RowMeta(causalLength: 2, clock: clock, site: own), db)
        return true
    }

    private func stampCells(
        _ key: RowKey, mask: Int64, table: TrackedTable, base: RowMeta, clock: Int64, resolveConflicts: Bool,
        _ db: Connection
    ) throws {
        let own = Self.ownSiteIndex
        let entries = try cellEntries(key, db)
        for column in table.columns.indices where mask & (Int64(1) << Int64(column)) != 0 {
            // The prior is the last version written by another site: a site's run of its own edits keeps the prior
            // of the first, so a peer that holds any of them does not see a conflict.
            let current = entries[column] ?? CellEntry(clock: base.clock, site: base.site, priorClock: 0, priorSite: 0)
            let prior = current.site == own
                ? (current.priorClock, current.priorSite)
                : (current.clock, current.site)
            try setCellEntry(key, column: column, CellEntry(clock: clock, site: own, priorClock: prior.0, priorSite: prior.1), db)
            if resolveConflicts {
                try db.execute(
                    "UPDATE _spi_conflict SET resolved_hlc = ? WHERE tbl = ? AND row_id = ? AND col = ? AND resolved_hlc IS NULL",
                    [.integer(clock), .text(table.name), .text(key.id), .text(table.columns[column].name)])
            }
        }
    }

    private func resolveConflictsOnRow(_ key: RowKey, table: TrackedTable, clock: Int64, _ db: Connection) throws {
        try db.execute(
            "UPDATE _spi_conflict SET resolved_hlc = ? WHERE tbl = ? AND row_id = ? AND resolved_hlc IS NULL",
            [.integer(clock), .text(table.name), .text(key.id)])
    }

    /// The next clock reading for a local change, persisted so that it never repeats, even across processes.
    func nextLocalClock(_ db: Connection) throws -> Int64 {
        let last = HybridLogicalClock(rawValue: UInt64(bitPattern: try db.scalar("SELECT value FROM _spi_meta WHERE key = 'clock.last'")?.integerValue ?? 0))
        let next = HybridLogicalClock.next(after: last, nowMilliseconds: now())
        try db.execute("UPDATE _spi_meta SET value = ? WHERE key = 'clock.last'", [.integer(Int64(bitPattern: next.rawValue))])
        return Int64(bitPattern: next.rawValue)
    }

    /// Moves the local clock past a reading seen from another site.
    func observeClock(_ seen: UInt64, _ db: Connection) throws {
        try db.execute("UPDATE _spi_meta SET value = max(value, ?) WHERE key = 'clock.last'", [.integer(Int64(bitPattern: seen))])
    }

    // MARK: - Metadata access

    func rowMeta(_ key: RowKey, _ db: Connection) throws -> RowMeta? {
        let stmt = try db.cached("SELECT cl, hlc, site FROM _spi_row WHERE tbl = ? AND id = ?")
        try stmt.bind([.integer(key.table), .text(key.id)])
        defer { stmt.reset() }
        guard try stmt.step() else { return nil }
        return RowMeta(causalLength: stmt.int64(0), clock: stmt.int64(1), site: stmt.int64(2))
    }

    func setRowMeta(_ key: RowKey, _ meta: RowMeta, _ db: Connection) throws {
        try db.execute(
            "INSERT INTO _spi_row(tbl, id, cl, hlc, site) VALUES (?, ?, ?, ?, ?) ON CONFLICT(tbl, id) DO UPDATE SET cl = excluded.cl, hlc = excluded.hlc, site = excluded.site",
            [.integer(key.table), .text(key.id), .integer(meta.causalLength), .integer(meta.clock), .integer(meta.site)])
    }

    func rowExists(_ key: RowKey, table: TrackedTable, _ db: Connection) throws -> Bool {
        let stmt = try db.cached(table.existsSQL)
        try stmt.bind([.text(key.id)])
        defer { stmt.reset() }
        return try stmt.step()
    }

    func cellEntries(_ key: RowKey, _ db: Connection) throws -> [Int: CellEntry] {
        var entries: [Int: CellEntry] = [:]
        try db.forEachRow("SELECT col, hlc, site, prior_hlc, prior_site FROM _spi_clock WHERE tbl = ? AND id = ?",
                          [.integer(key.table), .text(key.id)]) { row in
            entries[Int(row.int64(0))] = CellEntry(clock: row.int64(1), site: row.int64(2), priorClock: row.int64(3), priorSite: row.int64(4))
        }
        return entries
    }

    func setCellEntry(_ key: RowKey, column: Int, _ entry: CellEntry, _ db: Connection) throws {
        try db.execute(
            "INSERT INTO _spi_clock(tbl, id, col, hlc, site, prior_hlc, prior_site) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(tbl, id, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site, prior_hlc = excluded.prior_hlc, prior_site = excluded.prior_site",
            [.integer(key.table), .text(key.id), .integer(Int64(column)), .integer(entry.clock), .integer(entry.site),
             .integer(entry.priorClock), .integer(entry.priorSite)])
    }

    func deleteCellEntries(_ key: RowKey, _ db: Connection) throws {
        try db.execute("DELETE FROM _spi_clock WHERE tbl = ? AND id = ?", [.integer(key.table), .text(key.id)])
    }
}

/// A row of a tracked table: the table's local number and the row's id.
struct RowKey: Hashable {
    var table: Int64
    var id: String
}
