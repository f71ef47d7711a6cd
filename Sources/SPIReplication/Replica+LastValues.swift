public import SPISQLite

/// A deleted row's last values (`_spi_last_value`), so that history can show what a deleted row said.
///
/// They are local to each replica and never sent. Three paths keep them: the delete (and re-key) triggers, for
/// writes the triggers capture (the stock `sqlite3` shell, for one); a merge, before it deletes a row; and
/// ``Replica/keepLastValues(ofRowIn:id:_:)``, which a write captured by the pre-update hook calls before it deletes
/// (the register's `RecordStore` does).
extension Replica {
    /// Keeps the current values of row `id` of the replicated table `table` as its last values, before a write
    /// deletes it. Does nothing for a row that does not exist or a table that is not replicated.
    ///
    /// - Parameters:
    ///   - table: the replicated table.
    ///   - id: the row's id.
    ///   - db: the connection of the open write.
    public static func keepLastValues(ofRowIn table: String, id: String, _ db: Connection) throws {
        guard let row = try db.rows("SELECT idx, columns FROM _spi_table WHERE name = ?", [.text(table)]).first,
            case .integer(let index) = row[0], let order = row[1].textValue
        else { return }
        let declared = Set(
            try db.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0[0].textValue })
        let columns = order.split(separator: ",").map(String.init).enumerated().filter { declared.contains($0.element) }
        guard !columns.isEmpty else { return }
        let select =
            "SELECT " + columns.map { TrackedTable.quote($0.element) }.joined(separator: ", ")
            + " FROM \(TrackedTable.quote(table)) WHERE id = ?"
        guard let values = try db.rows(select, [.text(id)]).first else { return }
        try store(
            lastValues: columns.enumerated().map { (n, column) in (column.offset, values[n]) },
            table: index, id: id, db)
    }

    /// Keeps a row's current values as its last values before a merge deletes it.
    func keepLastValues(_ key: RowKey, table: TrackedTable, _ db: Connection) throws {
        guard let values = try catalog.rowValues(key, table: table, db) else { return }
        let live = table.columns.enumerated().filter(\.element.isLive).map { ($0.offset, values[$0.offset]) }
        try Self.store(lastValues: live, table: table.index, id: key.id, db)
    }

    private static func store(lastValues: [(Int, DatabaseValue)], table: Int64, id: String, _ db: Connection) throws {
        try db.execute("DELETE FROM _spi_last_value WHERE tbl = ? AND id = ?", [.integer(table), .text(id)])
        let insert = try db.cached("INSERT INTO _spi_last_value(tbl, id, col, value) VALUES (?, ?, ?, ?)")
        for (column, value) in lastValues {
            try insert.execute([.integer(table), .text(id), .integer(Int64(column)), value])
        }
    }
}
