import Foundation
import Logging
import SPISQLite

extension Replica {
    /// What this replica has seen, per origin site (after stamping any pending captured writes), with its wants: the
    /// cells it asks for because it refused a version of them (protocol/changes.md §8).
    public func knowledge() throws -> Knowledge {
        try stamp()
        return try read { db in
            var knowledge = try self.knowledge(db)
            knowledge.wants = try wants(db)
            return knowledge
        }
    }

    /// The knowledge this replica reports: what it has claimed per origin, held back to just before the earliest
    /// change of that origin it holds aside (a held change must be offered again, so it is not claimed).
    func knowledge(_ db: Connection) throws -> Knowledge {
        var result = Knowledge()
        let sql =
            try Self.hasHeldStore(db)
            ? """
            SELECT s.site, min(k.hlc, coalesce((SELECT min(c.hlc) - 1 FROM _spi_held_cap c WHERE c.site = k.site), k.hlc))
            FROM _spi_knowledge k JOIN _spi_site s ON s.idx = k.site
            """
            : "SELECT s.site, k.hlc FROM _spi_knowledge k JOIN _spi_site s ON s.idx = k.site"
        try db.forEachRow(sql) { row in
            if let bytes = row.blob(0), let site = SiteID(bytes: bytes) {
                result[site] = UInt64(bitPattern: max(0, row.int64(1)))
            }
        }
        // This replica's sites before its key rotations make no more changes: it holds all of them, up to now.
        let previous = previousSiteIDs
        if !previous.isEmpty {
            let now = UInt64(
                bitPattern: try db.scalar("SELECT value FROM _spi_meta WHERE key = 'clock.last'")?.integerValue ?? 0)
            for site in previous { result[site] = max(result[site], now) }
        }
        return result
    }

    /// Starts a delta for a peer: stamps pending writes, then notes which origin sites have changes it lacks.
    ///
    /// This replica's own changes not signed yet (with its ``signer``) are signed as the batches that carry them are
    /// made (``nextBatch(_:maxCells:)``), not here: the first batch leaves without waiting for the rest.
    ///
    /// With a `scope`, only the rows the scope lets the peer see are sent (deletes go to every peer), only changes
    /// from the scope's origins, and rows that entered the peer's scope since its knowledge are first sent whole.
    /// The scope is evaluated once, here, into temporary tables of this replica's connection: drive the cursor on
    /// the same `Replica`, and make one scoped cursor at a time.
    public func deltaCursor(for peer: Knowledge, scope: (any ReadScope)? = nil) throws -> DeltaCursor {
        try deltaCursor(for: peer, scope: scope, everyRow: false)
    }

