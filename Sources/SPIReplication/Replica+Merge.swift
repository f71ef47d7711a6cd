import Crypto
import Foundation
import SPISQLite

extension Replica {
    /// Merges a batch of changes from another replica, atomically with its bookkeeping.
    ///
    /// The batch is validated first (structure, register tables and columns, value types, clocks); an invalid batch
    /// throws and changes nothing. A valid one is merged in one transaction: per cell, the newest version wins
    /// (ordered by clock, then site id, then value); a row's higher causal length wins over its cells, so a delete
    /// beats a concurrent edit and an explicit re-create beats the delete. Then the batch's coverage is added to
    /// this replica's knowledge. Merging is commutative, associative and idempotent, and never fails because of a
    /// domain rule.
    ///
    /// With a `gate`, every row change is first judged by the site that made it: refused changes are skipped and
    /// listed in ``ApplyReport/refusals``, the rest of the batch applies, and coverage is claimed only for sites
    /// the gate lets the sender cover. Refusals are also written to the local refusal log (``refusalLog(limit:)``),
    /// with `peer`, the sender's name. A change the gate cannot judge yet (``GateDecision/hold(_:)``) is kept aside and
    /// held back from this replica's knowledge; held changes are judged again after every batch. A batch made for
    /// another read scope than the gate's replica has (``WriteGate/receiverScope(_:)``) claims no coverage, and the
    /// rows of it that this replica may not hold are never stored (``ApplyReport/discarded``).
    ///
    /// `since` is the knowledge the batch was computed against, when known (a change-set file's header): coverage of
    /// a site is claimed only when `since` does not exceed what this replica has claimed of that site, so a file made
    /// for another replica never makes this one believe it holds changes it never received
    /// (``ApplyReport/uncovered``).
    ///
    /// Every change's origin proof (protocol/changes.md §7) is checked before anything is merged: a batch with a
    /// change that does not match its origin's signature is refused whole. With a gate that requires proofs
    /// (``WriteGate/requiresProof``, every register gate), a change without one is refused too. Checked proofs are
    /// stored, so that this replica can relay the changes with them.
    ///
    /// - Throws: ``ReplicationError`` (`malformed`, `unknownTable`, `unknownColumn`, `invalidValue`,
    ///   `clockTooFarAhead`, `badSignature`), or a `SQLiteError`.
    @discardableResult
    public func apply(
        _ batch: ChangeBatch, gate: (any WriteGate)? = nil, from peer: String? = nil, since: Knowledge? = nil
    ) throws -> ApplyReport {
        try apply(batch.message, gate: gate, from: peer, since: since, signaturesChecked: false)
    }

