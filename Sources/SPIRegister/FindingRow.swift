/// A register row that a ``Finding`` concerns: its table and id.
///
/// ```swift
/// FindingRow(table: "raci_assignment", id: "0193…")
/// ```
public struct FindingRow: Codable, Sendable, Equatable, Hashable, Comparable {
    /// The register table, such as `interface` or `raci_assignment`.
    public var table: String
    /// The row's id.
    public var id: String

    /// Creates a row reference.
    public init(table: String, id: String) {
        self.table = table
        self.id = id
    }

    /// Orders by table, then id.
    public static func < (lhs: FindingRow, rhs: FindingRow) -> Bool {
        (lhs.table, lhs.id) < (rhs.table, rhs.id)
    }
}
