public import SPISQLite

/// A concurrent edit that a merge resolved: two sites wrote one cell without either having seen the other's value.
///
/// Both replicas that see the pair record it under the same ``id``. The conflict stays open until a later edit of
/// the cell (here or anywhere, once it arrives) supersedes both values; ``Replica/resolveConflict(_:keep:)`` makes
/// such an edit.
///
/// ```swift
/// for conflict in try replica.conflicts() {
///     print(conflict.table, conflict.column, conflict.winner.value, "beat", conflict.loser.value)
/// }
/// ```
public struct Conflict: Sendable, Hashable {
    /// One of the two writes.
    public struct Side: Sendable, Hashable {
        /// The value written.
        public var value: DatabaseValue
        /// When it was written.
        public var clock: HybridLogicalClock
        /// Which replica wrote it.
        public var site: SiteID?
    }

    /// The conflict's id, the same on every replica.
    public var id: String
    /// The table of the cell.
    public var table: String
    /// The row's id.
    public var rowID: String
    /// The column of the cell.
    public var column: String
    /// The write that won (the cell holds its value unless edited since).
    public var winner: Side
    /// The write that lost.
    public var loser: Side
    /// This replica's clock when it detected the conflict.
    public var detected: HybridLogicalClock
    /// When a later edit settled it; nil while open.
    public var resolved: HybridLogicalClock?
}