    /// ``apply(_:gate:from:since:)``, without checking again the signatures of proofs whose bytes were checked
    /// already (`signaturesChecked`: a change-set file's first reading).
    func apply(
        _ batch: Spi_V1_ChangeBatch, gate: (any WriteGate)?, from peer: String?, since: Knowledge?,
        signaturesChecked: Bool
    ) throws -> ApplyReport {
        try refreshTablesIfSchemaChanged()
        let plan = try validate(batch)
        do {
            return try connection.transaction(.immediate) { db in
                try stamper.stampPendingChanges(db)
                let proofs = try verifyProofs(
                    of: batch, required: gate?.requiresProof ?? false, checkSignatures: !signaturesChecked, db)
                try storeProofs(proofs, db)
                var report = ApplyReport()
                // The merge's own writes are not local changes: the capture triggers stay silent for them (on this
                // connection only, so a shell writing meanwhile is still captured once it gets the write lock).
                try db.withoutTriggers { db in
                    report = try mergeKeepingScope(batch, plan: plan, gate: gate, peer: peer, db).report
                }
                report.sharedKeys = sharedKeys(among: proofs)
                // Refusal marks (protocol/changes.md §8): the sender's, then those this batch's rows settled.
                if !batch.marks.isEmpty { try storeMarks(batch, plan: plan, db) }
                try pruneMarks(of: batch, plan: plan, db)
                // A batch made for another scope than this replica's may lack rows this replica may see.
                let ownScope = try gate?.receiverScope(db)
                if let ownScope { try settleOwnScope(ownScope, db) }
                let foreignScope = ownScope.map { $0 != batch.scope } ?? false
                var coverageGrew = false
                // This replica's own site, and its sites before key rotations, it knows wholly already.
                let previous = previousSiteIDs
                for (site, clock) in plan.covers
                where try site != siteID && !previous.contains(site) && gate?.mayCover(site, db) != false {
                    if foreignScope {
                        report.uncovered.insert(site)
                        continue
                    }
                    let index = try catalog.siteIndex(site, db)
                    // Coverage grows only from what this replica knows: a delta computed against knowledge it does
                    // not have (a file made for another replica) may lack changes it lacks.
                    if let since, since[site] > 0 {
                        let claimed = try db.scalar("SELECT hlc FROM _spi_knowledge WHERE site = ?", [.integer(index)])
                        if since[site] > UInt64(bitPattern: claimed?.integerValue ?? 0) {
                            report.uncovered.insert(site)
                            continue
                        }
                    }
                    try db.execute(
                        "INSERT INTO _spi_knowledge(site, hlc) VALUES (?, ?) ON CONFLICT(site) DO UPDATE SET hlc = max(hlc, excluded.hlc) WHERE excluded.hlc > hlc",
                        [.integer(index), .integer(Int64(bitPattern: clock))])
                    coverageGrew = coverageGrew || db.changes > 0
                }
                if plan.maxClock > 0 {
                    try stamper.observeClock(plan.maxClock, db)
                    // Every replica's later writes have later clocks: once it has seen a clock, it holds every change
                    // of its own made up to it, and says so in its knowledge of itself. For the register's authority,
                    // which writes every binding, this tells receivers that they hold every binding that can precede
                    // a change made at that clock, so that they can judge it (after any batch it commits); for any
                    // other site, that a receiver holds every change it made before a change it judges (after a batch
                    // that brought changes: a batch of coverage alone raises nothing, so two replicas fall quiet).
                    // protocol/permissions.md §2.3.
                    if siteID == registerID || !batch.rows.isEmpty {
                        try raiseOwnKnowledge(db)
                    }
                }
                if let gate, report.applied > 0 || coverageGrew {
                    // What this batch brought (bindings, rows, coverage) may decide changes held earlier.
                    try db.withoutTriggers { db in try rejudgeHeld(gate: gate, report: &report, peer: peer, db) }
                }
                if !report.refusals.isEmpty { try logRefusals(report.refusals, peer: peer, db) }
                report.held =
                    try Self.hasHeldStore(db)
                    ? Int(try db.scalar("SELECT count(*) FROM _spi_held")?.integerValue ?? 0) : 0
                report.rows = batch.rows.count
                report.batches = 1
                return report
            }
        } catch {
            catalog.resetSiteCache()
            throw error
        }
    }

    /// Records this replica's own read scope; when it changed since the replica claimed its knowledge (a binding
    /// arrived: bound, rebound or unbound), forgets what it knows of every other site. Knowledge is claimed within a
    /// scope (protocol/permissions.md §6.2), so it says nothing of the rows of a new scope; kept, it would make this
    /// replica vouch, as a carrier, for changes it never received. Every sender then sends it its new scope whole.
    func settleOwnScope(_ scope: String, _ db: Connection) throws {
        let stored = try db.scalar("SELECT value FROM _spi_meta WHERE key = 'scope.own'")?.textValue
        guard stored != scope else { return }
        try db.execute("INSERT OR REPLACE INTO _spi_meta(key, value) VALUES ('scope.own', ?)", [.text(scope)])
        guard stored != nil else { return }
        try db.execute(
            "UPDATE _spi_knowledge SET hlc = 0 WHERE site <> ?", [.integer(try catalog.siteIndex(siteID, db))])
        logger.info(
            "own read scope changed: knowledge of other sites reset",
            metadata: ["from": "\(stored ?? "")", "to": "\(scope)"])
    }

    /// Raises this replica's knowledge of its own site to its clock's last reading.
    private func raiseOwnKnowledge(_ db: Connection) throws {
        try db.execute(
            """
            INSERT INTO _spi_knowledge(site, hlc) VALUES (?, (SELECT value FROM _spi_meta WHERE key = 'clock.last'))
            ON CONFLICT(site) DO UPDATE SET hlc = max(hlc, excluded.hlc)
            """, [.integer(try catalog.siteIndex(siteID, db))])
    }

