/// One approval gate that an SPI fails, such as an activity without exactly one Accountable.
///
/// ``Governance/approvalGateFailures(of:nextReview:on:in:)`` lists them; ``Governance/approve(_:by:on:nextReview:in:)``
/// refuses while any remains. The gates, in the order they are reported:
///
/// - ``Gate/singleAccountable``: every activity of the SPI's practice has exactly one A in the SPI's RACI (one
///   failure per activity with none or several; ``subject`` is the activity's code);
/// - ``Gate/integrationPoint``: the SPI has at least one integration point;
/// - ``Gate/informationItem``: the SPI has at least one information item;
/// - ``Gate/nextReview``: the SPI has a next review date after today (and after the approval date).
///
/// ```swift
/// let failures = try register.read { try Governance.approvalGateFailures(of: "SPI-CHG-TAIL", in: $0) }
/// failures.map(\.message)
/// // ["RACI: CHG-CAB (Authorize) has 2 Accountables (SIAM, TAIL); it needs exactly one", …]
/// ```
public struct ApprovalGateFailure: Hashable, Sendable, CustomStringConvertible {
    /// An approval gate. New gates may be added; switch with a `default`.
    public struct Gate: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// Every activity of the SPI's practice has exactly one Accountable in the SPI's RACI.
        public static let singleAccountable = Gate(rawValue: "single-accountable")
        /// The SPI has at least one integration point.
        public static let integrationPoint = Gate(rawValue: "integration-point")
        /// The SPI has at least one information item.
        public static let informationItem = Gate(rawValue: "information-item")
        /// The SPI has a next review date in the future.
        public static let nextReview = Gate(rawValue: "next-review")

        public var description: String { rawValue }
    }

    /// The gate that fails.
    public var gate: Gate
    /// What the failure is about within the gate: the activity's code for ``Gate/singleAccountable``, else nil.
    public var subject: String?
    /// A one-line explanation for people.
    public var message: String

    /// Creates a failure.
    public init(gate: Gate, subject: String? = nil, message: String) {
        self.gate = gate
        self.subject = subject
        self.message = message
    }

    public var description: String { message }
}
