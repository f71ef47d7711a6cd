/// An SPI's move from one status to another, as ``Governance/submit(_:in:)`` and
/// ``Governance/approve(_:by:on:nextReview:in:)`` make it.
///
/// ```swift
/// let change = try register.write { try Governance.submit("SPI-CFG-TAIL", in: $0) }
/// print("\(change.code): \(change.from) → \(change.to)")   // SPI-CFG-TAIL: draft → in_review
/// ```
public struct StatusChange: Hashable, Sendable, Codable {
    /// The SPI's id.
    public var interfaceID: String
    /// The SPI's code, such as `SPI-CFG-TAIL` (its id when it has no code).
    public var code: String
    /// The status before the change.
    public var from: String
    /// The status after the change.
    public var to: String

    /// Creates a status change.
    public init(interfaceID: String, code: String, from: String, to: String) {
        self.interfaceID = interfaceID
        self.code = code
        self.from = from
        self.to = to
    }
}
