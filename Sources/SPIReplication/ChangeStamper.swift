import Foundation
import SPISQLite

/// Capture and stamping for a replica: logs each local write to the tracked tables (by the capture triggers, or by
/// the pre-update hook inside ``Replica/write(_:)``), gives each write transaction its clock reading, and turns the
/// capture log into versions (`_spi_row`, `_spi_clock`) in bulk before anything reads them.
///
/// ```swift
/// try db.transaction(.immediate) { db in
///     let result = try stamper.withHookCapture(db, body)
///     try stamper.markPendingChanges(db)   // the write's clock reading; versions wait for the next stamp
///     return result
/// }
/// try db.transaction(.immediate) { db in try stamper.stampPendingChanges(db) }
/// ```
///
/// It holds what only capture and stamping need: the hook capture, the fallback signal of the fast stamping path,
/// and the limits. Like the connection, it is not `Sendable`: the replica that owns it serialises its use.
final class ChangeStamper {
    /// The connection the replica's writes run on.
    let connection: Connection
    /// The tracked tables whose writes are captured.
    let catalog: ReplicaCatalog
    /// The conflict log: stamping settles the conflicts of the cells a local write rewrote.
    let conflictLog: ConflictLog
    /// Raised by `spi_stamp_fallback` during stamping (see ``stampPendingChanges(_:)``).
    let stampSignal: StampFallbackSignal
    /// The pre-update hook capture of this connection; nil when read-only or when SQLite lacks the hook.
    let hookCapture: ChangeCapture?
    /// Whether ``hookCapture`` may be used with the tables as loaded (see ``configureHookCapture()``).
    var hookCaptureEligible = false
    /// See ``Replica/capturesWithPreUpdateHook``.
    var capturesWithPreUpdateHook = true
    /// See ``Replica/pendingStampLimit``.
    var pendingStampLimit = 50_000
    /// The local time source, in milliseconds since 1970 (see ``Replica/now``).
    var now: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// Prepares stamping on the catalog's connection (its SQL functions and temporary tables) and the hook capture
    /// for the tables as loaded.
    init(catalog: ReplicaCatalog, conflictLog: ConflictLog) throws {
        let db = catalog.connection
        self.connection = db
        self.catalog = catalog
        self.conflictLog = conflictLog
        self.stampSignal = try Self.prepareConnection(db)
        self.hookCapture = db.isReadOnly ? nil : ChangeCapture(connection: db)
        try configureHookCapture()
    }

    /// Registers the SQL functions and the temporary tables that stamping uses on this connection.
    ///
    /// - `spi_key(id)`: the stored form of a row id (16 bytes for a canonical lowercase UUID, else the text).
    /// - `spi_stamp_fallback(seq)`: raises the returned signal and yields 0 (false); the fast stamping path calls it
    ///   for an update it cannot stamp. It takes the log entry's sequence number only so that SQLite calls it per row
    ///   (a deterministic function of constants could be evaluated once per statement).
    /// - `temp._spi_stamp`: the per-row fold of the capture log.
    /// - `temp._spi_bits`: the column numbers 0 to 62, keyed by their mask bit, so that a join visits only the bits
    ///   between a mask's lowest and highest set bit.
    ///
    /// None of these is used by the capture triggers, which must work in any SQLite client.
    private static func prepareConnection(_ db: Connection) throws -> StampFallbackSignal {
        let signal = StampFallbackSignal()
        // The same mapping as `RowKey.stored`, in C (see `Connection.createUUIDKeyFunction`).
        try db.createUUIDKeyFunction("spi_key")
        try db.createFunction("spi_stamp_fallback", argumentCount: 1) { _ in
            signal.fallback = true
            return .integer(0)
        }
        try db.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS _spi_stamp (
                tbl INTEGER NOT NULL, id ANY NOT NULL, ins INTEGER, del INTEGER, mask INTEGER,
                present INTEGER, PRIMARY KEY (tbl, id)) STRICT, WITHOUT ROWID;
            CREATE TEMP TABLE IF NOT EXISTS _spi_bits (bit INTEGER PRIMARY KEY, col INTEGER NOT NULL) STRICT;
            WITH RECURSIVE n(col) AS (SELECT 0 UNION ALL SELECT col + 1 FROM n WHERE col < 62)
            INSERT OR IGNORE INTO temp._spi_bits(bit, col) SELECT 1 << col, col FROM n;
            """)
        return signal
    }

    /// Reloads the tracked tables when the schema changed since they were loaded, and describes them to the hook
    /// again.
    func refreshTables() throws {
        if try catalog.refreshIfSchemaChanged() { try configureHookCapture() }
    }
}

@available(*, unavailable)
extension ChangeStamper: Sendable {}