    /// A trial merge undone: rows of the batch the receiver may not keep, by their index in the batch.
    private struct ScopeRetry: Error {
        var excluded: Set<Int>
    }

    /// Merges a batch's rows. With a gate whose replica has a scope of its own and a batch made for another scope,
    /// first as a trial inside a savepoint, then again without the rows the gate does not keep, until the outcome
    /// keeps every row it wrote. Rows are judged on the state after the whole batch, so their order in the batch
    /// does not matter; the scope is read after the trial too, so a batch that brings this replica's own binding is
    /// judged by it.
    func mergeKeepingScope(
        _ batch: Spi_V1_ChangeBatch, plan: BatchPlan, gate: (any WriteGate)?, peer: String?, _ db: Connection,
        heldSince: [[UInt8]: Int64] = [:]
    ) throws -> (report: ApplyReport, held: Int) {
        guard let gate else {
            var report = ApplyReport()
            var written: [Int] = []
            _ = try mergeRows(batch, plan: plan, gate: gate, report: &report, db, excluding: [], written: &written)
            return (report, 0)
        }
        var excluded: Set<Int> = []
        // Each retry excludes at least one more row; a row's exclusion can only make others invisible through the
        // rows they hang off, so a few rounds settle any batch.
        for _ in 0...batch.rows.count {
            do {
                return try db.savepoint { db in
                    var report = ApplyReport()
                    var written: [Int] = []
                    let held = try mergeRows(
                        batch, plan: plan, gate: gate, report: &report, db, excluding: excluded, written: &written)
                    guard let own = try gate.receiverScope(db), own != batch.scope else {
                        if !held.isEmpty {
                            try hold(held, plan: plan, batch: batch, peer: peer, db, heldSince: heldSince)
                        }
                        return (report, held.count)
                    }
                    // A batch made for another scope claims no coverage: what it cannot settle now is not held but
                    // dropped, and comes again in a delta made for this replica.
                    for part in held { report.discarded += part.change.cells.count + (part.change.rowVersion ? 1 : 0) }
                    var refused: Set<Int> = []
                    for index in written {
                        let table = plan.tables[Int(batch.rows[index].table)]
                        if try !gate.keeps(table: table.name, id: plan.rowIDs[index], db) {
                            refused.insert(index)
                        }
                    }
                    if !refused.isEmpty { throw ScopeRetry(excluded: refused) }
                    return (report, 0)
                }
            } catch let retry as ScopeRetry {
                // The trial may have numbered new sites: forget what the rollback took back.
                catalog.resetSiteCache()
                excluded.formUnion(retry.excluded)
            }
        }
        throw ReplicationError(.malformed, "a batch's rows could not be placed in this replica's scope")
    }

    /// Judges and merges the rows of a validated batch; returns the row changes (or parts) the gate held, for the
    /// caller to keep aside (``hold(_:plan:batch:peer:_:heldSince:)``). Rows in `excluding` are discarded. Live rows the
    /// merge wrote are listed in `written`, by their index in the batch.
    func mergeRows(
        _ batch: Spi_V1_ChangeBatch, plan: BatchPlan, gate: (any WriteGate)?, report: inout ApplyReport,
        _ db: Connection, excluding: Set<Int>, written: inout [Int]
    ) throws -> [HeldPart] {
        var localSites: [Int64] = [0]
        for site in plan.sites { localSites.append(try catalog.siteIndex(site, db)) }
        var context = MergeContext(plan: plan, localSites: localSites, hasOpenConflicts: try conflictLog.hasOpen(db))
        let judging = gate?.allowsEverything == true ? nil : gate
        var held: [HeldPart] = []
        for (i, incoming) in batch.rows.enumerated() {
            if excluding.contains(i) {
                report.discarded += incoming.cells.count + (incoming.rowVersion ? 1 : 0)
                continue
            }
            let id = plan.rowIDs[i]
            let table = plan.tables[Int(incoming.table)]
            // Read once: the gate and the merge both start from the row as it is here.
            let local = try localRow(RowKey(table: table.index, id: id), table: table, db)
            var change = incoming
            if let judging {
                guard
                    let admitted = try admit(
                        change, id: id, local: local, plan: plan, gate: judging, report: &report, held: &held, db)
                else { continue }
                change = admitted
            }
            if mergesNewRowsInBulk, local.meta == nil, !local.exists, change.cl > 0 {
                // A row new to this replica: nothing here to merge with, only rows to write.
                try insertNew(change, id: id, context: context, report: &report, db)
            } else {
                try merge(change, id: id, local: local, context: &context, report: &report, db)
            }
            if change.cl % 2 == 1, Int64(change.cl) >= local.causalLength { written.append(i) }
        }
        return held
    }