    /// ``deltaCursor(for:scope:)``, with the scope evaluated over every row when `everyRow` (as it is for repairs)
    /// instead of incrementally: the tests compare the two deltas, which must be the same.
    func deltaCursor(for peer: Knowledge, scope: (any ReadScope)?, everyRow: Bool) throws -> DeltaCursor {
        // Stamped here for the cursor; `nextBatch` stamps what other connections commit meanwhile, and signs what
        // each batch carries of this replica's own groups (protocol/changes.md §7.2).
        try stamp()
        // A scope without row rules limits only the origins: an ordinary delta over fewer sites.
        guard let scope, tables.contains(where: { scope.rule(for: $0.name, peer: peer) != nil }) else {
            let (mine, beyond) = try read { db in (try knowledge(db), try sitesHeld(beyond: peer, db)) }
            let known = Set(mine.clocks.filter { $0.value > peer[$0.key] }.keys)
            var sites = authorityFirst(known.union(beyond).sorted())
            if let origins = scope?.origins { sites = sites.filter { origins.contains($0) } }
            var cursor = DeltaCursor(peer: peer, sites: sites)
            cursor.scopeName = scope?.name ?? ""
            cursor.origins = scope?.origins
            cursor.coversOtherSites = scope?.coversOtherSites ?? true
            cursor.repairing = try !peer.wants.isEmpty || read { db in try hasRefusalMarks(db) }
            // Only a sender that relays every origin leads with the rows that decide authority: a replica that sends
            // only its own changes has none of them to send.
            if scope?.origins == nil, !sites.isEmpty {
                cursor.leading = (scope?.leadingTables ?? []).compactMap { tablesByName[$0]?.index }
                cursor.leadingFiltered = false
            }
            return cursor
        }
        return try read { db in
            let mine = try knowledge(db)
            // Nothing the peer lacks: no version newer than its knowledge, held or known, and nothing to repair. Then
            // no row can have entered its scope (that takes a version it has not seen) and no batch would be sent,
            // so the scope is not evaluated: a sync with nothing to send costs the same at any register size.
            if peer.wants.isEmpty, mine.clocks.allSatisfy({ $0.value <= peer[$0.key] }),
                try sitesHeld(beyond: peer, db).isEmpty, try !hasRefusalMarks(db)
            {
                var cursor = DeltaCursor(peer: peer, sites: [])
                cursor.upper = mine
                cursor.scopeName = scope.name
                cursor.origins = scope.origins
                cursor.coversOtherSites = scope.coversOtherSites
                return cursor
            }
            // Repairs judge wanted and marked rows anywhere in the register: then every row is listed.
            let repairing = try !peer.wants.isEmpty || hasRefusalMarks(db)
            let leading = scope.origins == nil ? scope.leadingTables.compactMap { tablesByName[$0]?.index } : []
            try materialize(scope, peer: peer, everyRow: everyRow || repairing, wholeTables: Set(leading), db)
            var sites = authorityFirst(mine.clocks.filter { $0.value > peer[$0.key] }.keys.sorted())
            if let origins = scope.origins { sites = sites.filter { origins.contains($0) } }
            var cursor = DeltaCursor(peer: peer, sites: sites)
            cursor.upper = mine
            cursor.scopeName = scope.name
            cursor.origins = scope.origins
            cursor.coversOtherSites = scope.coversOtherSites
            cursor.repairing = repairing
            cursor.openTables = Set(tables.filter { scope.seesEveryRow(of: $0.name) }.map(\.index))
            cursor.resending = scope.origins == nil
            if !sites.isEmpty { cursor.leading = leading }
            return cursor
        }
    }

    /// The sites of which this replica holds changes past what `peer` knows, whatever its own knowledge of them (what
    /// it may cover) says. It holds changes past its knowledge of a site when the carrier that brought them could not
    /// vouch for the site's other changes (a replica that succeeds the site without a binding that says so, a delta
    /// cut short): it offers them all the same and covers only what it knows (protocol/changes.md §3), so that what
    /// one replica applied reaches every other by relay. Two index lookups per site.
    func sitesHeld(beyond peer: Knowledge, _ db: Connection) throws -> Set<SiteID> {
        var result: Set<SiteID> = []
        try db.forEachRow(
            """
            SELECT s.site, max(coalesce((SELECT max(hlc) FROM _spi_row r WHERE r.site = s.idx), 0),
                coalesce((SELECT max(hlc) FROM _spi_clock c WHERE c.site = s.idx), 0))
            FROM _spi_site s
            """
        ) { row in
            if let bytes = row.blob(0), let site = SiteID(bytes: bytes),
                UInt64(bitPattern: row.int64(1)) > peer[site]
            {
                result.insert(site)
            }
        }
        return result
    }

    /// How many row and cell versions of `site` this replica holds with a clock in `(after, through]`: what a change of
    /// its knowledge of that site brought (the app's live updates count changes with it).
    public func changeCount(of site: SiteID, after: UInt64, through: UInt64) throws -> Int {
        try read { db in
            guard
                let index = try db.scalar("SELECT idx FROM _spi_site WHERE site = ?", [.blob(site.bytes)])?.integerValue
            else { return 0 }
            let range: [DatabaseValue] = [
                .integer(index), .integer(Int64(bitPattern: after)), .integer(Int64(bitPattern: through)),
            ]
            let rows = try db.scalar("SELECT count(*) FROM _spi_row WHERE site = ?1 AND hlc > ?2 AND hlc <= ?3", range)
            let cells = try db.scalar(
                "SELECT count(*) FROM _spi_clock WHERE site = ?1 AND hlc > ?2 AND hlc <= ?3", range)
            return Int((rows?.integerValue ?? 0) + (cells?.integerValue ?? 0))
        }
    }

