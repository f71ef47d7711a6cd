import SPISQLite

extension ChangeStamper {
    /// Closes a write transaction's capture: gives everything captured since the last marker one new clock reading,
    /// recorded as a marker entry at the end of `_spi_capture` (`tbl` 0, `id` NULL, `op` 0, the clock in `mask`).
    ///
    /// The versions themselves (`_spi_row`, `_spi_clock`) are written later, in bulk, by
    /// ``stampPendingChanges(_:)``: before anything reads them (a merge, a delta, knowledge, conflicts), or here once
    /// the log holds ``pendingStampLimit`` entries. Many transactions' metadata then costs one pass over the
    /// metadata B-trees and one commit of their pages, instead of one per transaction; the clocks are the same as
    /// if each transaction had been stamped as it committed.
    func markPendingChanges(_ db: Connection) throws {
        try flushHookCapture(db)
        let last = try db.cached("SELECT seq, op FROM _spi_capture ORDER BY seq DESC LIMIT 1")
        try last.bind([])
        guard try last.step() else {
            last.reset()
            return
        }
        let lastSeq = last.int64(0)
        let isMarker = last.int64(1) == 0
        last.reset()
        if isMarker { return }
        let clock = try nextLocalClock(db)
        try db.cached("INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (0, NULL, 0, ?)").execute(binding: { s in
            try s.bind(.integer(clock), at: 1)
        })
        // The log restarts at sequence number 1 after every stamp, so its last number is its length.
        if lastSeq + 1 > Int64(pendingStampLimit) {
            try stampPendingChanges(db)
        }
    }

    /// Turns the capture log into versions, inside the caller's write transaction.
    ///
    /// The log is a series of groups, each closed by a marker that ``markPendingChanges(_:)`` wrote with the clock of
    /// its transaction; entries after the last marker (writes made with the `sqlite3` shell since) get a new clock
    /// reading now. Each group is stamped in order with its clock, as set-based statements over its range of the log
    /// (no per-row round trips), so that stamping costs little next to the writes themselves. Most groups only
    /// insert new rows and update live ones; they take ``stampInsertsAndUpdates(after:upTo:inserts:clock:own:_:)``,
    /// which reads the log directly (one `_spi_row` lookup per row). Anything else (deletes, re-creates, a row
    /// inserted and updated in one transaction) takes ``stampGeneral(after:upTo:clock:own:_:)``, which folds the
    /// group per row first. Both give the same versions:
    /// - updated cells of live rows get entries of their own, whose prior is the last other site's version;
    /// - new rows get causal length 1, re-created rows the next odd length, deleted rows the next even length; their
    ///   cells take the row's version (their entries are dropped).
    func stampPendingChanges(_ db: Connection) throws {
        try flushHookCapture(db)
        try refreshTables()
        guard let lastSeq = try db.scalar("SELECT max(seq) FROM _spi_capture")?.integerValue else { return }
        var groups: [(upTo: Int64, clock: Int64)] = []
        try db.forEachRow("SELECT seq, mask FROM _spi_capture WHERE op = 0 ORDER BY seq") { row in
            groups.append((row.int64(0), row.int64(1)))
        }
        if lastSeq > (groups.last?.upTo ?? 0) {
            groups.append((lastSeq, try nextLocalClock(db)))
        }
        // A long log touches many pages of the metadata B-trees: let them stay in memory for this pass (SQLite
        // gives the pages back when the limit returns to its default).
        let restoredCache =
            lastSeq > Self.widenedCacheThreshold ? try db.scalar("PRAGMA cache_size")?.integerValue : nil
        if restoredCache != nil { try db.execute("PRAGMA cache_size = \(Self.widenedCacheKiB)") }
        defer { if let restoredCache { try? db.execute("PRAGMA cache_size = \(restoredCache)") } }
        let own = ReplicaCatalog.ownSiteIndex
        // Stamping only settles conflicts, never opens one: asked once for all groups.
        let conflictsOpen = try conflictLog.hasOpen(db)
        var after: Int64 = 0
        for group in groups {
            try stampGroup(
                after: after, upTo: group.upTo, clock: group.clock, own: own, conflictsOpen: conflictsOpen, db)
            after = group.upTo
        }
        // Everything up to lastSeq is stamped, and this transaction holds the write lock, so nothing else is in the
        // log: delete it whole (SQLite clears the table's pages rather than deleting entry by entry).
        try db.execute("DELETE FROM _spi_capture", [])
        if let newest = groups.last?.clock {
            try db.execute(
                """
                INSERT INTO _spi_knowledge(site, hlc) VALUES (?, ?)
                ON CONFLICT(site) DO UPDATE SET hlc = max(hlc, excluded.hlc)
                """, [.integer(own), .integer(newest)])
        }
    }

