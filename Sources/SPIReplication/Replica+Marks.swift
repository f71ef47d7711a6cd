import Foundation
import SPISQLite

/// Refusal marks (protocol/changes.md §8): a replica that refuses a version of a cell or row keeps a mark of it, so
/// that it can ask other replicas for an accepted version the refused one superseded at its origin. An origin keeps
/// only the newest version of each cell it wrote, so when its newest is refused, a replica that never received the
/// one before it would otherwise keep an older value than a replica that did, for good: its knowledge already claims
/// the origin's clocks past both.
extension Replica {
    /// The most refusal marks a batch may carry.
    static let markLimit = 4_096

    /// A refusal mark as stored: the cell (`column`, or -1 for the row's life) and the newest version refused.
    struct RefusalMarkRow {
        var key: RowKey
        var column: Int
        var version: Version
        var causalLength: UInt64
    }

    /// Whether the file has the mark store (created when a file is opened for writing).
    static func hasMarkStore(_ db: Connection) throws -> Bool {
        try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = '_spi_mark'") == .integer(1)
    }

    /// Whether this replica holds any refusal mark.
    func hasRefusalMarks(_ db: Connection) throws -> Bool {
        try Self.hasMarkStore(db) && db.scalar("SELECT EXISTS (SELECT 1 FROM _spi_mark)") == .integer(1)
    }