    /// Sites in the order a delta sends them: the register's authority (the site whose id is the register id) first,
    /// since receivers judge every other site's changes by the bindings it writes; then by site id.
    func authorityFirst(_ sites: [SiteID]) -> [SiteID] {
        let authority = SiteID(bytes: registerID.bytes)
        return sites.filter { $0 == authority } + sites.filter { $0 != authority }
    }

    /// The next batch of changes the cursor's peer lacks, or nil when there are none left.
    ///
    /// A batch holds about `maxCells` cell changes. It ends between two clock readings of an origin, so that its
    /// coverage (the knowledge the receiver may claim once it has committed the batch) is exact; only a single
    /// transaction larger than four times `maxCells` is split, and then its coverage stops just before it.
    ///
    /// A batch is read in a read transaction, unless it may carry changes of this replica's own not signed yet, or
    /// writes committed since the last stamp wait for their versions: then it is made in a write transaction that
    /// stamps those writes first and signs the groups of this replica's own that the batch carries before they leave
    /// (protocol/changes.md §7.2). No write commits between reading a batch and signing what it carries, and a
    /// batch never carries a value whose version is not stamped yet.
    public func nextBatch(_ cursor: inout DeltaCursor, maxCells: Int = 4096) throws -> ChangeBatch? {
        try nextBatchMessage(&cursor, maxCells: maxCells).map(ChangeBatch.init)
    }

    /// ``nextBatch(_:maxCells:)``, as the protobuf message.
    func nextBatchMessage(_ cursor: inout DeltaCursor, maxCells: Int = 4096) throws -> Spi_V1_ChangeBatch? {
        guard !cursor.isFinished else { return nil }
        let budget = max(1, maxCells)
        guard !connection.isReadOnly else { return try read { db in try makeBatch(&cursor, budget: budget, db) } }
        // The check and the batch share one snapshot: what the check saw is what the batch reads.
        var batch: Spi_V1_ChangeBatch?
        let madeInRead = try read { db -> Bool in
            guard try !needsWriteLock(cursor, db) else { return false }
            batch = try makeBatch(&cursor, budget: budget, db)
            return true
        }
        if madeInRead { return batch }
        return try connection.transaction(.immediate) { db in
            try stamper.stampPendingChanges(db)
            return try makeBatch(&cursor, budget: budget, signing: true, db)
        }
    }

    /// Whether ``nextBatch(_:maxCells:)`` would make the cursor's next batch in a write transaction, as it reads the
    /// replica now.
    ///
    /// A server whose sessions take turns at writing asks first, so that a batch that writes waits for its turn
    /// instead of in SQLite's busy handler. The answer may change before the batch is made (another connection may
    /// commit a write meanwhile); the batch is then still made correctly, in a write transaction of its own.
    public func nextBatchWrites(_ cursor: DeltaCursor) throws -> Bool {
        guard !cursor.isFinished, !connection.isReadOnly else { return false }
        return try read { db in try needsWriteLock(cursor, db) }
    }

    /// Whether the cursor's next batch must be made under the write lock: writes wait for their versions (a batch
    /// would read their values under their old versions), or the batch may carry changes of this replica's own that
    /// are not signed yet (only rows sent whole and this replica's own site carry them).
    private func needsWriteLock(_ cursor: DeltaCursor, _ db: Connection) throws -> Bool {
        if try db.scalar("SELECT EXISTS (SELECT 1 FROM _spi_capture)") == .integer(1) { return true }
        let mayCarryOwn =
            !cursor.leading.isEmpty || cursor.repairing || cursor.resending || cursor.sites.contains(siteID)
        return try mayCarryOwn && hasGroupsToSign(db)
    }

