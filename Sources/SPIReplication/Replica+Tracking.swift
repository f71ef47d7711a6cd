import SPISQLite

extension Replica {
    /// Starts replicating tables: installs the capture triggers that log every insert, update and delete.
    ///
    /// Call it after creating or migrating the tables; it is idempotent. A column added since the last call is
    /// appended to the table's capture order. Each table must have a text primary key named `id`, at most 62 other
    /// columns, no AUTOINCREMENT, and no constraint a merge could break (UNIQUE on other columns, foreign keys).
    ///
    /// The triggers are plain SQL, so writes made with the stock `sqlite3` shell are captured too; they are stamped
    /// with clocks by the next ``write(_:)``, ``stamp()`` or export.
    ///
    /// - Throws: `ReplicationError.Code.unknownTable` for a missing table or one without an `id` key,
    ///   `ReplicationError.Code.tooManyColumns` past 62 columns.
    public func track(tables names: [String]) throws {
        try connection.transaction(.immediate) { db in
            try stamper.stampPendingChanges(db)
            for name in names {
                try track(table: name, db)
            }
        }
        try loadTables()
    }

    private func track(table name: String, _ db: Connection) throws {
        var declared: [TrackedTable.Column] = []
        var hasID = false
        try db.forEachRow("SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info(?)", [.text(name)]) { row in
            let column = row.text(0) ?? ""
            if column == "id" {
                hasID = row.int64(3) == 1
            } else {
                declared.append(.init(name: column, type: row.text(1) ?? "", notNull: row.int64(2) == 1))
            }
        }
        guard hasID else {
            throw ReplicationError(
                .unknownTable, "cannot replicate \(name): no such table, or its primary key is not `id`")
        }
        let existing = try db.scalar("SELECT columns FROM _spi_table WHERE name = ?", [.text(name)])?.textValue
        var order = existing.map { $0.split(separator: ",").map(String.init) } ?? []
        for column in declared where !order.contains(column.name) {
            order.append(column.name)
        }
        guard order.count <= 62 else {
            throw ReplicationError(
                .tooManyColumns, "cannot replicate \(name): \(order.count) columns besides id, at most 62")
        }
        try db.execute(
            "INSERT INTO _spi_table(name, columns) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET columns = excluded.columns",
            [.text(name), .text(order.joined(separator: ","))]
        )
        guard let index = try db.scalar("SELECT idx FROM _spi_table WHERE name = ?", [.text(name)])?.integerValue else {
            return
        }
        try db.execute(Self.triggerSQL(table: name, index: index, columns: declared, order: order))
        if existing == nil {
            // Rows already in a table when it is first tracked are baseline data: record their zero version, as
            // `writeBaseline` does for the rows it inserts.
            try recordBaselineVersions(table: name, index: index, db)
        }
    }

