/// A gap planted on purpose in the Northwind demo, for the gap report (and its tests) to find.
///
/// `table` and `code` name the row that the finding of `rule` points at:
/// - for tables with a `code` column (`party`, `practice`, `agreement`, `interface`, …), `code` is that code;
/// - for `information_item`, it is the item's name;
/// - for `service_level_target`, it is the demo's key of the target (such as `UC-CON-POS-AV`).
///
/// ``NorthwindDemo/rowID(of:in:)`` resolves it to the row's id.
///
/// ```swift
/// for gap in NorthwindDemo.plantedGaps { print("\(gap.rule): \(gap.code) — \(gap.description)") }
/// ```
public struct PlantedGap: Sendable, Hashable {
    /// The id of the ``RegisterCheck`` rule that finds it.
    public var rule: String
    /// The register table of the row concerned.
    public var table: String
    /// The code (or name, or demo key) of the row concerned.
    public var code: String
    /// What is wrong, for people.
    public var description: String

    /// Creates a planted gap.
    public init(rule: String, table: String, code: String, description: String) {
        self.rule = rule
        self.table = table
        self.code = code
        self.description = description
    }
}
