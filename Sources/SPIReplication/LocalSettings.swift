import SPISQLite

/// The local settings of one replica (`_spi_meta`), as a layer above the replication core reads and changes them:
/// text values under text keys that never replicate, never appear in a change set, and belong to this file alone.
///
/// A layer keeps its own settings under its own key prefix (the transport keeps its trusted peers under `peer:`), so
/// that no layer above the replication core needs SQL or a table of its own. Valid only inside the
/// ``Replica/updateLocalSettings(_:)`` or ``Replica/readLocalSettings(_:)`` call that passes it.
///
/// ```swift
/// try replica.updateLocalSettings { settings in
///     guard try settings.value(for: "peer:contoso") == nil else { throw … }
///     try settings.set("{…}", for: "peer:contoso")
/// }
/// ```
public struct LocalSettings: ~Copyable {
    let db: Connection

    /// The value under `key`, if any (a non-text value reads as nil).
    public func value(for key: String) throws -> String? {
        try db.scalar("SELECT value FROM _spi_meta WHERE key = ?", [.text(key)])?.textValue
    }

    /// Every setting whose key starts with `prefix`, in ascending key order (bytewise).
    public func entries(withPrefix prefix: String) throws -> [(key: String, value: String)] {
        try db.rows(
            "SELECT key, value FROM _spi_meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key", [.text(prefix)]
        ).compactMap { row in
            guard let key = row[0].textValue, let value = row[1].textValue else { return nil }
            return (key, value)
        }
    }

    /// Sets `key` to `value`. Fails on a replica opened read-only.
    ///
    /// - Throws: `ReplicationError.Code.invalidValue` for a key without a layer's prefix (`name:`): the replication
    ///   core's own settings (`site.id`, `clock.last`, …) are not for other layers to change.
    public func set(_ value: String, for key: String) throws {
        try Self.checkLayerKey(key)
        try db.execute(
            "INSERT INTO _spi_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [.text(key), .text(value)])
    }

    /// Removes `key`; returns whether it was there.
    @discardableResult
    public func remove(_ key: String) throws -> Bool {
        try Self.checkLayerKey(key)
        try db.execute("DELETE FROM _spi_meta WHERE key = ?", [.text(key)])
        return db.changes > 0
    }

    /// The rows of a local table that an older version kept outside `_spi_meta`, as text by column name: for moving
    /// old settings into ``set(_:for:)`` once, then ``dropLegacyTable(_:)``. Nil when there is no such table.
    ///
    /// - Parameter table: a local table's name; it must start with `_spi_` and must not be one of the replication
    ///   core's own tables.
    public func legacyTable(_ table: String) throws -> [[String: String]]? {
        guard try hasLegacyTable(table) else { return nil }
        var result: [[String: String]] = []
        try db.forEachRow("SELECT * FROM \"\(table)\"") { row in
            var values: [String: String] = [:]
            for column in 0..<row.columnCount {
                if let text = row.text(column) { values[row.columnName(column)] = text }
            }
            result.append(values)
        }
        return result
    }

    /// Drops a local table an older version kept (see ``legacyTable(_:)``), if it is there.
    public func dropLegacyTable(_ table: String) throws {
        guard try hasLegacyTable(table) else { return }
        try db.execute("DROP TABLE \"\(table)\"")
    }

    /// A layer's key: `prefix:rest`, with a non-empty prefix of letters, digits, `.`, `_` or `-`.
    static func checkLayerKey(_ key: String) throws {
        guard let colon = key.firstIndex(of: ":"), colon != key.startIndex,
            key[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw ReplicationError(
                .invalidValue,
                "the local setting '\(key)' has no layer prefix (such as 'peer:'); it is not for other layers")
        }
    }

    private func hasLegacyTable(_ table: String) throws -> Bool {
        precondition(table.hasPrefix("_spi_") && !ReplicaSchema.ownTables.contains(table), "not a legacy local table")
        return try db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", [.text(table)])
            == .integer(1)
    }
}
