import SPIReplication

/// The governance of SPIs: their review-and-approval life cycle, their review history, and what falls due.
///
/// An SPI starts as a `draft`. Its owner submits it for review (``submit(_:in:)``: draft → `in_review`); the
/// organization approves it (``approve(_:by:on:nextReview:in:)``: in_review → `approved`) once every approval gate
/// passes (see ``ApprovalGateFailure``). Reviews are recorded with
/// ``recordReview(of:outcome:by:on:body:version:notes:in:)``, and ``dueItems(in:today:within:)`` lists the reviews
/// and agreement ends that fall due.
///
/// Every step runs inside a ``Register`` transaction, so its writes are validated, captured and replicate like any
/// other edit; a refused step (a ``GovernanceError`` or a ``RegisterError``) writes nothing.
///
/// ```swift
/// try register.write { try Governance.submit("SPI-CFG-TAIL", in: $0) }
/// try register.write { store in
///     try Governance.approve("SPI-CFG-TAIL", by: "sofia.lindqvist@northwind.example", nextReview: "2026-03-01",
///                            in: store)
/// }
/// let due = try register.read { try Governance.dueItems(in: $0, within: 30) }
/// ```
public enum Governance {
    /// The status of a new SPI.
    public static let draft = "draft"
    /// The status of an SPI submitted for review.
    public static let inReview = "in_review"
    /// The status of an approved SPI.
    public static let approved = "approved"
    /// The status of a retired SPI.
    public static let retired = "retired"

    /// Submits a draft SPI for review: its status goes from `draft` to `in_review`.
    ///
    /// - Parameters:
    ///   - reference: the SPI, by id or code (such as `SPI-CFG-TAIL`).
    ///   - store: the store of an open write transaction.
    /// - Returns: the status change.
    /// - Throws: `GovernanceError.Code.wrongStatus` when the SPI is not a draft; a ``RegisterError`` when no SPI
    ///   has that id or code, or when the edit is refused.
    @discardableResult
    public static func submit(_ reference: String, in store: RecordStore) throws -> StatusChange {
        let interface = try store.record("interface", reference)
        try store.checkAccess(
            RowWrite(table: "interface", id: interface.id, kind: .update, values: ["status": .text(inReview)]))
        let (code, status) = (name(of: interface), status(of: interface))
        guard status == draft else {
            throw GovernanceError(
                .wrongStatus,
                "\(code) is \(status); only a draft SPI can be submitted for review",
                interface: code, status: status)
        }
        try store.put("interface", id: interface.id, fields: ["status": inReview], mode: .update)
        return StatusChange(interfaceID: interface.id, code: code, from: status, to: inReview)
    }

    /// An SPI's status; `draft` when it has none (the column's default).
    static func status(of interface: Record) -> String {
        guard let text = interface["status"].textValue, !text.isEmpty else { return draft }
        return text
    }

    /// An SPI's code, or its id when it has none.
    static func name(of interface: Record) -> String {
        guard let code = interface["code"].textValue, !code.isEmpty else { return interface.id }
        return code
    }
}
