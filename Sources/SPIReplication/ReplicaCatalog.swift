import SPISQLite

/// What the parts of a ``Replica`` share about its file, over its one connection: the tracked tables as loaded, the
/// local numbers of sites, and the SQL of merge statements by the columns they write.
///
/// The capture and stamping, merge, delta and conflict code all read tracked rows by their table's description and
/// name sites by their local number; each asks the catalog, so that one cache serves them all. The catalog reloads
/// the tables when the file's schema changed (``refreshIfSchemaChanged()``), in this process or another, and forgets
/// the site numbers after a transaction that may have registered one rolls back (``resetSiteCache()``).
///
/// ```swift
/// let catalog = try ReplicaCatalog(connection: db)
/// guard let table = catalog.tablesByName["note"] else { … }
/// let values = try catalog.rowValues(RowKey(table: table.index, id: id), table: table, db)
/// ```
///
/// Like the connection, it is not `Sendable`: the replica that owns it serialises its use.
final class ReplicaCatalog {
    /// The local number of this replica's own site in `_spi_site`.
    static let ownSiteIndex: Int64 = 1

    /// The connection the tables are loaded from.
    let connection: Connection
    /// The tracked tables, in the order they were first tracked.
    private(set) var tables: [TrackedTable] = []
    /// The tracked tables by name.
    private(set) var tablesByName: [String: TrackedTable] = [:]
    /// The tracked tables by local number.
    private(set) var tablesByIndex: [Int64: TrackedTable] = [:]
    /// `PRAGMA schema_version` when ``tables`` were loaded: another process may track a table or add a column while
    /// this one runs, and this one stamps and merges for both.
    private(set) var loadedSchemaVersion: Int64 = -1
    var siteIndexCache: [SiteID: Int64] = [:]
    var siteByIndexCache: [Int64: SiteID] = [:]
    /// Merge statements by the columns they write, so that a merge builds each SQL text once.
    var rowSQLCache: [RowSQLShape: String] = [:]

    /// A catalog of the replica open on `connection`, with its tables loaded.
    init(connection: Connection) throws {
        self.connection = connection
        try loadTables()
    }

    /// Reloads the tracked tables' descriptions from `_spi_table` and the live schema.
    func loadTables() throws {
        let schemaVersion = try connection.scalar("PRAGMA schema_version")?.integerValue ?? 0
        var loaded: [TrackedTable] = []
        try connection.forEachRow("SELECT idx, name, columns FROM _spi_table ORDER BY idx") { row in
            let name = row.text(1) ?? ""
            let order = (row.text(2) ?? "").split(separator: ",").map(String.init)
            loaded.append(
                TrackedTable(
                    index: row.int64(0), name: name, columns: order.map { .init(name: $0, type: "", notNull: false) }))
        }
        for i in loaded.indices {
            var facts: [String: TrackedTable.Column] = [:]
            try connection.forEachRow(
                "SELECT name, upper(type), \"notnull\" FROM pragma_table_info(?)", [.text(loaded[i].name)]
            ) { row in
                let name = row.text(0) ?? ""
                facts[name] = .init(name: name, type: row.text(1) ?? "", notNull: row.int64(2) == 1)
            }
            loaded[i] = TrackedTable(
                index: loaded[i].index, name: loaded[i].name,
                columns: loaded[i].columns.map { column in
                    facts[column.name]
                        ?? TrackedTable.Column(name: column.name, type: "", notNull: false, isLive: false)
                })
        }
        tables = loaded
        loadedSchemaVersion = schemaVersion
        rowSQLCache.removeAll()
        tablesByName = Dictionary(uniqueKeysWithValues: loaded.map { ($0.name, $0) })
        tablesByIndex = Dictionary(uniqueKeysWithValues: loaded.map { ($0.index, $0) })
    }

    /// Reloads the tracked tables when the schema changed since they were loaded (tracking a table or adding a
    /// column changes it).
    ///
    /// - Returns: whether it reloaded them.
    func refreshIfSchemaChanged() throws -> Bool {
        guard try connection.scalar("PRAGMA schema_version")?.integerValue != loadedSchemaVersion else { return false }
        try loadTables()
        return true
    }
}

@available(*, unavailable)
extension ReplicaCatalog: Sendable {}