    /// Makes the cursor's next batch in the caller's transaction (nil when nothing is left); with `signing`, in a
    /// write transaction, signs first what it carries of this replica's own groups not signed yet.
    private func makeBatch(
        _ cursor: inout DeltaCursor, budget: Int, signing: Bool = false, _ db: Connection
    ) throws -> Spi_V1_ChangeBatch? {
        var builder = BatchBuilder()
        if !cursor.leading.isEmpty {
            try addLeadingRows(
                cursor.leading, filtered: cursor.leadingFiltered, peer: cursor.peer, to: &builder, db)
            cursor.leading = []
        }
        if cursor.repairing {
            try addRepairs(cursor, to: &builder, db)
            cursor.repairing = false
        }
        if cursor.resending {
            cursor.resending = try resendEnteredRows(&builder, cursor: &cursor, budget: budget, db)
        }
        while !cursor.resending, let site = cursor.sites.first, builder.cellCount < budget {
            let finished = try fill(&builder, site: site, cursor: &cursor, budget: budget, db)
            if finished {
                cursor.sites.removeFirst()
                cursor.rowPosition = nil
                cursor.cellPosition = nil
            } else {
                break
            }
        }
        for cell in builder.unsendable {
            var metadata: Logger.Metadata = [
                "replica.table": "\(cell.table)", "replica.id": "\(cell.id)", "replica.column": "\(cell.column)",
            ]
            switch cell.problem {
            case .tooLarge(let bytes):
                metadata["replica.bytes"] = "\(bytes)"
                metadata["replica.limit"] = "\(Self.maximumValueBytes)"
                logger.warning(
                    "a value larger than a cell may hold is not sent; write a smaller one (spi check lists them)",
                    metadata: metadata)
            case .notText:
                logger.warning(
                    "a text value that is not valid UTF-8 is not sent; write it again as text (spi check lists them)",
                    metadata: metadata)
            }
        }
        guard !builder.isEmpty else { return nil }
        if signing { try signGroups(carriedBy: builder.batch, db) }
        try attachProofs(to: &builder.batch, db)
        builder.batch.scope = cursor.scopeName
        cursor.batches += 1
        cursor.rows += builder.batch.rows.count
        cursor.cells += builder.cellCount
        return builder.batch
    }

