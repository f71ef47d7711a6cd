/// The description of one register table: its columns, how its rows are looked up by a short code, and how the ids
/// of reference and link rows are derived.
///
/// ```swift
/// let party = FieldCatalog.table("party")!
/// party.lookupColumn          // "code": `FAB` works wherever a party id is expected
/// party.column("kind")?.allowedValues
/// ```
public struct TableSpec: Sendable {
    /// How the id of a reference or link row derives from its natural key (a UUIDv5 through ``RecordID/v5(_:)``).
    ///
    /// The key is `prefix:part1:part2…`, where each part is the value of the first non-empty column among its
    /// alternatives. For example a RACI cell is `raci:<interface_id>:<activity_id>:<party_id>:<role>`.
    public struct DerivedID: Sendable {
        /// The key's first component, such as `raci`.
        public let prefix: String
        /// For each part of the key, the columns to take it from (the first non-empty one wins).
        public let parts: [[String]]

        /// The natural key of a row with these values, or nil when a part is missing.
        public func key(_ values: [String: String]) -> String? {
            var key = prefix
            for alternatives in parts {
                guard let value = alternatives.lazy.compactMap({ values[$0] }).first(where: { !$0.isEmpty }) else {
                    return nil
                }
                key += ":" + value
            }
            return key
        }
    }

    /// The table's name in SQLite.
    public let name: String
    /// The noun the `spi` command uses for it (`party`, `target`, `raci`…), when it has one.
    public let noun: String?
    /// A one-line description for people.
    public let summary: String
    /// The columns besides `id`, in the table's order.
    public let columns: [ColumnSpec]
    /// The column that identifies a row to people (a short code or an email), which resolves wherever an id of this
    /// table is expected.
    public let lookupColumn: String?
    /// Whether ``lookupColumn`` must be unique among rows (checked on local edits, case-insensitively).
    public let lookupIsUnique: Bool
    /// How ids are derived for reference data and link rows; nil for records, which get UUIDv7 ids.
    public let derivedID: DerivedID?
    /// The columns that `list` shows, in order.
    public let listColumns: [String]
    /// The columns that name a row to people in listings of other tables (such as `code`, then `name`).
    public let labelColumns: [String]

    /// Describes a table.
    public init(
        _ name: String, noun: String?, summary: String, columns: [ColumnSpec], lookup: String? = nil,
        lookupIsUnique: Bool = true, derivedID: DerivedID? = nil, list: [String], label: [String]
    ) {
        self.name = name
        self.noun = noun
        self.summary = summary
        self.columns = columns
        self.lookupColumn = lookup
        self.lookupIsUnique = lookup != nil && lookupIsUnique
        self.derivedID = derivedID
        self.listColumns = list
        self.labelColumns = label
    }

    /// The column named `name`, if the table has it (not `id`).
    public func column(_ name: String) -> ColumnSpec? {
        columns.first { $0.name == name }
    }

    /// All column names, `id` first.
    public var columnNames: [String] { ["id"] + columns.map(\.name) }

    /// The columns that are required on insert.
    public var requiredColumns: [String] { columns.filter(\.isRequired).map(\.name) }
}