    /// The four capture triggers of a table. Each appends one entry to `_spi_capture` (a delete also keeps the row's
    /// last values in `_spi_last_value`, for history); an update records which
    /// columns changed (in value or in storage class) as one bitmask, so capture costs one small append per written
    /// row. The re-key trigger fires only for statements that assign `id` (`UPDATE OF id`), so an ordinary update
    /// runs one trigger program, not two.
    static func triggerSQL(table: String, index: Int64, columns: [TrackedTable.Column], order: [String]) -> String {
        let t = TrackedTable.quote(table)
        let prefix = captureTriggerPrefix(table: table)
        let maskTerms = columns.map { column -> String in
            let bit = order.firstIndex(of: column.name)!
            let q = TrackedTable.quote(column.name)
            // IS NOT treats 0 and 0.0 as equal. Only a column without a fixed type (ANY, or none) can switch
            // between them, so only there is the storage class compared too.
            if column.hasNoFixedType {
                return "((OLD.\(q) IS NOT NEW.\(q) OR typeof(OLD.\(q)) <> typeof(NEW.\(q))) << \(bit))"
            }
            return "((OLD.\(q) IS NOT NEW.\(q)) << \(bit))"
        }
        let mask = maskTerms.isEmpty ? "0" : maskTerms.joined(separator: " | ")
        // A deleted row's last values (and those of an id a re-key moves away), for history: local, never sent.
        let lastValues = columns.map { column in
            "(\(index), OLD.id, \(order.firstIndex(of: column.name)!), OLD.\(TrackedTable.quote(column.name)))"
        }
        let keepLastValues =
            "DELETE FROM _spi_last_value WHERE tbl = \(index) AND id = OLD.id;"
            + (lastValues.isEmpty
                ? ""
                : "\n    INSERT INTO _spi_last_value(tbl, id, col, value) VALUES \(lastValues.joined(separator: ", "));")
        return """
            DROP TRIGGER IF EXISTS "\(prefix)_insert";
            DROP TRIGGER IF EXISTS "\(prefix)_update";
            DROP TRIGGER IF EXISTS "\(prefix)_rekey";
            DROP TRIGGER IF EXISTS "\(prefix)_delete";
            CREATE TRIGGER "\(prefix)_insert" AFTER INSERT ON \(t) BEGIN
                INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (\(index), NEW.id, 1, -1);
            END;
            CREATE TRIGGER "\(prefix)_update" AFTER UPDATE ON \(t) WHEN OLD.id IS NEW.id BEGIN
                INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (\(index), NEW.id, 2, \(mask));
            END;
            CREATE TRIGGER "\(prefix)_rekey" AFTER UPDATE OF id ON \(t) WHEN OLD.id IS NOT NEW.id BEGIN
                INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (\(index), OLD.id, 3, 0);
                INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (\(index), NEW.id, 1, -1);
                \(keepLastValues)
            END;
            CREATE TRIGGER "\(prefix)_delete" AFTER DELETE ON \(t) BEGIN
                INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (\(index), OLD.id, 3, 0);
                \(keepLastValues)
            END;
            """
    }

    /// The capture triggers of a table are named this, then `_insert`, `_update`, `_rekey` and `_delete`.
    static func captureTriggerPrefix(table: String) -> String {
        "_spi_" + table.replacingOccurrences(of: "\"", with: "")
    }

    /// Gives baseline rows of files made before baseline rows had metadata their zero version, once per file.
    ///
    /// Pending captured writes are stamped first, so every row inserted by a tracked write has its metadata; a row
    /// still without any is baseline data (seeded, or in its table before tracking began). Without the entry, a
    /// baseline row that one transaction replaces (`INSERT OR REPLACE`, which fires no delete trigger) and deletes
    /// would never send its delete.
    func recordBaselineVersionsOnce() throws {
        let key = DatabaseValue.text("baseline.recorded")
        guard try connection.scalar("SELECT 1 FROM _spi_meta WHERE key = ?", [key]) == nil else { return }
        try connection.transaction(.immediate) { db in
            guard try db.scalar("SELECT 1 FROM _spi_meta WHERE key = ?", [key]) == nil else { return }
            try stamper.stampPendingChanges(db)
            for table in tables { try recordBaselineVersions(table: table.name, index: table.index, db) }
            try db.execute("INSERT INTO _spi_meta(key, value) VALUES (?, 1)", [key])
        }
    }

    /// Gives every row of a table that has no metadata the zero version (causal length 1). Callers stamp first, so
    /// that only baseline rows lack metadata.
    func recordBaselineVersions(table name: String, index: Int64, _ db: Connection) throws {
        try db.execute(
            """
            INSERT INTO _spi_row(tbl, id, cl, hlc, site)
            SELECT ?1, spi_key(id), 1, 0, 0 FROM \(TrackedTable.quote(name)) WHERE true
            ON CONFLICT(tbl, id) DO NOTHING
            """, [.integer(index)])
    }

    /// Reloads the tracked tables' descriptions from `_spi_table` and the live schema, and whether the hook may
    /// capture writes to them.
    func loadTables() throws {
        try catalog.loadTables()
        try stamper.configureHookCapture()
    }

    /// Reloads the tracked tables when the schema changed since they were loaded (tracking a table or adding a
    /// column changes it), in this process or another: stamping another process's writes, or merging a change to a
    /// column it added, needs its tables as they are now.
    func refreshTablesIfSchemaChanged() throws {
        try stamper.refreshTables()
    }

    /// The names of the replicated tables, in the order they were first tracked.
    public var trackedTables: [String] { tables.map(\.name) }
}