    /// Per-batch state for a merge.
    struct MergeContext {
        var plan: BatchPlan
        var localSites: [Int64]
        var hasOpenConflicts: Bool
        var conflicts = 0
    }

    /// A row's state here before a change is merged: its metadata, and whether it exists in its table.
    struct LocalRow {
        var meta: RowMeta?
        var exists: Bool
        /// The local causal length: a row without metadata is alive when it exists (baseline data).
        var causalLength: Int64 { meta?.causalLength ?? (exists ? 1 : 0) }
    }

    /// Reads a row's local state. Only a row without metadata (baseline data, or a row never seen) is looked up in
    /// its table: for any other, stamping (which every merge runs first) keeps the causal length's parity equal to
    /// the row's presence, and the merge deletes before it re-creates in any case.
    func localRow(_ key: RowKey, table: TrackedTable, _ db: Connection) throws -> LocalRow {
        if let meta = try rowMeta(key, db) {
            return LocalRow(meta: meta, exists: meta.causalLength % 2 == 1)
        }
        return LocalRow(meta: nil, exists: try rowExists(key, table: table, db))
    }

    private func merge(
        _ change: Spi_V1_RowChange, id: String, local: LocalRow, context: inout MergeContext,
        report: inout ApplyReport, _ db: Connection
    ) throws {
        let table = context.plan.tables[Int(change.table)]
        let columnMap = context.plan.columnMaps[Int(change.table)]
        let key = RowKey(table: table.index, id: id)
        let rowSite = context.localSites[Int(change.site)]
        let rowVersion = try catalog.version(clock: Int64(bitPattern: change.hlc), site: rowSite, db)
        let incomingLength = Int64(change.cl)
        let meta = local.meta
        let exists = local.exists
        let localLength = local.causalLength
        let changeCount = change.cells.count + (change.rowVersion ? 1 : 0)

        if incomingLength < localLength {
            report.lost += changeCount
            return
        }
        if incomingLength > localLength {
            // A newer incarnation: a delete, a re-create, or a row seen for the first time.
            // A row with metadata is deleted even when its causal length says it is gone: baseline writes may have
            // put it back. Cell entries are cleared in every case: a baseline row (no metadata) can have some.
            if exists { try keepLastValues(key, table: table, db) }
            if meta != nil || exists { try catalog.deleteRow(key, table: table, db) }
            try deleteCellEntries(key, db)
            if incomingLength % 2 == 0 {
                try setRowMeta(
                    key, RowMeta(causalLength: incomingLength, clock: Int64(bitPattern: change.hlc), site: rowSite), db)
                report.applied += max(1, changeCount)
                return
            }
            let base =
                change.rowVersion
                ? RowMeta(causalLength: incomingLength, clock: Int64(bitPattern: change.hlc), site: rowSite)
                : RowMeta(causalLength: incomingLength, clock: 0, site: 0)
            try setRowMeta(key, base, db)
            var values: [(Int, DatabaseValue)] = []
            var carriedAtBase = Set<Int>()
            for cell in change.cells {
                let column = columnMap[Int(cell.column)]
                let value = BatchBuilder.value(of: cell) ?? .null
                values.append((column, value))
                let entry = cellEntry(cell, row: change, context: context)
                if entry.clock == base.clock && entry.site == base.site {
                    carriedAtBase.insert(column)
                } else {
                    try setCellEntry(key, column: column, entry, db)
                }
            }
            try catalog.insertRow(key, table: table, values: Self.lastValuePerColumn(values), db)
            if base.clock != 0 || base.site != 0 {
                // Columns this change does not carry hold defaults that nobody wrote: give them the zero version,
                // so that any real write to them wins.
                let written = Set(values.map(\.0))
                for column in table.columns.indices where !written.contains(column) && !carriedAtBase.contains(column) {
                    try setCellEntry(key, column: column, CellEntry(clock: 0, site: 0, priorClock: 0, priorSite: 0), db)
                }
            }
            report.applied += changeCount
            return
        }
        // Same incarnation.
        guard incomingLength % 2 == 1 else {
            if change.rowVersion, let meta, try rowVersion > catalog.version(clock: meta.clock, site: meta.site, db) {
                try setRowMeta(
                    key, RowMeta(causalLength: meta.causalLength, clock: Int64(bitPattern: change.hlc), site: rowSite),
                    db)
            }
            report.alreadyKnown += changeCount
            return
        }
        var base = meta ?? RowMeta(causalLength: 1, clock: 0, site: 0)
        var entries = try cellEntries(key, db)
        if change.rowVersion {
            let baseVersion = try catalog.version(clock: base.clock, site: base.site, db)
            if rowVersion > baseVersion {
                // Two sites created the same row (a derived id): the newer creation's version becomes the base.
                // Cells that inherited the old base keep it as an entry of their own.
                for column in table.columns.indices where entries[column] == nil {
                    let entry = CellEntry(clock: base.clock, site: base.site, priorClock: 0, priorSite: 0)
                    try setCellEntry(key, column: column, entry, db)
                    entries[column] = entry
                }
                base = RowMeta(causalLength: base.causalLength, clock: Int64(bitPattern: change.hlc), site: rowSite)
                try setRowMeta(key, base, db)
                report.applied += 1
            } else if rowVersion == baseVersion {
                report.alreadyKnown += 1
            } else {
                report.lost += 1
            }
        }
        // Winning values are written with one UPDATE per row, and their entries, after the loop. A column repeated
        // in one change (only a forged batch does that) must be judged against the value the table then holds, as
        // stored (an integer in a REAL column reads back as a real): its pending write is flushed and read back.
        var written: [Int: DatabaseValue] = [:]
        var entryChanges: [Int: CellEntry?] = [:]
        func flushWritten() throws {
            guard !written.isEmpty else { return }
            try catalog.updateRow(key, table: table, values: written.sorted { $0.key < $1.key }, db)
            written.removeAll()
        }
        func current(_ column: Int) throws -> DatabaseValue {
            if written[column] != nil { try flushWritten() }
            return try catalog.cellValue(key, table: table, column: column, db) ?? .null
        }
        for cell in change.cells {
            let column = columnMap[Int(cell.column)]
            let value = BatchBuilder.value(of: cell) ?? .null
            let incoming = cellEntry(cell, row: change, context: context)
            let local = entries[column] ?? CellEntry(clock: base.clock, site: base.site, priorClock: 0, priorSite: 0)
            let incomingVersion = try catalog.version(clock: incoming.clock, site: incoming.site, db)
            let localVersion = try catalog.version(clock: local.clock, site: local.site, db)
            var wins = incomingVersion > localVersion
            if incomingVersion == localVersion {
                // Only a broken or forged peer sends two values under one version; the larger value wins everywhere.
                wins = try value > current(column)
                if !wins {
                    report.alreadyKnown += 1
                    continue
                }
            }
            let concurrent = try isConcurrent(local, incoming, db)
            if concurrent {
                let current = try current(column)
                if current != value {
                    let (winner, loser) =
                        wins
                        ? ((value, incomingVersion), (current, localVersion))
                        : ((current, localVersion), (value, incomingVersion))
                    if try conflictLog.record(table: table, id: id, column: column, winner: winner, loser: loser, db) {
                        report.conflicts += 1
                    }
                }
            }
            guard wins else {
                report.lost += 1
                continue
            }
            written[column] = value
            if incoming.clock == base.clock && incoming.site == base.site {
                if entries[column] != nil {
                    entryChanges[column] = .some(nil)
                    entries[column] = nil
                }
            } else {
                entryChanges[column] = .some(incoming)
                entries[column] = incoming
            }
            if !concurrent && context.hasOpenConflicts {
                try conflictLog.resolve(table: table, id: id, column: column, clock: incoming.clock, db)
            }
            report.applied += 1
        }
        try flushWritten()
        for (column, entry) in entryChanges.sorted(by: { $0.key < $1.key }) {
            if let entry {
                try setCellEntry(key, column: column, entry, db)
            } else {
                try db.execute(
                    "DELETE FROM _spi_clock WHERE tbl = ? AND id = ? AND col = ?",
                    [.integer(key.table), key.stored, .integer(Int64(column))])
            }
        }
    }

