import SPISQLite

extension Replica {
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

    func insertRow(_ key: RowKey, table: TrackedTable, values: [(Int, DatabaseValue)], _ db: Connection) throws {
        try db.cached(table.insertSQL(columns: values.map(\.0))).execute([.text(key.id)] + values.map(\.1))
    }

    func deleteRow(_ key: RowKey, table: TrackedTable, _ db: Connection) throws {
        try db.cached(table.deleteSQL).execute([.text(key.id)])
    }
}
