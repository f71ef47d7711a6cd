import Foundation
import SPISQLite

extension Replica {
    /// Evaluates a read scope into `temp._spi_visible` (table, stored id, entered) for a peer with `peer`
    /// knowledge, on the snapshot of the current transaction.
    func materialize(_ scope: any ReadScope, peer: Knowledge, _ db: Connection) throws {
        try db.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS _spi_visible (
                tbl INTEGER NOT NULL, id ANY NOT NULL, entered INTEGER NOT NULL, PRIMARY KEY (tbl, id)) STRICT, WITHOUT ROWID
            """)
        try db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _spi_peer_knowledge (site INTEGER PRIMARY KEY, hlc INTEGER NOT NULL) STRICT")
        try db.execute("DELETE FROM temp._spi_visible")
        try db.execute("DELETE FROM temp._spi_peer_knowledge")
        for (site, clock) in peer.clocks {
            guard let index = try db.scalar("SELECT idx FROM _spi_site WHERE site = ?", [.blob(site.bytes)])?.integerValue
            else { continue }
            try db.execute(
                "INSERT INTO temp._spi_peer_knowledge(site, hlc) VALUES (?, ?)", [.integer(index), .integer(Int64(bitPattern: clock))])
        }
        for table in tables {
            let select = try expandScopeSQL(scope.rule(for: table.name)?.select ?? "SELECT id, 0 FROM \(TrackedTable.quote(table.name))")
            try db.execute(
                """
                WITH v(id, entered) AS (\(select))
                INSERT INTO temp._spi_visible(tbl, id, entered)
                SELECT ?, spi_key(id), max(coalesce(entered, 0) != 0) FROM v WHERE id IS NOT NULL GROUP BY id
                """,
                [.integer(table.index)])
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

    /// Replaces each `{unknown:TABLE:ID_EXPRESSION:COLUMN}` with SQL that is 1 when the peer has not seen the
    /// cell's version (its own entry, else the row's version), else 0.
    func expandScopeSQL(_ sql: String) throws -> String {
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
            result += """
                coalesce((SELECT CASE WHEN v.hlc = 0 THEN 0 \
                WHEN v.hlc <= coalesce((SELECT k.hlc FROM temp._spi_peer_knowledge k WHERE k.site = v.site), 0) THEN 0 ELSE 1 END \
                FROM (SELECT hlc, site, 0 AS o FROM _spi_clock WHERE tbl = \(table.index) AND id = spi_key(\(idExpression)) AND col = \(column) \
                UNION ALL SELECT hlc, site, 1 FROM _spi_row WHERE tbl = \(table.index) AND id = spi_key(\(idExpression))) v \
                ORDER BY v.o LIMIT 1), 0)
                """
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// Adds whole rows that entered the peer's scope (every cell with its own version) until the budget is spent.
    /// These batches carry no coverage: the rows' clocks may be older than what the peer already covers. Returns
    /// true while rows remain.
    func resendEnteredRows(
        _ builder: inout BatchBuilder, cursor: inout DeltaCursor, budget: Int, _ db: Connection
    ) throws -> Bool {
        while builder.cellCount < budget {
            var keys: [(Int64, String)] = []
            let sql = cursor.resendPosition == nil
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

    /// Adds a live row with every cell and its version: the row's base version with the cells that inherit it,
    /// then each cell that has a version of its own.
    private func addWholeRow(_ key: RowKey, to builder: inout BatchBuilder, _ db: Connection) throws {
        guard let meta = try rowMeta(key, db), meta.isAlive else { return }
        if meta.clock != 0, let site = try site(at: meta.site, db) {
            try builder.addRow(
                .init(clock: meta.clock, table: key.table, id: key.id), causalLength: meta.causalLength, site: site,
                replica: self, db)
        }
        for (column, entry) in try cellEntries(key, db).sorted(by: { $0.key < $1.key }) {
            guard entry.clock != 0, let site = try site(at: entry.site, db) else { continue }
            try builder.addCell(
                .init(clock: entry.clock, table: key.table, id: key.id, column: Int64(column)),
                prior: (entry.priorClock, entry.priorSite), site: site, replica: self, db)
        }
    }
}
