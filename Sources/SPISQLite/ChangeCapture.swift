import CSPICapture
import CSQLite

/// Records the row changes a connection makes to chosen tables with SQLite's pre-update hook, as change-log
/// entries: the table's number, the row's key, the operation (insert, update, delete) and, for an update, the mask
/// of columns whose value changed.
///
/// It is the in-process counterpart of capture triggers, and logs what such triggers log: an insert as one insert
/// entry, an update as one update entry with the mask of columns for which `OLD.c IS NOT NEW.c` (and, where
/// ``Column/comparesStorageClass`` is set, whose storage class changed), a change of key as a delete of the old key
/// and an insert of the new one, and a delete as one delete entry. A delete that `REPLACE` conflict resolution
/// makes to let a row with the same key in is not logged, since a trigger never sees it (delete triggers fire for
/// it only with `recursive_triggers` on): the hook reports it just before the insert or re-key that replaces the
/// row, in the same statement (counted with a statement trace), and the capture drops it then. It costs a
/// fraction of a microsecond per row, in C, where a trigger runs a program and a statement per row.
///
/// It records only inside ``record(_:)``, and only on its own connection; turn that connection's triggers off
/// meanwhile so that changes are not logged twice. ``flush(into:)`` writes the entries not written yet through an
/// INSERT of the caller's (in the same transaction as the changes); all entries stay in memory until ``discard()``.
///
/// Memory cannot follow a rollback: when a statement fails, or a `ROLLBACK` (to a savepoint), `ALTER` or `DROP`
/// runs while recording, some entries may describe changes that were undone, and log rows already flushed may have
/// been rolled back with a savepoint. ``isExact`` then turns false for the rest of the recording, and the caller must
/// reconcile all of ``entries`` with the rows as they are (every changed row has an entry, but not every entry is a
/// change).
///
/// ```swift
/// guard let capture = ChangeCapture(connection: db) else { return } // this SQLite has no pre-update hook
/// try capture.configure([.init(name: "party", number: 1, keyColumn: 0, columns: [.init(index: 1, bit: 0)])])
/// try db.transaction { db in
///     try capture.record { try db.execute("UPDATE party SET name = 'Contoso'") }
///     try capture.flush(into: db.cached("INSERT INTO log(tbl, id, op, mask) VALUES (?, ?, ?, ?)"))
/// }
/// ```
public final class ChangeCapture {
    /// A table to capture.
    public struct Table: Sendable, Equatable {
        /// The table's name in the `main` schema.
        public var name: String
        /// The number entries carry for it.
        public var number: Int64
        /// The index (as `pragma_table_xinfo`'s `cid`) of its key column.
        public var keyColumn: Int32
        /// The columns an update's mask covers.
        public var columns: [Column]

        /// Creates a table description.
        public init(name: String, number: Int64, keyColumn: Int32, columns: [Column]) {
            self.name = name
            self.number = number
            self.keyColumn = keyColumn
            self.columns = columns
        }
    }

    /// A column an update's mask covers.
    public struct Column: Sendable, Equatable {
        /// Its index in the table (as `pragma_table_xinfo`'s `cid`).
        public var index: Int32
        /// Its bit in the mask (0–62).
        public var bit: Int
        /// Whether a change of storage class alone (1 to 1.0) counts as a change: for columns without a fixed type.
        public var comparesStorageClass: Bool

        /// Creates a column description.
        public init(index: Int32, bit: Int, comparesStorageClass: Bool = false) {
            self.index = index
            self.bit = bit
            self.comparesStorageClass = comparesStorageClass
        }
    }

    /// What a captured row change did.
    public enum Operation: Int, Sendable {
        /// A row was inserted (with every column).
        case insert = 1
        /// A row was updated; the mask says which columns changed.
        case update = 2
        /// A row was deleted.
        case delete = 3
    }

    /// One captured row change.
    public struct Entry: Sendable, Equatable {
        /// The table's number.
        public var table: Int64
        /// What happened to the row.
        public var operation: Operation
        /// For an update, the bits of the columns that changed; -1 for an insert, 0 for a delete.
        public var mask: Int64
        /// The row's key.
        public var key: DatabaseValue

        /// Creates an entry.
        public init(table: Int64, operation: Operation, mask: Int64, key: DatabaseValue) {
            self.table = table
            self.operation = operation
            self.mask = mask
            self.key = key
        }
    }

    let capture: UnsafeMutablePointer<_spi_capture>
    unowned let connection: Connection
    var failuresAtStart = 0

    /// Creates a capture for `connection`, or returns nil when this SQLite library was built without the
    /// pre-update hook (`SQLITE_ENABLE_PREUPDATE_HOOK`).
    public init?(connection: Connection) {
        guard let capture = _spi_capture_create(connection.handle) else { return nil }
        self.capture = capture
        self.connection = connection
    }

    deinit {
        if capture.pointee.recording != 0, connection.activeCapture == capture { connection.activeCapture = nil }
        _spi_capture_destroy(capture)
    }

