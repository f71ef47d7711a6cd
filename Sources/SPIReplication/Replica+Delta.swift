import Foundation
import SPISQLite

extension Replica {
    /// What this replica has seen, per origin site (after stamping any pending captured writes).
    public func knowledge() throws -> Knowledge {
        try stamp()
        return try read { db in try self.knowledge(db) }
    }

    func knowledge(_ db: Connection) throws -> Knowledge {
        var result = Knowledge()
        try db.forEachRow("SELECT s.site, k.hlc FROM _spi_knowledge k JOIN _spi_site s ON s.idx = k.site") { row in
            if let bytes = row.blob(0), let site = SiteID(bytes: bytes) {
                result[site] = UInt64(bitPattern: row.int64(1))
            }
        }
        return result
    }

    /// Starts a delta for a peer: stamps pending writes, then notes which origin sites have changes it lacks.
    public func deltaCursor(for peer: Knowledge) throws -> DeltaCursor {
        let mine = try knowledge()
        let sites = mine.clocks.filter { $0.value > peer[$0.key] }.keys.sorted()
        return DeltaCursor(peer: peer, sites: sites)
    }

    /// The next batch of changes the cursor's peer lacks, or nil when there are none left.
    ///
    /// A batch holds about `maxCells` cell changes. It ends between two clock readings of an origin, so that its
    /// coverage (the knowledge the receiver may claim once it has committed the batch) is exact; only a single
    /// transaction larger than four times `maxCells` is split, and then its coverage stops just before it.
    public func nextBatch(_ cursor: inout DeltaCursor, maxCells: Int = 4096) throws -> Spi_V1_ChangeBatch? {
        guard !cursor.isFinished else { return nil }
        let budget = max(1, maxCells)
        return try read { db in
            var builder = BatchBuilder()
            while let site = cursor.sites.first, builder.cellCount < budget {
                let finished = try fill(&builder, site: site, cursor: &cursor, budget: budget, db)
                if finished {
                    cursor.sites.removeFirst()
                    cursor.rowPosition = nil
                    cursor.cellPosition = nil
                } else {
                    break
                }
            }
            guard !builder.isEmpty else { return nil }
            cursor.batches += 1
            cursor.rows += builder.batch.rows.count
            cursor.cells += builder.cellCount
            return builder.batch
        }
    }

    /// Adds one site's changes to the batch until the budget is spent. Returns true when the site is done.
    private func fill(
        _ builder: inout BatchBuilder, site: SiteID, cursor: inout DeltaCursor, budget: Int, _ db: Connection
    ) throws -> Bool {
        guard let siteIndex = try db.scalar("SELECT idx FROM _spi_site WHERE site = ?", [.blob(site.bytes)])?.integerValue
        else { return true }
        let localClock = try db.scalar("SELECT hlc FROM _spi_knowledge WHERE site = ?", [.integer(siteIndex)])?.integerValue ?? 0
        let from = Int64(bitPattern: cursor.peer[site])
        let page = 512
        var rowItems: [DeltaCursor.RowPosition] = []
        var rowCL: [Int64] = []
        var rowsExhausted = false
        var cellItems: [DeltaCursor.CellPosition] = []
        var cellPriors: [(Int64, Int64)] = []
        var cellsExhausted = false

        func fetchRows() throws {
            rowItems.removeAll(keepingCapacity: true)
            rowCL.removeAll(keepingCapacity: true)
            let p = cursor.rowPosition
            let sql = p == nil
                ? "SELECT hlc, tbl, id, cl FROM _spi_row WHERE site = ?1 AND hlc > ?2 ORDER BY hlc, tbl, id LIMIT ?3"
                : "SELECT hlc, tbl, id, cl FROM _spi_row WHERE site = ?1 AND (hlc, tbl, id) > (?4, ?5, ?6) ORDER BY hlc, tbl, id LIMIT ?3"
            var args: [DatabaseValue] = [.integer(siteIndex), .integer(from), .integer(Int64(page))]
            if let p { args += [.integer(p.clock), .integer(p.table), RowKey.stored(p.id)] }
            try db.forEachRow(sql, args) { row in
                rowItems.append(.init(clock: row.int64(0), table: row.int64(1), id: RowKey.id(from: row.value(2))))
                rowCL.append(row.int64(3))
            }
            rowsExhausted = rowItems.count < page
        }
        func fetchCells() throws {
            cellItems.removeAll(keepingCapacity: true)
            cellPriors.removeAll(keepingCapacity: true)
            let p = cursor.cellPosition
            let sql = p == nil
                ? "SELECT hlc, tbl, id, col, prior_hlc, prior_site FROM _spi_clock WHERE site = ?1 AND hlc > ?2 ORDER BY hlc, tbl, id, col LIMIT ?3"
                : "SELECT hlc, tbl, id, col, prior_hlc, prior_site FROM _spi_clock WHERE site = ?1 AND (hlc, tbl, id, col) > (?4, ?5, ?6, ?7) ORDER BY hlc, tbl, id, col LIMIT ?3"
            var args: [DatabaseValue] = [.integer(siteIndex), .integer(from), .integer(Int64(page))]
            if let p { args += [.integer(p.clock), .integer(p.table), RowKey.stored(p.id), .integer(p.column)] }
            try db.forEachRow(sql, args) { row in
                cellItems.append(.init(clock: row.int64(0), table: row.int64(1), id: RowKey.id(from: row.value(2)), column: row.int64(3)))
                cellPriors.append((row.int64(4), row.int64(5)))
            }
            cellsExhausted = cellItems.count < page
        }

        try fetchRows()
        try fetchCells()
        var r = 0
        var c = 0
        var lastClock: Int64? = nil
        while true {
            if r == rowItems.count && !rowsExhausted { try fetchRows(); r = 0 }
            if c == cellItems.count && !cellsExhausted { try fetchCells(); c = 0 }
            let nextRow = r < rowItems.count ? rowItems[r] : nil
            let nextCell = c < cellItems.count ? cellItems[c] : nil
            guard nextRow != nil || nextCell != nil else {
                builder.cover(site, clock: localClock)
                return true
            }
            // Rows sort before cells of the same clock, table and id, so a re-created row arrives before its cells.
            let takeRow: Bool
            if let nextRow, let nextCell {
                takeRow = (nextRow.clock, nextRow.table, nextRow.id) <= (nextCell.clock, nextCell.table, nextCell.id)
            } else {
                takeRow = nextRow != nil
            }
            let clock = takeRow ? nextRow!.clock : nextCell!.clock
            if builder.cellCount >= budget && clock != lastClock || builder.cellCount >= 4 * budget {
                if clock - 1 > from { builder.cover(site, clock: clock - 1) }
                return false
            }
            if takeRow, let row = nextRow {
                try builder.addRow(row, causalLength: rowCL[r], site: site, replica: self, db)
                cursor.rowPosition = row
                r += 1
            } else if let cell = nextCell {
                try builder.addCell(cell, prior: cellPriors[c], site: site, replica: self, db)
                cursor.cellPosition = cell
                c += 1
            }
            lastClock = clock
        }
    }
}
