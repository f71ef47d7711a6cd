import SPISQLite

extension ReplicaCatalog {
    /// A row's values in capture order, or nil when the row does not exist.
    func rowValues(_ key: RowKey, table: TrackedTable, _ db: Connection) throws -> [DatabaseValue]? {
        let stmt = try db.cached(table.selectRowSQL)
        try stmt.bind([.text(key.id)])
        defer { stmt.reset() }
        guard try stmt.step() else { return nil }
        return (0..<Int32(table.columns.count)).map { stmt.value($0) }
    }

    /// One cell's value, or nil when the row does not exist.
    func cellValue(_ key: RowKey, table: TrackedTable, column: Int, _ db: Connection) throws -> DatabaseValue? {
        let stmt = try db.cached(table.selectCellSQL[column])
        try stmt.bind([.text(key.id)])
        defer { stmt.reset() }
        guard try stmt.step() else { return nil }
        return stmt.value(0)
    }

    func updateCell(_ key: RowKey, table: TrackedTable, column: Int, to value: DatabaseValue, _ db: Connection) throws {
        try db.cached(table.updateCellSQL[column]).execute([value, .text(key.id)])
    }

    /// Writes several cells of one row with one statement; `values` in column order.
    func updateRow(_ key: RowKey, table: TrackedTable, values: [(key: Int, value: DatabaseValue)], _ db: Connection)
        throws
    {
        if values.count == 1 {
            return try updateCell(key, table: table, column: values[0].key, to: values[0].value, db)
        }
        let columns = values.map(\.key)
        let sql = rowSQL(RowSQLShape(table: table.index, isUpdate: true, columns: columns)) {
            table.updateSQL(columns: columns)
        }
        try db.cached(sql).execute(binding: { s in
            for (n, item) in values.enumerated() { try s.bind(item.value, at: Int32(n + 1)) }
            try s.bind(.text(key.id), at: Int32(values.count + 1))
        })
    }

    func insertRow(_ key: RowKey, table: TrackedTable, values: [(Int, DatabaseValue)], _ db: Connection) throws {
        let columns = values.map(\.0)
        let sql = rowSQL(RowSQLShape(table: table.index, isUpdate: false, columns: columns)) {
            table.insertSQL(columns: columns)
        }
        try db.cached(sql).execute(binding: { s in
            try s.bind(.text(key.id), at: 1)
            for (n, item) in values.enumerated() { try s.bind(item.1, at: Int32(n + 2)) }
        })
    }

    func deleteRow(_ key: RowKey, table: TrackedTable, _ db: Connection) throws {
        try db.cached(table.deleteSQL).execute([.text(key.id)])
    }

    /// The columns a merge statement writes, keying the catalog's SQL cache.
    struct RowSQLShape: Hashable {
        var table: Int64
        var isUpdate: Bool
        var columns: [Int]
    }

    private func rowSQL(_ shape: RowSQLShape, _ make: () -> String) -> String {
        if let sql = rowSQLCache[shape] { return sql }
        let sql = make()
        rowSQLCache[shape] = sql
        return sql
    }
}