    /// The log length past which stamping widens the page cache, and the widened size (negative: KiB, as the pragma
    /// takes it).
    static let widenedCacheThreshold: Int64 = 4_000
    static let widenedCacheKiB = -65_536

    /// Stamps one group of the log, the entries with sequence numbers in `after+1 ... upTo`, with one clock.
    private func stampGroup(
        after: Int64, upTo: Int64, clock: Int64, own: Int64, conflictsOpen: Bool, _ db: Connection
    ) throws {
        let summary = try db.cached(
            """
            SELECT count(*), sum(op = 1 AND id IS NOT NULL), sum(op = 3) FROM _spi_capture
            WHERE seq > ?1 AND seq <= ?2 AND op <> 0
            """)
        try summary.bind([.integer(after), .integer(upTo)])
        guard try summary.step(), summary.int64(0) > 0 else {
            summary.reset()
            return
        }
        let inserts = summary.int64(1)
        let deletes = summary.int64(2)
        summary.reset()
        if conflictsOpen {
            try conflictLog.resolveWritten(after: after, upTo: upTo, clock: clock, db)
        }
        let fastPathApplies = deletes == 0 && stampSignal.fastPathEnabled
        if try !fastPathApplies
            || !stampInsertsAndUpdates(after: after, upTo: upTo, inserts: inserts, clock: clock, own: own, db)
        {
            try stampGeneral(after: after, upTo: upTo, clock: clock, own: own, db)
        }
    }

    /// The number of tracked columns of the widest table: the bits a capture mask can hold.
    private var maskWidth: Int64 { Int64(max(1, catalog.tables.map(\.columns.count).max() ?? 1)) }

