import Foundation
import SPISQLite

/// One entry of the local refusal log: a change refused by a ``WriteGate``, when, and from which peer.
public struct RefusalLogEntry: Sendable, Hashable {
    /// When it was refused, in milliseconds since 1970.
    public var refusedAtMilliseconds: Int64
    /// The peer that sent it (as the transport named it), or nil for a change-set file.
    public var peer: String?
    /// The change and the reason.
    public var refusal: Refusal
}

extension Replica {
    /// Appends refusals to the local log (`_spi_refusal`; local, never replicated).
    func logRefusals(_ refusals: [Refusal], peer: String?, _ db: Connection) throws {
        try ensureRefusalLog(db)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for refusal in refusals {
            try db.execute(
                """
                INSERT INTO _spi_refusal(at_ms, peer, origin, tbl, row_id, columns, reason, count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(now), peer.map { .text($0) } ?? .null, .blob(refusal.origin.bytes), .text(refusal.table),
                    .text(refusal.id), .text(refusal.columns.joined(separator: ",")), .text(refusal.reason),
                    .integer(Int64(refusal.count)),
                ])
        }
    }

    private func ensureRefusalLog(_ db: Connection) throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS _spi_refusal (
                seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, peer TEXT, origin BLOB NOT NULL, tbl TEXT NOT NULL,
                row_id TEXT NOT NULL, columns TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL) STRICT
            """)
    }

    /// The newest entries of the local refusal log, newest first.
    public func refusalLog(limit: Int = 100) throws -> [RefusalLogEntry] {
        try read { db in
            guard try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = '_spi_refusal'") == .integer(1) else {
                return []
            }
            var entries: [RefusalLogEntry] = []
            try db.forEachRow(
                "SELECT at_ms, peer, origin, tbl, row_id, columns, reason, count FROM _spi_refusal ORDER BY seq DESC LIMIT ?",
                [.integer(Int64(limit))]
            ) { row in
                guard case .blob(let bytes) = row.value(2), let origin = SiteID(bytes: bytes) else { return }
                let columns = (row.text(5) ?? "").split(separator: ",").map(String.init)
                entries.append(
                    RefusalLogEntry(
                        refusedAtMilliseconds: row.int64(0), peer: row.text(1),
                        refusal: Refusal(
                            table: row.text(3) ?? "", id: row.text(4) ?? "", origin: origin, columns: columns,
                            reason: row.text(6) ?? "", count: Int(row.int64(7)))))
            }
            return entries
        }
    }
}
