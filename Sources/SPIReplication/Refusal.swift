/// A change that a ``WriteGate`` refused while a batch was applied: which row, which origin, and why.
///
/// ```swift
/// for refusal in report.refusals {
///     print("\(refusal.table) \(refusal.id) from \(refusal.origin): \(refusal.reason)")
/// }
/// ```
public struct Refusal: Sendable, Hashable {
    /// The table of the row.
    public var table: String
    /// The row's id.
    public var id: String
    /// The site that made the change.
    public var origin: SiteID
    /// The columns refused; empty when the whole row change (a create, a delete, every cell) was refused.
    public var columns: [String]
    /// Why, for people: the rule the change breaks.
    public var reason: String
    /// How many changes (cells, or the row's own create or delete) were refused.
    public var count: Int

    /// Creates a refusal record.
    public init(table: String, id: String, origin: SiteID, columns: [String], reason: String, count: Int) {
        self.table = table
        self.id = id
        self.origin = origin
        self.columns = columns
        self.reason = reason
        self.count = count
    }
}