    /// Stamps a group of the log that holds only inserts of new rows and updates of live tracked rows, each row
    /// written one way: updated cells get their entries, new rows their causal length 1, straight from `_spi_capture`.
    ///
    /// Runs in a savepoint. When the group holds anything else (an update of a row without a live `_spi_row` entry,
    /// which `spi_stamp_fallback` reports, or an insert whose row already has an entry), it rolls back and returns
    /// false, leaving the group to ``stampGeneral(after:upTo:clock:own:_:)``.
    private func stampInsertsAndUpdates(
        after: Int64, upTo: Int64, inserts: Int64, clock: Int64, own: Int64, _ db: Connection
    ) throws -> Bool {
        try db.execute("SAVEPOINT _spi_stamp_fast", [])
        stampSignal.fallback = false
        // Cells first, while rows inserted by this log have no `_spi_row` entry yet: an update of such a row reports
        // a fallback instead of giving a new row cell entries.
        try db.execute(
            """
            INSERT INTO _spi_clock(tbl, id, col, hlc, site, prior_hlc, prior_site)
            SELECT r.tbl, r.id, b.col, ?2, ?3, CASE WHEN r.site = ?3 THEN 0 ELSE r.hlc END,
                CASE WHEN r.site = ?3 THEN 0 ELSE r.site END
            FROM _spi_capture c LEFT JOIN _spi_row r ON r.tbl = c.tbl AND r.id = spi_key(c.id)
                CROSS JOIN temp._spi_bits b
            WHERE c.seq > ?4 AND c.seq <= ?5 AND c.op = 2 AND c.id IS NOT NULL
                AND (r.cl % 2 = 1 OR spi_stamp_fallback(c.seq))
                AND b.bit BETWEEN c.mask & -c.mask AND c.mask AND c.mask & b.bit AND b.col < ?1
            ON CONFLICT(tbl, id, col) DO UPDATE SET
                prior_hlc = CASE WHEN site = ?3 THEN prior_hlc ELSE hlc END,
                prior_site = CASE WHEN site = ?3 THEN prior_site ELSE site END,
                hlc = excluded.hlc, site = excluded.site
            """, [.integer(maskWidth), .integer(clock), .integer(own), .integer(after), .integer(upTo)])
        try db.execute(
            """
            INSERT INTO _spi_row(tbl, id, cl, hlc, site)
            SELECT tbl, spi_key(id), 1, ?1, ?2 FROM _spi_capture
            WHERE seq > ?3 AND seq <= ?4 AND op = 1 AND id IS NOT NULL
            ON CONFLICT(tbl, id) DO NOTHING
            """, [.integer(clock), .integer(own), .integer(after), .integer(upTo)])
        // Every insert made a new entry only if none of its rows had one (and no row was inserted twice).
        let handled = !stampSignal.fallback && Int64(db.changes) == inserts
        if !handled {
            try db.execute("ROLLBACK TO _spi_stamp_fast", [])
        }
        try db.execute("RELEASE _spi_stamp_fast", [])
        return handled
    }

