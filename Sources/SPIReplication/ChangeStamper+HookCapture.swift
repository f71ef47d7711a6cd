import SPISQLite

extension ChangeStamper {
    /// Describes the tracked tables to the pre-update hook capture, and decides whether it may be used: only when
    /// the file has no triggers besides the capture triggers (turning triggers off for a write would silence a
    /// user's own) and no tracked column compares text with a collation other than BINARY (the triggers' mask would
    /// use it, the hook compares bytes).
    func configureHookCapture() throws {
        guard let capture = hookCapture else { return }
        var described: [ChangeCapture.Table] = []
        var expectedTriggers = Set<String>()
        var eligible = true
        for table in catalog.tables {
            let prefix = Replica.captureTriggerPrefix(table: table.name)
            for kind in ["insert", "update", "rekey", "delete"] { expectedTriggers.insert("\(prefix)_\(kind)") }
            var keyColumn: Int32?
            var columns: [ChangeCapture.Column] = []
            // The hook reads values by their index in the table (hidden columns counted), as `table_xinfo` numbers them.
            try connection.forEachRow(
                "SELECT cid, name FROM pragma_table_xinfo(?) WHERE hidden = 0", [.text(table.name)]
            ) { row in
                let name = row.text(1) ?? ""
                let index = Int32(row.int64(0))
                if name == "id" {
                    keyColumn = index
                } else if let bit = table.columnIndex[name] {
                    columns.append(
                        .init(index: index, bit: bit, comparesStorageClass: table.columns[bit].hasNoFixedType))
                } else {
                    return
                }
                if try connection.columnCollation(table: table.name, column: name).map({ $0.uppercased() != "BINARY" })
                    ?? false
                {
                    eligible = false
                }
            }
            guard let keyColumn else {
                eligible = false
                continue
            }
            described.append(.init(name: table.name, number: table.index, keyColumn: keyColumn, columns: columns))
        }
        try connection.forEachRow("SELECT name FROM sqlite_schema WHERE type = 'trigger'") { row in
            if !expectedTriggers.contains(row.text(0) ?? "") { eligible = false }
        }
        try capture.configure(described)
        hookCaptureEligible = eligible
        // Hooked writes leave this connection's triggers off (switching costs every prepared statement a new
        // preparation); once the hook may not be used, the triggers capture again, and the file's own fire.
        if !eligible, !capture.isRecording { connection.triggersEnabled = true }
    }

    /// Runs `body` (the body of a ``Replica/write(_:)``) with its changes to tracked tables captured by the pre-update hook
    /// instead of the triggers, and appends them to `_spi_capture` when it returns; or simply runs it, with the
    /// triggers capturing, when the hook cannot be used (see ``capturesWithPreUpdateHook``).
    ///
    /// The triggers are off for this connection only, and stay off after the write (turning them off or on makes
    /// SQLite prepare every statement of the connection again): any other connection or process writing the file
    /// keeps being captured by them, and this connection turns them back on as soon as the hook may not be used.
    ///
    /// - Throws: `ReplicationError.Code.unsupportedWrite` (nothing written) when `body` creates a trigger: it
    ///   would not fire for the rest of the write. Create triggers in ``Replica/writeBaseline(_:)``.
    func withHookCapture<T>(_ db: Connection, _ body: (Connection) throws -> T) throws -> T {
        guard let capture = hookCapture else { return try body(db) }
        if capture.isRecording { return try body(db) }
        try refreshTables()
        guard capturesWithPreUpdateHook, hookCaptureEligible,
            try db.scalar("SELECT EXISTS (SELECT 1 FROM temp.sqlite_master WHERE type = 'trigger')") == .integer(0)
        else {
            db.triggersEnabled = true
            return try body(db)
        }
        if db.triggersEnabled { db.triggersEnabled = false }
        do {
            let result = try capture.record { try body(db) }
            if capture.createdTrigger {
                throw ReplicationError(
                    .unsupportedWrite,
                    "a write created a trigger, which cannot fire within the write that creates it; "
                        + "create triggers in writeBaseline (nothing was written)")
            }
            try flushHookCapture(db, final: true)
            return result
        } catch {
            capture.discard()
            throw error
        }
    }

    /// Appends the changes the hook captured and did not log yet to `_spi_capture`, in the transaction that made
    /// them; `final` at the end of the write (the entries are then dropped).
    ///
    /// When a statement failed or a rollback ran meanwhile, some captured changes may have been undone, and log rows
    /// appended earlier in the write may have been rolled back with a savepoint: every row captured in the write is
    /// then logged again from what it is now (see ``reconciledEntries(_:_:)``), which at worst gives unchanged values
    /// a new version.
    func flushHookCapture(_ db: Connection, final: Bool = false) throws {
        guard let capture = hookCapture, capture.count > 0 else { return }
        defer { if final { capture.discard() } }
        let insert = try db.cached("INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (?, ?, ?, ?)")
        if capture.isExact {
            guard capture.unflushedCount > 0 else { return }
            try capture.flush(into: insert)
            return
        }
        guard final || capture.unflushedCount > 0 else { return }
        try capture.checkComplete()
        for entry in try reconciledEntries(capture.entries, db) {
            try insert.execute([
                .integer(entry.table), entry.key, .integer(Int64(entry.operation.rawValue)), .integer(entry.mask),
            ])
        }
        capture.markFlushed()
    }

    /// Log entries for captured changes that may include undone ones, safe whatever was undone: every captured row
    /// once, by what it is now.
    /// - It exists and was only updated: one update with the union of the masks (a rolled-back update can only add
    ///   columns, which then get a new version of the same value).
    /// - It exists and was inserted or deleted: an insert, after a delete if one was captured (a re-create).
    /// - It is gone and a delete was captured: a delete, after an insert if one was captured too (so that a row
    ///   inserted and deleted in the write, never there before, gets no tombstone). Gone without a captured delete,
    ///   it was never there (its insert was undone): nothing.
    func reconciledEntries(_ entries: [ChangeCapture.Entry], _ db: Connection) throws -> [ChangeCapture.Entry] {
        struct Touch {
            var inserted = false
            var deleted = false
            var mask: Int64 = 0
        }
        struct Key: Hashable {
            var table: Int64
            var key: DatabaseValue
        }
        var order: [Key] = []
        var touches: [Key: Touch] = [:]
        for entry in entries {
            let key = Key(table: entry.table, key: entry.key)
            if touches[key] == nil { order.append(key) }
            switch entry.operation {
            case .insert: touches[key, default: Touch()].inserted = true
            case .delete: touches[key, default: Touch()].deleted = true
            case .update: touches[key, default: Touch()].mask |= entry.mask
            }
        }
        var result: [ChangeCapture.Entry] = []
        for key in order {
            guard let touch = touches[key], let table = catalog.tablesByIndex[key.table] else { continue }
            let exists = try db.scalar(table.existsSQL, [key.key]) != nil
            if exists && !touch.inserted && !touch.deleted {
                result.append(.init(table: key.table, operation: .update, mask: touch.mask, key: key.key))
            } else if exists {
                if touch.deleted { result.append(.init(table: key.table, operation: .delete, mask: 0, key: key.key)) }
                result.append(.init(table: key.table, operation: .insert, mask: -1, key: key.key))
            } else if touch.deleted {
                if touch.inserted { result.append(.init(table: key.table, operation: .insert, mask: -1, key: key.key)) }
                result.append(.init(table: key.table, operation: .delete, mask: 0, key: key.key))
            }
        }
        return result
    }
}
