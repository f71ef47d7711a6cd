import Crypto
import SPISQLite

/// The conflict log of a replica (`_spi_conflict`): the concurrent edits that merges resolved, which stay open until
/// a later edit of their cell supersedes both values.
///
/// A merge records each pair it resolves (``record(table:id:column:winner:loser:_:)``) and settles the open
/// conflicts of the cells it writes (``resolve(table:id:column:clock:_:)``); stamping settles those of the cells local
/// writes rewrote (``resolveWritten(after:upTo:clock:_:)``); ``Replica/conflicts(includeResolved:)`` lists them. Every
/// method runs in the caller's transaction.
///
/// ```swift
/// if try log.hasOpen(db) { try log.resolve(table: table, id: id, column: 2, clock: clock, db) }
/// ```
///
/// Like the connection, it is not `Sendable`: the replica that owns it serialises its use.
final class ConflictLog {
    /// The tracked tables, by which a conflict names its cell.
    let catalog: ReplicaCatalog

    /// The conflict log of the replica whose tables `catalog` describes.
    init(catalog: ReplicaCatalog) {
        self.catalog = catalog
    }

    /// Whether any conflict is open (a merge or a stamp with none open skips settling them).
    func hasOpen(_ db: Connection) throws -> Bool {
        try db.scalar("SELECT EXISTS (SELECT 1 FROM _spi_conflict WHERE resolved_hlc IS NULL)") == .integer(1)
    }

    /// The conflicts in the log: open ones, or all of them, in the order they were detected.
    func conflicts(includeResolved: Bool, _ db: Connection) throws -> [Conflict] {
        var result: [Conflict] = []
        let sql = """
            SELECT id, tbl, row_id, col, winner_value, winner_hlc, winner_site, loser_value, loser_hlc, loser_site,
                detected_hlc, resolved_hlc
            FROM _spi_conflict \(includeResolved ? "" : "WHERE resolved_hlc IS NULL")
            ORDER BY detected_hlc, id
            """
        try db.forEachRow(sql) { row in
            func side(_ offset: Int32) -> Conflict.Side {
                Conflict.Side(
                    value: row.value(offset),
                    clock: HybridLogicalClock(rawValue: UInt64(bitPattern: row.int64(offset + 1))),
                    site: row.blob(offset + 2).flatMap { SiteID(bytes: $0) })
            }
            result.append(
                Conflict(
                    id: row.text(0) ?? "", table: row.text(1) ?? "", rowID: row.text(2) ?? "",
                    column: row.text(3) ?? "",
                    winner: side(4), loser: side(7),
                    detected: HybridLogicalClock(rawValue: UInt64(bitPattern: row.int64(10))),
                    resolved: row.isNull(11) ? nil : HybridLogicalClock(rawValue: UInt64(bitPattern: row.int64(11)))
                ))
        }
        return result
    }

    /// The cell of an open conflict: its table, row id and column names.
    ///
    /// - Throws: `ReplicationError.Code.notFound` when no open conflict has this id.
    func openCell(_ id: String, _ db: Connection) throws -> (table: String, rowID: String, column: String) {
        guard
            let row = try db.rows(
                "SELECT tbl, row_id, col FROM _spi_conflict WHERE id = ? AND resolved_hlc IS NULL", [.text(id)]
            ).first,
            let tableName = row[0].textValue, let rowID = row[1].textValue, let columnName = row[2].textValue
        else {
            throw ReplicationError(.notFound, "no open conflict has the id \(id); see `spi conflicts`")
        }
        return (tableName, rowID, columnName)
    }

    /// Records a concurrent edit in the conflict log. Both replicas that see the pair compute the same id, so the
    /// logs agree. Returns false when it was already recorded.
    func record(
        table: TrackedTable, id: String, column: Int, winner: (DatabaseValue, Version), loser: (DatabaseValue, Version),
        _ db: Connection
    ) throws -> Bool {
        let name = table.columns[column].name
        func siteText(_ site: SiteID?) -> String { site.map { UUIDText.string($0.bytes) } ?? "" }
        let identity =
            "\(table.name)|\(id)|\(name)|\(winner.1.clock.rawValue)|\(siteText(winner.1.site))|"
            + "\(loser.1.clock.rawValue)|\(siteText(loser.1.site))"
        let digest = UUIDText.hex(SHA256.hash(data: Array(identity.utf8)).prefix(16))
        try db.execute(
            """
            INSERT OR IGNORE INTO _spi_conflict(id, tbl, row_id, col, winner_value, winner_hlc, winner_site,
                loser_value, loser_hlc, loser_site, detected_hlc)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT value FROM _spi_meta WHERE key = 'clock.last'))
            """,
            [
                .text(digest), .text(table.name), .text(id), .text(name),
                winner.0, .integer(Int64(bitPattern: winner.1.clock.rawValue)), .blob(winner.1.site?.bytes ?? []),
                loser.0, .integer(Int64(bitPattern: loser.1.clock.rawValue)), .blob(loser.1.site?.bytes ?? []),
            ])
        return db.changes > 0
    }

    /// Marks the open conflicts of one cell resolved: a merge wrote it with a version that is not concurrent to them.
    func resolve(table: TrackedTable, id: String, column: Int, clock: Int64, _ db: Connection) throws {
        try db.execute(
            "UPDATE _spi_conflict SET resolved_hlc = ? WHERE tbl = ? AND row_id = ? AND col = ? AND resolved_hlc IS NULL",
            [.integer(clock), .text(table.name), .text(id), .text(table.columns[column].name)])
    }

    /// Marks open conflicts resolved when a group of the capture log (`after+1 ... upTo`) rewrites their cell (or deletes or re-creates their
    /// row).
    ///
    /// Driven by the group: each captured row is looked up among the open conflicts by its key (the join order is
    /// fixed, so that SQLite never scans the log once per open conflict; a merge can leave hundreds of thousands of
    /// them open).
    func resolveWritten(after: Int64, upTo: Int64, clock: Int64, _ db: Connection) throws {
        var resolved = Set<String>()
        try db.forEachRow(Self.writtenSQL, [.integer(after), .integer(upTo)]) { row in
            guard let table = catalog.tablesByName[row.text(1) ?? ""], let column = table.columnIndex[row.text(2) ?? ""]
            else { return }
            // Inserted, deleted, or this column updated.
            if row.int64(3) != 2 || (row.int64(4) >> Int64(column)) & 1 == 1 {
                resolved.insert(row.text(0) ?? "")
            }
        }
        for id in resolved.sorted() {
            try db.execute("UPDATE _spi_conflict SET resolved_hlc = ? WHERE id = ?", [.integer(clock), .text(id)])
        }
    }

    /// The open conflicts on rows a range of the log wrote, with each write's operation and mask (`CROSS JOIN`
    /// keeps the log as the outer loop).
    static let writtenSQL = """
        SELECT f.id, f.tbl, f.col, c.op, c.mask
        FROM _spi_capture c CROSS JOIN _spi_table t ON t.idx = c.tbl
            CROSS JOIN _spi_conflict f ON f.tbl = t.name AND f.row_id = c.id AND f.resolved_hlc IS NULL
        WHERE c.seq > ?1 AND c.seq <= ?2 AND c.op <> 0
        """
}

@available(*, unavailable)
extension ConflictLog: Sendable {}
