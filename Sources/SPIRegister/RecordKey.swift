/// A reference to one row: its table and id.
///
/// ```swift
/// let removed: [RecordKey] = try register.write { try $0.delete("interface", "SPI-INC-FAB") }
/// ```
public struct RecordKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The table's name.
    public let table: String
    /// The row's id.
    public let id: String

    /// Creates a reference.
    public init(table: String, id: String) {
        self.table = table
        self.id = id
    }

    public var description: String { "\(table) \(id)" }

    public static func < (lhs: RecordKey, rhs: RecordKey) -> Bool {
        (lhs.table, lhs.id) < (rhs.table, rhs.id)
    }
}