    /// Merges a change of a row new to this replica (no metadata here, not in its table) through ``NewRowWriter``:
    /// what ``merge(_:id:local:context:report:_:)`` writes for such a row (a create, a re-create at a higher causal
    /// length, cells without a row version, or a delete), without reading anything more.
    private func insertNew(
        _ change: Spi_V1_RowChange, id: String, context: MergeContext, report: inout ApplyReport, _ db: Connection
    ) throws {
        let table = context.plan.tables[Int(change.table)]
        let columnMap = context.plan.columnMaps[Int(change.table)]
        let key = RowKey(table: table.index, id: id)
        let rowSite = context.localSites[Int(change.site)]
        let length = Int64(change.cl)
        let clock = Int64(bitPattern: change.hlc)
        let changeCount = change.cells.count + (change.rowVersion ? 1 : 0)
        if length % 2 == 0 {
            try newRows.insertDeleted(key, causalLength: length, clock: clock, site: rowSite, db)
            report.applied += max(1, changeCount)
            return
        }
        let base =
            change.rowVersion
            ? RowMeta(causalLength: length, clock: clock, site: rowSite)
            : RowMeta(causalLength: length, clock: 0, site: 0)
        var cells: [NewRowWriter.Cell] = []
        cells.reserveCapacity(change.cells.count)
        for cell in change.cells {
            cells.append(
                NewRowWriter.Cell(
                    column: columnMap[Int(cell.column)], value: BatchBuilder.value(of: cell) ?? .null,
                    entry: cellEntry(cell, row: change, context: context)))
        }
        try newRows.insertLive(key, table: table, causalLength: length, base: base, cells: cells, db)
        report.applied += changeCount
    }