    /// Stamps any group of the log: folds it per row into `temp._spi_stamp` (inserted? deleted? which columns? does
    /// it exist now?), then versions cells and lives from the fold.
    private func stampGeneral(after: Int64, upTo: Int64, clock: Int64, own: Int64, _ db: Connection) throws {
        let columnCount = Int(maskWidth)
        try db.execute("DELETE FROM temp._spi_stamp", [])
        // Fold the log per row. The mask is the OR of every update's mask (SQLite has no bitwise-OR aggregate, so
        // each bit is a max); an insert stands for every column of its table (only its own: a replaced row of a
        // narrow table must not get entries for columns it does not have). The row exists now unless its last
        // insert-or-delete was a delete.
        let bits = (0..<columnCount).map { "max(mask & \(Int64(1) << Int64($0)))" }.joined(separator: " | ")
        let tables = catalog.tables
        let everyColumn =
            "CASE tbl " + tables.map { "WHEN \($0.index) THEN \((Int64(1) << Int64($0.columns.count)) - 1) " }.joined()
            + "ELSE 0 END"
        try db.execute(
            """
            INSERT INTO temp._spi_stamp(tbl, id, ins, del, mask, present)
            SELECT tbl, spi_key(id), max(op = 1), max(op = 3), CASE WHEN max(op = 1) THEN \(everyColumn) ELSE \(bits) END,
                coalesce(max(CASE WHEN op = 3 THEN seq END), 0) < coalesce(max(CASE WHEN op <> 3 THEN seq END), 0)
            FROM _spi_capture WHERE id IS NOT NULL AND seq > ?1 AND seq <= ?2 GROUP BY tbl, id
            """, [.integer(after), .integer(upTo)])
        // Rows that existed before tracking began (seeded reference data) and were updated: their values have the
        // zero version; from here on they are live rows like any other.
        try db.execute(
            """
            INSERT INTO _spi_row(tbl, id, cl, hlc, site)
            SELECT tbl, id, 1, 0, 0 FROM temp._spi_stamp s
            WHERE s.present AND NOT s.ins AND NOT EXISTS (SELECT 1 FROM _spi_row r WHERE r.tbl = s.tbl AND r.id = s.id)
            """, [])
        // Updates of live rows, one entry per changed column. A cell without an entry has the row's version, whose
        // prior is none when this site wrote it; an entry already written by this site keeps its prior.
        try db.execute(
            """
            INSERT INTO _spi_clock(tbl, id, col, hlc, site, prior_hlc, prior_site)
            SELECT s.tbl, s.id, b.col, ?2, ?3, CASE WHEN r.site = ?3 THEN 0 ELSE r.hlc END,
                CASE WHEN r.site = ?3 THEN 0 ELSE r.site END
            FROM temp._spi_stamp s CROSS JOIN _spi_row r ON r.tbl = s.tbl AND r.id = s.id
                CROSS JOIN temp._spi_bits b
            WHERE s.present AND NOT s.del AND r.cl % 2 = 1 AND b.bit < 1 << ?1 AND s.mask & b.bit
            ON CONFLICT(tbl, id, col) DO UPDATE SET
                prior_hlc = CASE WHEN site = ?3 THEN prior_hlc ELSE hlc END,
                prior_site = CASE WHEN site = ?3 THEN prior_site ELSE site END,
                hlc = excluded.hlc, site = excluded.site
            """, [.integer(Int64(columnCount)), .integer(clock), .integer(own)])
        // Lives that begin or end: re-creates (a dead row back, or a delete and insert since the last stamp) and
        // deletes. Their cell entries go; the cells take the row's new version.
        // (Row by row: few rows change life in one stamp, and each is a primary-key lookup.)
        var lives: [(DatabaseValue, DatabaseValue, Int64)] = []
        try db.forEachRow(
            """
            SELECT s.tbl, s.id, r.cl + CASE WHEN r.cl % 2 = 0 THEN 1 WHEN s.present THEN 2 ELSE 1 END
            FROM temp._spi_stamp s CROSS JOIN _spi_row r ON r.tbl = s.tbl AND r.id = s.id
            WHERE (s.present AND (r.cl % 2 = 0 OR s.del)) OR (NOT s.present AND r.cl % 2 = 1)
            """
        ) { row in lives.append((row.value(0), row.value(1), row.int64(2))) }
        for (table, id, length) in lives {
            try db.execute("DELETE FROM _spi_clock WHERE tbl = ? AND id = ?", [table, id])
            try db.execute(
                "UPDATE _spi_row SET cl = ?, hlc = ?, site = ? WHERE tbl = ? AND id = ?",
                [.integer(length), .integer(clock), .integer(own), table, id])
        }
        // New rows (live now, never seen), and tombstones for rows that existed only as untracked baseline data.
        try db.execute(
            """
            INSERT INTO _spi_row(tbl, id, cl, hlc, site)
            SELECT tbl, id, CASE WHEN present THEN 1 ELSE 2 END, ?1, ?2 FROM temp._spi_stamp s
            WHERE (s.present AND s.ins OR NOT s.present AND NOT s.ins)
                AND NOT EXISTS (SELECT 1 FROM _spi_row r WHERE r.tbl = s.tbl AND r.id = s.id)
            """, [.integer(clock), .integer(own)])
    }

    /// The next clock reading for a local change, persisted so that it never repeats, even across processes.
    func nextLocalClock(_ db: Connection) throws -> Int64 {
        let last = HybridLogicalClock(
            rawValue: UInt64(
                bitPattern: try db.scalar("SELECT value FROM _spi_meta WHERE key = 'clock.last'")?.integerValue ?? 0))
        let next = HybridLogicalClock.next(after: last, nowMilliseconds: now())
        try db.execute(
            "UPDATE _spi_meta SET value = ? WHERE key = 'clock.last'", [.integer(Int64(bitPattern: next.rawValue))])
        return Int64(bitPattern: next.rawValue)
    }

    /// Moves the local clock past a reading seen from another site.
    func observeClock(_ seen: UInt64, _ db: Connection) throws {
        try db.execute(
            "UPDATE _spi_meta SET value = max(value, ?) WHERE key = 'clock.last'", [.integer(Int64(bitPattern: seen))])
    }
}
