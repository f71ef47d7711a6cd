import SPIReplication

extension Governance {
    /// Retires an SPI: records who retired it, when and why (a `review` row with outcome `retired`, citing the
    /// version and digest of what it retired) and sets its status to `retired`.
    ///
    /// Retiring is held to the approval's segregation of duties: only on the organization's replica, by a person of
    /// the organization (or of an internal party) who does not own the SPI, and, once the register names approvers,
    /// by one of them. A retired SPI drops out of the content, RACI and review checks and out of `spi due`.
    ///
    /// ```swift
    /// let change = try register.write { store in
    ///     try Governance.retire("SPI-ISM-FAB", by: "sofia.lindqvist@northwind.example", on: "2026-01-31",
    ///                           notes: "Replaced by SPI-INC-FAB", in: store)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - reference: the SPI, by id or code.
    ///   - person: the retiring person, by id or email.
    ///   - date: the retirement date (`YYYY-MM-DD`); nil for today.
    ///   - notes: why, in words.
    ///   - store: the store of an open write transaction.
    /// - Returns: the status change.
    /// - Throws: `GovernanceError.Code.wrongStatus` when the SPI is retired already; a ``RegisterError`` for an
    ///   unknown SPI or person, a malformed date, a provider's replica, or a person segregation of duties refuses
    ///   (`RegisterError.Code.ruleViolated`, naming the rule). Nothing is written when it throws.
    @discardableResult
    public static func retire(
        _ reference: String, by person: String, on date: String? = nil, notes: String? = nil, in store: RecordStore
    ) throws -> StatusChange {
        let interface = try store.record("interface", reference)
        if store.kind == .provider { throw RegisterError.approvalIsTheOrganizations }
        try store.checkAccess(
            RowWrite(table: "interface", id: interface.id, kind: .update, values: ["status": .text(retired)]))
        let personID = try store.resolve("person", person)
        if let date, !CivilDate.isValid(date) {
            throw RegisterError(.invalidValue, "invalid retirement date '\(date)': expected a date as YYYY-MM-DD")
        }
        let (code, status) = (name(of: interface), status(of: interface))
        guard status != retired else {
            throw GovernanceError(.wrongStatus, "\(code) is retired already", interface: code, status: status)
        }
        try store.checkSegregation(approver: personID, owner: interface["owner_id"].textValue, action: "retire")
        try recordReview(of: interface.id, outcome: retired, by: personID, on: date, notes: notes, in: store)
        try store.put("interface", id: interface.id, fields: ["status": retired], mode: .update)
        return StatusChange(interfaceID: interface.id, code: code, from: status, to: retired)
    }
}
