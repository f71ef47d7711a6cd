import Foundation
import SPISQLite

extension Replica {
    /// Evaluates a read scope into `temp._spi_visible` (table, stored id, entered) for a peer with `peer`
    /// knowledge, on the snapshot of the current transaction.
    ///
    /// With `everyRow` false and few versions the peer lacks (``collectUnseen(peer:_:)``), the evaluation is
    /// incremental: only the rows that may travel are listed, those that hold a version the peer has not seen and
    /// those that entered its scope (a membership cell it has not seen), and all visible rows of `wholeTables` (the
    /// leading tables). Rows the peer has seen whole, and that did not enter, would not be sent anyway; listing them
    /// is what made a one-cell sync cost as much as the register's size. Repairs (wants, marks) need every row.
    func materialize(
        _ scope: any ReadScope, peer: Knowledge, everyRow: Bool = true, wholeTables: Set<Int64> = [], _ db: Connection
    ) throws {
        try db.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS _spi_visible (
                tbl INTEGER NOT NULL, id ANY NOT NULL, entered INTEGER NOT NULL, PRIMARY KEY (tbl, id)) STRICT, WITHOUT ROWID
            """)
        try db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _spi_peer_knowledge (site INTEGER PRIMARY KEY, hlc INTEGER NOT NULL) STRICT"
        )
        try db.execute("DELETE FROM temp._spi_visible")
        try db.execute("DELETE FROM temp._spi_peer_knowledge")
        for (site, clock) in peer.clocks {
            guard
                let index = try db.scalar("SELECT idx FROM _spi_site WHERE site = ?", [.blob(site.bytes)])?.integerValue
            else { continue }
            try db.execute(
                "INSERT INTO temp._spi_peer_knowledge(site, hlc) VALUES (?, ?)",
                [.integer(index), .integer(Int64(bitPattern: clock))])
        }
        let useUnseen = try collectUnseen(peer: peer, db)
        for table in tables {
            let rule = scope.rule(for: table.name, peer: peer)
            let (select, membership) = try expandScopeRule(
                rule?.select ?? "SELECT id, 0 FROM \(TrackedTable.quote(table.name))", unseen: useUnseen)
            // Incremental: a row the peer has seen whole and that did not enter its scope would not be sent. When no
            // membership cell the rule names has a version the peer lacks, no row entered: then only the rows with
            // such versions are looked up (by id, through the rule), instead of the rule running over the table.
            let insert = """
                WITH v(id, entered) AS (\(select))
                INSERT INTO temp._spi_visible(tbl, id, entered)
                SELECT ?1, spi_key(id), max(coalesce(entered, 0) != 0) FROM v WHERE id IS NOT NULL
                """
            guard useUnseen && !everyRow && !wholeTables.contains(table.index) else {
                try db.execute(insert + " GROUP BY id", [.integer(table.index)])
                continue
            }
            // One lookup per row with a version the peer lacks: `id = ?` reaches each arm of the rule, where the
            // planner takes the row by its key (a set of ids as a subquery it may not, and scans the table instead).
            // Past a few thousand rows one pass over the table costs less than the lookups.
            var candidates: [String]?
            if rule?.everyRowEntered != true, try !mayEnter(membership, db) {
                var ids: [String] = []
                try db.forEachRow(
                    "SELECT tid FROM temp._spi_unseen WHERE tbl = ? GROUP BY tid LIMIT ?",
                    [.integer(table.index), .integer(Int64(scopeLookupLimit) + 1)]
                ) { if let id = $0.value(0).textValue { ids.append(id) } }
                if ids.count <= scopeLookupLimit { candidates = ids }
            }
            guard let candidates else {
                // Rows may have entered (or too many to look up): one pass, keeping the rows that may travel.
                try db.execute(
                    insert
                        + " AND (coalesce(entered, 0) != 0 OR EXISTS (SELECT 1 FROM temp._spi_unseen u WHERE u.tbl = ?1 AND u.tid = v.id)) GROUP BY id",
                    [.integer(table.index)])
                continue
            }
            for id in candidates {
                try db.execute(insert + " AND id = ?2 GROUP BY id", [.integer(table.index), .text(id)])
            }
        }
        // A row none of whose versions the peer has seen travels whole in the ordinary delta anyway (its base and
        // every cell entry are newer than the peer's knowledge): no need to resend it. This keeps a first sync, where
        // everything is new to the peer, on the ordinary path, in clock order and with coverage.
        try db.execute(
            """
            UPDATE temp._spi_visible SET entered = 0
            WHERE entered
            AND NOT EXISTS (SELECT 1 FROM _spi_row r JOIN temp._spi_peer_knowledge k ON k.site = r.site
                            WHERE r.tbl = _spi_visible.tbl AND r.id = _spi_visible.id AND r.hlc > 0 AND r.hlc <= k.hlc)
            AND NOT EXISTS (SELECT 1 FROM _spi_clock c JOIN temp._spi_peer_knowledge k ON k.site = c.site
                            WHERE c.tbl = _spi_visible.tbl AND c.id = _spi_visible.id AND c.hlc > 0 AND c.hlc <= k.hlc)
            """)
    }

    /// Whether a version the peer lacks (`temp._spi_unseen`) is one of `membership`'s cells, or a row base version of
    /// their tables (a cell without a version of its own inherits the row's): whether a row may have entered.
    func mayEnter(_ membership: [(table: Int64, column: Int)], _ db: Connection) throws -> Bool {
        for cell in membership {
            let found = try db.scalar(
                "SELECT EXISTS (SELECT 1 FROM temp._spi_unseen WHERE tbl = ? AND col IN (?, -1))",
                [.integer(cell.table), .integer(Int64(cell.column))])
            if found?.integerValue != 0 { return true }
        }
        return false
    }

    /// Lists in `temp._spi_unseen` (table, id text, column; -1 for the row's base version) every version the peer
    /// has not seen, when there are at most ``scopeUnseenLimit``: an incremental sync then tests membership cells against
    /// a small table instead of the metadata. Returns whether it did.
    func collectUnseen(peer: Knowledge, _ db: Connection) throws -> Bool {
        try db.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS _spi_unseen (
                tbl INTEGER NOT NULL, tid TEXT NOT NULL, col INTEGER NOT NULL, PRIMARY KEY (tbl, tid, col)) STRICT, WITHOUT ROWID
            """)
        try db.execute("DELETE FROM temp._spi_unseen")
        var ranges: [(Int64, Int64)] = []
        var total: Int64 = 0
        try db.forEachRow("SELECT s.idx, s.site, k.hlc FROM _spi_knowledge k JOIN _spi_site s ON s.idx = k.site") {
            row in
            guard case .blob(let bytes) = row.value(1), let site = SiteID(bytes: bytes) else { return }
            let from = Int64(bitPattern: peer[site])
            if row.int64(2) > from { ranges.append((row.int64(0), from)) }
        }
        for (site, from) in ranges {
            for table in ["_spi_row", "_spi_clock"] {
                total +=
                    try db.scalar(
                        "SELECT count(*) FROM \(table) WHERE site = ? AND hlc > ?", [.integer(site), .integer(from)])?
                    .integerValue ?? 0
            }
            if total > Int64(scopeUnseenLimit) { return false }
        }
        try db.createFunction("spi_id_text", argumentCount: 1) { arguments in .text(RowKey.id(from: arguments[0])) }
        for (site, from) in ranges {
            try db.execute(
                "INSERT OR IGNORE INTO temp._spi_unseen(tbl, tid, col) SELECT tbl, spi_id_text(id), -1 FROM _spi_row WHERE site = ? AND hlc > ?",
                [.integer(site), .integer(from)])
            try db.execute(
                "INSERT OR IGNORE INTO temp._spi_unseen(tbl, tid, col) SELECT tbl, spi_id_text(id), col FROM _spi_clock WHERE site = ? AND hlc > ?",
                [.integer(site), .integer(from)])
        }
        return true
    }

    /// Replaces each `{unknown:TABLE:ID_EXPRESSION:COLUMN}` with SQL that is 1 when the peer has not seen the
    /// cell's version (its own entry, else the row's version), else 0. With `unseen`, through `temp._spi_unseen`
    /// (see ``collectUnseen(peer:_:)``), which rules most rows out with one probe of a small table. Also returns the
    /// membership cells the rule names (table number, column number): the cells whose unseen versions may make a row
    /// enter the peer's scope.
    func expandScopeRule(_ sql: String, unseen: Bool) throws -> (sql: String, membership: [(table: Int64, column: Int)])
    {
        var membership: [(table: Int64, column: Int)] = []
        var result = ""
        var rest = Substring(sql)
        while let start = rest.range(of: "{unknown:") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ReplicationError(.malformed, "unterminated {unknown:…} in a scope rule")
            }
            // TABLE up to the first colon, COLUMN after the last one, the id expression in between.
            let inner = String(rest[start.upperBound..<end])
            guard let first = inner.firstIndex(of: ":"), let last = inner.lastIndex(of: ":"), first < last else {
                throw ReplicationError(.malformed, "a scope rule's {unknown:\(inner)} needs TABLE:ID:COLUMN")
            }
            let tableName = String(inner[..<first])
            let idExpression = String(inner[inner.index(after: first)..<last])
            let columnName = String(inner[inner.index(after: last)...])
            guard let table = tablesByName[tableName] else {
                throw ReplicationError(.unknownTable, "a scope rule names unknown table \(tableName)")
            }
            guard let column = table.columnIndex[columnName] else {
                throw ReplicationError(.unknownColumn, "a scope rule names unknown column \(tableName).\(columnName)")
            }
            membership.append((table.index, column))
            if unseen {
                let t = table.index
                result += """
                    (EXISTS (SELECT 1 FROM temp._spi_unseen u WHERE u.tbl = \(t) AND u.tid = (\(idExpression))) \
                    AND CASE WHEN EXISTS (SELECT 1 FROM temp._spi_unseen u WHERE u.tbl = \(t) AND u.tid = (\(idExpression)) AND u.col = \(column)) THEN 1 \
                    WHEN EXISTS (SELECT 1 FROM _spi_clock c WHERE c.tbl = \(t) AND c.id = spi_key(\(idExpression)) AND c.col = \(column)) THEN 0 \
                    ELSE EXISTS (SELECT 1 FROM temp._spi_unseen u WHERE u.tbl = \(t) AND u.tid = (\(idExpression)) AND u.col = -1) END)
                    """
                rest = rest[rest.index(after: end)...]
                continue
            }
            result += """
                coalesce((SELECT CASE WHEN v.hlc = 0 THEN 0 \
                WHEN v.hlc <= coalesce((SELECT k.hlc FROM temp._spi_peer_knowledge k WHERE k.site = v.site), 0) THEN 0 ELSE 1 END \
                FROM (SELECT hlc, site, 0 AS o FROM _spi_clock WHERE tbl = \(table.index) AND id = spi_key(\(idExpression)) AND col = \(column) \
                UNION ALL SELECT hlc, site, 1 FROM _spi_row WHERE tbl = \(table.index) AND id = spi_key(\(idExpression))) v \
                ORDER BY v.o LIMIT 1), 0)
                """
            rest = rest[rest.index(after: end)...]
        }
        return (result + rest, membership)
    }

    /// Adds whole rows that entered the peer's scope (every cell with its own version) until the budget is spent.
    /// These batches carry no coverage: the rows' clocks may be older than what the peer already covers. Returns
    /// true while rows remain.
    func resendEnteredRows(
        _ builder: inout BatchBuilder, cursor: inout DeltaCursor, budget: Int, _ db: Connection
    ) throws -> Bool {
        while builder.cellCount < budget {
            var keys: [(Int64, String)] = []
            let sql =
                cursor.resendPosition == nil
                ? "SELECT tbl, id FROM temp._spi_visible WHERE entered ORDER BY tbl, id LIMIT 256"
                : "SELECT tbl, id FROM temp._spi_visible WHERE entered AND (tbl, id) > (?, ?) ORDER BY tbl, id LIMIT 256"
            let args: [DatabaseValue] = cursor.resendPosition.map { [.integer($0.table), RowKey.stored($0.id)] } ?? []
            try db.forEachRow(sql, args) { row in keys.append((row.int64(0), RowKey.id(from: row.value(1)))) }
            if keys.isEmpty { return false }
            for (tableIndex, id) in keys {
                cursor.resendPosition = (tableIndex, id)
                try addWholeRow(RowKey(table: tableIndex, id: id), to: &builder, db)
                if builder.cellCount >= budget { break }
            }
        }
        return true
    }

    /// Adds the visible live rows of the leading tables that hold a version `peer` has not seen, whole (see
    /// ``ReadScope/leadingTables``). They are few (the register's parties and bindings), so they all go in the first
    /// batch, without coverage.
    func addLeadingRows(
        _ tables: [Int64], filtered: Bool, peer: Knowledge, to builder: inout BatchBuilder, _ db: Connection
    ) throws {
        func unseen(_ clock: Int64, _ site: Int64) throws -> Bool {
            guard clock != 0, let site = try catalog.site(at: site, db) else { return false }
            return UInt64(bitPattern: clock) > peer[site]
        }
        for table in tables {
            var keys: [String] = []
            let visible = filtered ? " AND (tbl, id) IN (SELECT tbl, id FROM temp._spi_visible)" : ""
            try db.forEachRow(
                "SELECT id FROM _spi_row WHERE tbl = ? AND cl % 2 = 1\(visible) ORDER BY id", [.integer(table)]
            ) { row in keys.append(RowKey.id(from: row.value(0))) }
            for id in keys {
                let key = RowKey(table: table, id: id)
                guard let meta = try rowMeta(key, db) else { continue }
                var fresh = try unseen(meta.clock, meta.site)
                if !fresh {
                    for entry in try cellEntries(key, db).values where try unseen(entry.clock, entry.site) {
                        fresh = true
                        break
                    }
                }
                if fresh { try addWholeRow(key, to: &builder, db) }
            }
        }
    }

    /// Adds a live row with every cell and its version: the row's base version with the cells that inherit it,
    /// then each cell that has a version of its own.
    func addWholeRow(_ key: RowKey, to builder: inout BatchBuilder, _ db: Connection) throws {
        guard let meta = try rowMeta(key, db), meta.isAlive else { return }
        if meta.clock != 0, let site = try catalog.site(at: meta.site, db) {
            try builder.addRow(
                .init(clock: meta.clock, table: key.table, id: key.id), causalLength: meta.causalLength, site: site,
                replica: self, db)
        }
        for (column, entry) in try cellEntries(key, db).sorted(by: { $0.key < $1.key }) {
            guard entry.clock != 0, let site = try catalog.site(at: entry.site, db) else { continue }
            try builder.addCell(
                .init(clock: entry.clock, table: key.table, id: key.id, column: Int64(column)),
                prior: (entry.priorClock, entry.priorSite), site: site, replica: self, db)
        }
    }
}