    /// The local form of an incoming cell's version and prior.
    private func cellEntry(_ cell: Spi_V1_CellChange, row: Spi_V1_RowChange, context: MergeContext) -> CellEntry {
        let clock = cell.hlc != 0 ? cell.hlc : row.hlc
        let site = context.localSites[Int(cell.site != 0 ? cell.site : row.site)]
        return CellEntry(
            clock: Int64(bitPattern: clock), site: site,
            priorClock: Int64(bitPattern: cell.priorHlc), priorSite: context.localSites[Int(cell.priorSite)])
    }

    /// Whether two versions of a cell were written without either writer having seen the other.
    ///
    /// A write's prior is the last version from another site that its writer replaced. `a` happened before `b` when
    /// both come from one site, when `b`'s prior is `a`, or when `b`'s prior is a later write by `a`'s site.
    func isConcurrent(_ a: CellEntry, _ b: CellEntry, _ db: Connection) throws -> Bool {
        if (a.clock == 0 && a.site == 0) || (b.clock == 0 && b.site == 0) { return false }
        if a.site == b.site { return false }
        func happenedBefore(_ x: CellEntry, _ y: CellEntry) -> Bool {
            y.priorSite == x.site && y.priorClock >= x.clock
        }
        return !happenedBefore(a, b) && !happenedBefore(b, a)
    }

    /// Keeps the last value given for each column (a forged batch may repeat a column).
    static func lastValuePerColumn(_ values: [(Int, DatabaseValue)]) -> [(Int, DatabaseValue)] {
        // Almost always no column repeats: check with a bit mask before building a set.
        var mask: UInt64 = 0
        var repeated = false
        for (column, _) in values {
            let bit: UInt64 = column < 64 ? 1 << UInt64(column) : 0
            if bit == 0 || mask & bit != 0 {
                repeated = true
                break
            }
            mask |= bit
        }
        if !repeated { return values }
        var seen = Set<Int>()
        var result: [(Int, DatabaseValue)] = []
        for (column, value) in values.reversed() where seen.insert(column).inserted {
            result.append((column, value))
        }
        return result.reversed()
    }
}
