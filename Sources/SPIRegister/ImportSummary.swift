/// What an import of a canonical export did.
///
/// ```swift
/// let summary = try register.importCanonical(bytes)
/// print("\(summary.inserted) inserted, \(summary.updated) updated")
/// ```
public struct ImportSummary: Sendable, Equatable {
    /// Rows that did not exist and were inserted.
    public var inserted = 0
    /// Rows that existed with other values and were updated.
    public var updated = 0
    /// Rows that already held the file's values.
    public var unchanged = 0
    /// Rows that were not in the file and were deleted (only when replacing).
    public var deleted = 0

    /// An empty summary.
    public init() {}
}