    /// Adds one site's changes to the batch until the budget is spent. Returns true when the site is done.
    ///
    /// With `through`, only changes with a clock up to it (signing reads one group, `through` its clock).
    func fill(
        _ builder: inout BatchBuilder, site: SiteID, cursor: inout DeltaCursor, budget: Int, through: Int64? = nil,
        _ db: Connection
    ) throws -> Bool {
        guard
            let siteIndex = try db.scalar("SELECT idx FROM _spi_site WHERE site = ?", [.blob(site.bytes)])?.integerValue
        else { return true }
        // What this replica may cover of the site: its knowledge, held back before any change of the site it holds.
        var localClock =
            try db.scalar("SELECT hlc FROM _spi_knowledge WHERE site = ?", [.integer(siteIndex)])?.integerValue ?? 0
        if try Self.hasHeldStore(db),
            let held = try db.scalar("SELECT min(hlc) FROM _spi_held_cap WHERE site = ?", [.integer(siteIndex)])?
                .integerValue
        {
            localClock = min(localClock, held - 1)
        }
        // A site this replica had before a key rotation: it holds every change of it, up to now, and covers it as its
        // own (receivers believe it when the authority bound this replica as its successor).
        let isPrevious = previousSiteIDs.contains(site)
        if isPrevious {
            localClock = max(
                localClock, try db.scalar("SELECT value FROM _spi_meta WHERE key = 'clock.last'")?.integerValue ?? 0)
        }
        if let upper = cursor.upper { localClock = min(localClock, Int64(bitPattern: upper[site])) }
        let from = Int64(bitPattern: cursor.peer[site])
        // A scoped delta: only rows the peer may see (deletes always), not those resent whole, up to the snapshot.
        let rowFilter =
            cursor.isScoped
            ? " AND hlc <= ?7 AND (cl % 2 = 0 OR EXISTS (SELECT 1 FROM temp._spi_visible v WHERE v.tbl = _spi_row.tbl AND v.id = _spi_row.id AND v.entered = 0))"
            : ""
        let cellFilter =
            cursor.isScoped
            ? " AND hlc <= ?8 AND EXISTS (SELECT 1 FROM temp._spi_visible v WHERE v.tbl = _spi_clock.tbl AND v.id = _spi_clock.id AND v.entered = 0)"
            : ""
        // `?10`, past every other parameter of both queries (the ones between stay unbound, unused).
        let upTo = through == nil ? "" : " AND hlc <= ?10"
        func bindingThrough(_ args: inout [DatabaseValue]) {
            guard let through else { return }
            args += Array(repeating: .null, count: 9 - args.count) + [.integer(through)]
        }
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
            let sql =
                p == nil
                ? "SELECT hlc, tbl, id, cl FROM _spi_row WHERE site = ?1 AND hlc > ?2\(rowFilter)\(upTo) ORDER BY hlc, tbl, id LIMIT ?3"
                : "SELECT hlc, tbl, id, cl FROM _spi_row WHERE site = ?1 AND (hlc, tbl, id) > (?4, ?5, ?6)\(rowFilter)\(upTo) ORDER BY hlc, tbl, id LIMIT ?3"
            var args: [DatabaseValue] = [.integer(siteIndex), .integer(from), .integer(Int64(page))]
            if let p {
                args += [.integer(p.clock), .integer(p.table), RowKey.stored(p.id)]
            } else if cursor.isScoped {
                args += [.null, .null, .null]
            }
            if cursor.isScoped { args.append(.integer(localClock)) }
            bindingThrough(&args)
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
            let sql =
                p == nil
                ? "SELECT hlc, tbl, id, col, prior_hlc, prior_site FROM _spi_clock WHERE site = ?1 AND hlc > ?2\(cellFilter)\(upTo) ORDER BY hlc, tbl, id, col LIMIT ?3"
                : "SELECT hlc, tbl, id, col, prior_hlc, prior_site FROM _spi_clock WHERE site = ?1 AND (hlc, tbl, id, col) > (?4, ?5, ?6, ?7)\(cellFilter)\(upTo) ORDER BY hlc, tbl, id, col LIMIT ?3"
            var args: [DatabaseValue] = [.integer(siteIndex), .integer(from), .integer(Int64(page))]
            if let p {
                args += [.integer(p.clock), .integer(p.table), RowKey.stored(p.id), .integer(p.column)]
            } else if cursor.isScoped {
                args += [.null, .null, .null, .null]
            }
            if cursor.isScoped { args.append(.integer(localClock)) }
            bindingThrough(&args)
            try db.forEachRow(sql, args) { row in
                cellItems.append(
                    .init(
                        clock: row.int64(0), table: row.int64(1), id: RowKey.id(from: row.value(2)),
                        column: row.int64(3)))
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
            if r == rowItems.count && !rowsExhausted {
                try fetchRows()
                r = 0
            }
            if c == cellItems.count && !cellsExhausted {
                try fetchCells()
                c = 0
            }
            let nextRow = r < rowItems.count ? rowItems[r] : nil
            let nextCell = c < cellItems.count ? cellItems[c] : nil
            guard nextRow != nil || nextCell != nil else {
                if site == siteID || isPrevious || cursor.coversOtherSites { builder.cover(site, clock: localClock) }
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
                if min(clock - 1, localClock) > from, site == siteID || isPrevious || cursor.coversOtherSites {
                    builder.cover(site, clock: min(clock - 1, localClock))
                }
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