    /// Replaces the tables to capture. Allowed while recording (after a schema change, say): changes from then on
    /// are captured with the new description.
    public func configure(_ tables: [Table]) throws(SQLiteError) {
        _spi_capture_clear_tables(capture)
        for table in tables {
            let indexes = table.columns.map(\.index)
            let bits = table.columns.map { Int32($0.bit) }
            let classes = table.columns.map { UInt8($0.comparesStorageClass ? 1 : 0) }
            let failed = _spi_capture_add_table(
                capture, table.name, table.number, table.keyColumn, Int32(table.columns.count), indexes, bits, classes)
            if failed != 0 {
                throw SQLiteError(code: .noMemory, message: "out of memory while configuring change capture")
            }
        }
    }

    /// Whether ``record(_:)`` is running.
    public var isRecording: Bool { capture.pointee.recording != 0 }

    /// Records the changes `body` makes. Nested calls record into the same entries.
    public func record<T>(_ body: () throws -> T) throws -> T {
        if isRecording { return try body() }
        failuresAtStart = connection.failedStatements
        _spi_capture_start(capture)
        connection.activeCapture = capture
        defer {
            connection.activeCapture = nil
            _spi_capture_stop(capture)
        }
        return try body()
    }

    /// Runs `body` without recording (nested pauses add up).
    public func withoutRecording<T>(_ body: () throws -> T) rethrows -> T {
        capture.pointee.paused += 1
        defer { capture.pointee.paused -= 1 }
        return try body()
    }

    /// The number of entries recorded since recording began (or the last ``discard()``).
    public var count: Int { Int(capture.pointee.count) }

    /// The number of entries ``flush(into:)`` has not written yet.
    public var unflushedCount: Int { Int(capture.pointee.count - capture.pointee.flushed) }

    /// Whether the entries describe exactly the changes made: since recording began (or the last ``discard()``), no
    /// statement failed and no `ROLLBACK`, `ALTER` or `DROP` ran.
    public var isExact: Bool { capture.pointee.tainted == 0 && connection.failedStatements == failuresAtStart }

    /// Whether a `CREATE TRIGGER` ran while recording: that trigger did not fire for the changes that followed it
    /// (the caller turned triggers off).
    public var createdTrigger: Bool { capture.pointee.createdTrigger != 0 }

    /// Every entry recorded since recording began (or the last ``discard()``), flushed or not, in the order of the
    /// changes.
    public var entries: [Entry] {
        var result: [Entry] = []
        result.reserveCapacity(count)
        for i in 0..<capture.pointee.count {
            var table: Int64 = 0
            var op: Int32 = 0
            var mask: Int64 = 0
            var type: Int32 = 0
            var bytes: UnsafeRawPointer?
            var length: Int32 = 0
            _spi_capture_entry_at(capture, i, &table, &op, &mask, &type, &bytes, &length)
            let raw = UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : Int(length))
            let key: DatabaseValue
            switch type {
            case SQLITE_INTEGER: key = .integer(raw.loadUnaligned(as: Int64.self))
            case SQLITE_FLOAT: key = .real(raw.loadUnaligned(as: Double.self))
            case SQLITE_TEXT: key = .text(String(decoding: raw, as: UTF8.self))
            case SQLITE_BLOB: key = .blob(Array(raw))
            default: key = .null
            }
            result.append(Entry(table: table, operation: Operation(rawValue: Int(op)) ?? .update, mask: mask, key: key))
        }
        return result
    }

    /// Writes the entries not written yet through `insert`, whose four parameters take the table's number, the key,
    /// the operation's number (1 insert, 2 update, 3 delete) and the mask; they stay in ``entries``.
    ///
    /// - Throws: ``SQLiteError`` when an insert fails (the caller's transaction should then roll back, as some
    ///   entries may be written), or with ``ResultCode/noMemory`` when a change could not be recorded (out of memory,
    ///   or a row's key unreadable).
    public func flush(into insert: Statement) throws(SQLiteError) {
        try checkComplete()
        let rc = _spi_capture_flush(capture, insert.handle)
        if rc != SQLITE_OK { throw connection.error(rc, sql: insert.sql) }
    }

    /// Throws when a change could not be recorded (out of memory, or a row's key unreadable): the caller must then
    /// roll its write back, since ``entries`` misses a change.
    public func checkComplete() throws(SQLiteError) {
        guard capture.pointee.failed == 0 else {
            throw SQLiteError(
                code: .noMemory,
                message: "change capture lost a row change (out of memory, or a row's key could not be read): "
                    + "the write is rolled back")
        }
    }

    /// Marks every entry written, for a caller that logged them another way (reconciled).
    public func markFlushed() {
        _spi_capture_mark_flushed(capture)
    }

    /// Drops every entry and starts a new exactness period.
    public func discard() {
        _spi_capture_discard(capture)
        failuresAtStart = connection.failedStatements
    }
}
