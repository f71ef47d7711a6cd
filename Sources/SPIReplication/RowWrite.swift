public import SPISQLite

/// One row change as access rules see it: a create, an update of some columns, or a delete, by one origin site.
///
/// A ``WriteGate`` receives it before the change is merged, with the replica's state before the change still in the
/// tables, so that it can compare the row as it is with the row as the change would make it.
public struct RowWrite: Sendable, Hashable {
    /// What the change does to the row.
    public enum Kind: String, Sendable, Hashable {
        /// The row is created, or re-created after a delete.
        case create
        /// Some of the row's columns change.
        case update
        /// The row is deleted.
        case delete
    }

    /// The table.
    public var table: String
    /// The row's id.
    public var id: String
    /// What the change does.
    public var kind: Kind
    /// The values the change writes, by column name (empty for a delete).
    public var values: [String: DatabaseValue]
    /// The clock reading at which the origin made the change (its causal moment); 0 for a local edit being made now.
    ///
    /// Rules that depend on replicated data (who a site was bound to) are judged as of this clock, so that every
    /// replica reaches the same verdict whatever order the changes arrived in.
    public var clock: UInt64
    /// The row as it stands before the write, when the change itself creates it (another origin's cells carried
    /// with a create): the gate judges those cells against it instead of looking the row up. Nil: look it up.
    public var before: [String: DatabaseValue]?

    /// Creates a row write.
    public init(
        table: String, id: String, kind: Kind, values: [String: DatabaseValue], clock: UInt64 = 0,
        before: [String: DatabaseValue]? = nil
    ) {
        self.table = table
        self.id = id
        self.kind = kind
        self.values = values
        self.clock = clock
        self.before = before
    }
}