    /// Records that `origin`'s version at `clock` of a cell (`column`; nil for the row's life, with the change's
    /// causal length) was refused here, keeping the newest refused version per cell.
    func markRefused(
        table: TrackedTable, id: String, column: Int?, origin: SiteID, clock: UInt64, causalLength: UInt64,
        _ db: Connection
    ) throws {
        let key = RowKey(table: table.index, id: id)
        let incoming = Version(clock: HybridLogicalClock(rawValue: clock), site: origin)
        let col = Int64(column ?? -1)
        if let existing = try storedMark(key, column: col, db) {
            let newer =
                column == nil
                ? (causalLength, incoming) > (existing.causalLength, existing.version)
                : incoming > existing.version
            guard newer else { return }
        }
        try db.execute(
            "INSERT OR REPLACE INTO _spi_mark(tbl, id, col, site, hlc, cl) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .integer(key.table), key.stored, .integer(col), .integer(try catalog.siteIndex(origin, db)),
                .integer(Int64(bitPattern: clock)), .integer(Int64(bitPattern: causalLength)),
            ])
    }

    private func storedMark(_ key: RowKey, column: Int64, _ db: Connection) throws -> RefusalMarkRow? {
        try marks(of: key, db).first { $0.column == Int(column) }
    }

    /// Reads a `_spi_mark` row selected as `tbl, id, col, site, hlc, cl`.
    private func markRow(_ row: [DatabaseValue], _ db: Connection) throws -> RefusalMarkRow {
        RefusalMarkRow(
            key: RowKey(table: row[0].integerValue ?? 0, id: RowKey.id(from: row[1])),
            column: Int(row[2].integerValue ?? -1),
            version: try catalog.version(clock: row[4].integerValue ?? 0, site: row[3].integerValue ?? 0, db),
            causalLength: UInt64(bitPattern: row[5].integerValue ?? 0))
    }

    /// The marks of one row's cells and life.
    private func marks(of key: RowKey, _ db: Connection) throws -> [RefusalMarkRow] {
        try db.rows(
            "SELECT tbl, id, col, site, hlc, cl FROM _spi_mark WHERE tbl = ? AND id = ?",
            [.integer(key.table), key.stored]
        ).map { try markRow($0, db) }
    }

    /// Every mark here, newest refused version first.
    func refusalMarks(limit: Int, _ db: Connection) throws -> [RefusalMarkRow] {
        guard try Self.hasMarkStore(db) else { return [] }
        return try db.rows(
            "SELECT tbl, id, col, site, hlc, cl FROM _spi_mark ORDER BY hlc DESC, tbl, id, col LIMIT ?",
            [.integer(Int64(limit))]
        ).map { try markRow($0, db) }
    }

    /// The version this replica holds of a mark's cell or row, with the row's causal length; nil when a cell mark no
    /// longer matters (its row is not alive here).
    func heldVersion(of mark: RefusalMarkRow, _ db: Connection) throws -> (version: Version, causalLength: UInt64)? {
        let meta = try rowMeta(mark.key, db)
        if mark.column < 0 {
            guard let meta else { return (.zero, 0) }
            return (try catalog.version(clock: meta.clock, site: meta.site, db), UInt64(meta.causalLength))
        }
        guard let meta, meta.isAlive else { return nil }
        if let entry = try cellEntries(mark.key, db)[mark.column] {
            return (try catalog.version(clock: entry.clock, site: entry.site, db), UInt64(meta.causalLength))
        }
        return (try catalog.version(clock: meta.clock, site: meta.site, db), UInt64(meta.causalLength))
    }

    /// Whether a mark still says something: what this replica holds is older than the refused version.
    func isOpen(_ mark: RefusalMarkRow, held: (version: Version, causalLength: UInt64)?) -> Bool {
        guard let held else { return false }
        return Knowledge.Want.precedes(held, (mark.version, mark.causalLength), row: mark.column < 0)
    }

    /// The wants of this replica's knowledge: its open marks, newest first, at most ``Knowledge/wantLimit``.
    func wants(_ db: Connection) throws -> [Knowledge.Want] {
        var result: [Knowledge.Want] = []
        for mark in try refusalMarks(limit: 4 * Knowledge.wantLimit, db) {
            guard result.count < Knowledge.wantLimit, let table = tablesByIndex[mark.key.table],
                mark.column < table.columns.count
            else { continue }
            let held = try heldVersion(of: mark, db)
            guard isOpen(mark, held: held), let held else { continue }
            result.append(
                Knowledge.Want(
                    table: table.name, id: mark.key.id, column: mark.column < 0 ? nil : table.columns[mark.column].name,
                    held: held.version, heldCausalLength: held.causalLength, mark: mark.version,
                    markCausalLength: mark.causalLength))
        }
        return result
    }

    /// Drops the marks of the batch's rows that this replica has outgrown: it holds the refused version's cell or row
    /// at that version or a newer one, or the marked cell's row is gone.
    func pruneMarks(of batch: Spi_V1_ChangeBatch, plan: BatchPlan, _ db: Connection) throws {
        guard try hasRefusalMarks(db) else { return }
        var keys = Set<RowKey>()
        for (i, row) in batch.rows.enumerated() {
            keys.insert(RowKey(table: plan.tables[Int(row.table)].index, id: plan.rowIDs[i]))
        }
        for key in keys {
            for mark in try marks(of: key, db) where try !isOpen(mark, held: heldVersion(of: mark, db)) {
                try db.execute(
                    "DELETE FROM _spi_mark WHERE tbl = ? AND id = ? AND col = ?",
                    [.integer(key.table), key.stored, .integer(Int64(mark.column))])
            }
        }
    }

    /// Stores the marks a batch carries (each kept only when newer than this replica's own mark of the cell).
    func storeMarks(_ batch: Spi_V1_ChangeBatch, plan: BatchPlan, _ db: Connection) throws {
        for mark in batch.marks {
            let table = plan.tables[Int(mark.table)]
            let column = mark.column.isEmpty ? nil : table.columnIndex[mark.column]
            guard let id = mark.idText else { continue }
            try markRefused(
                table: table, id: id, column: column, origin: plan.sites[Int(mark.site) - 1], clock: mark.hlc,
                causalLength: mark.cl, db)
        }
    }

    /// Checks a batch's marks: references in range, known columns, a clock. Called by ``validate(_:checkingClocks:)``.
    func validateMarks(_ batch: Spi_V1_ChangeBatch, tables: [TrackedTable], sites: Int) throws {
        func malformed(_ message: String) -> ReplicationError {
            ReplicationError(.malformed, "invalid change batch: \(message)")
        }
        guard batch.marks.count <= Self.markLimit else {
            throw malformed("\(batch.marks.count) refusal marks, more than \(Self.markLimit)")
        }
        for (n, mark) in batch.marks.enumerated() {
            guard Int(mark.table) < tables.count else {
                throw malformed("refusal mark \(n) names table number \(mark.table)")
            }
            guard let id = mark.idText, !id.isEmpty, id.utf8.count <= 512 else {
                throw malformed("refusal mark \(n) has no valid id")
            }
            guard mark.column.isEmpty || tables[Int(mark.table)].columnIndex[mark.column] != nil else {
                throw malformed(
                    "refusal mark \(n) names column \"\(mark.column)\", which \(tables[Int(mark.table)].name) does not have"
                )
            }
            guard mark.site >= 1, Int(mark.site) <= sites, mark.hlc > 0 else {
                throw malformed("refusal mark \(n) names site number \(mark.site) or has no clock")
            }
        }
    }

    // MARK: - Sending

    /// Adds to the first batch of a delta the answers to the peer's wants (each wanted cell or row this replica holds
    /// at a version between the peer's and the peer's refused one, when the peer may see the row) and the marks the
    /// peer lacks (those whose refused version is newer than the peer's knowledge of its site).
    func addRepairs(_ cursor: DeltaCursor, to builder: inout BatchBuilder, _ db: Connection) throws {
        /// Whether the peer may see the row, and whether it entered the peer's scope (is sent whole).
        func scope(_ key: RowKey) throws -> (visible: Bool, entered: Bool) {
            guard cursor.isScoped else { return (true, false) }
            let entered = try db.rows(
                "SELECT entered FROM temp._spi_visible WHERE tbl = ? AND id = ?", [.integer(key.table), key.stored]
            ).first?[0]
            return (entered != nil, (entered?.integerValue ?? 0) != 0)
        }
        func visible(_ key: RowKey) throws -> Bool { try scope(key).visible }
        func relayed(_ site: SiteID?) -> Bool {
            guard let origins = cursor.origins, let site else { return true }
            return origins.contains(site)
        }
        for want in cursor.peer.wants {
            guard let table = tablesByName[want.table] else { continue }
            let key = RowKey(table: table.index, id: want.id)
            guard let meta = try rowMeta(key, db) else { continue }
            let causalLength = UInt64(meta.causalLength)
            if let name = want.column {
                guard meta.isAlive, let column = table.columnIndex[name], try visible(key) else { continue }
                let entry = try cellEntries(key, db)[column]
                let clock = entry?.clock ?? meta.clock
                let siteIndex = entry?.site ?? meta.site
                let version = try catalog.version(clock: clock, site: siteIndex, db)
                guard want.answers(version, causalLength: causalLength), let site = version.site, relayed(site) else {
                    continue
                }
                try builder.addCell(
                    .init(clock: clock, table: table.index, id: want.id, column: Int64(column)),
                    prior: (entry?.priorClock ?? 0, entry?.priorSite ?? 0), site: site, replica: self, db)
            } else {
                let version = try catalog.version(clock: meta.clock, site: meta.site, db)
                guard want.answers(version, causalLength: causalLength), let site = version.site, relayed(site) else {
                    continue
                }
                if meta.isAlive {
                    guard try visible(key) else { continue }
                    try addWholeRow(key, to: &builder, db)
                } else {
                    try builder.addRow(
                        .init(clock: meta.clock, table: table.index, id: want.id), causalLength: meta.causalLength,
                        site: site, replica: self, db)
                }
            }
        }
        for mark in try refusalMarks(limit: Knowledge.wantLimit, db) {
            // Marks the peer has no reason to have: it has not received their refused version, or the row is sent
            // to it whole (it entered its scope, and its knowledge was claimed without it).
            guard let site = mark.version.site, relayed(site), let table = tablesByIndex[mark.key.table],
                mark.column < table.columns.count
            else { continue }
            // A mark of a row this replica does not hold (it refused the row's life) travels where the peer may see
            // every row of the table: the peer's coverage of the refused version's site, claimed from this replica,
            // must come with the mark, or a version of the row this replica receives later never reaches it.
            let scope = try scope(mark.key)
            guard scope.visible || cursor.openTables.contains(mark.key.table),
                mark.version.clock.rawValue > cursor.peer[site] || scope.entered
            else { continue }
            builder.addMark(
                table: table, id: mark.key.id, column: mark.column < 0 ? nil : table.columns[mark.column].name,
                site: site, clock: mark.version.clock.rawValue, causalLength: mark.causalLength)
        }
    }
}
