import SPISQLite
import SPIReplication

extension Governance {
    /// The approval gates that an SPI fails, in order: activities of its practice without exactly one Accountable
    /// (by activity position), no integration point, no information item, no next review date after today.
    ///
    /// Only reads. An empty result means the SPI may be approved (as far as its content goes; its status must also
    /// be `in_review`).
    ///
    /// ```swift
    /// let failures = try register.read { try Governance.approvalGateFailures(of: "SPI-CHG-TAIL", in: $0) }
    /// ```
    ///
    /// - Parameters:
    ///   - reference: the SPI, by id or code.
    ///   - nextReview: the next review date the approval would set (`YYYY-MM-DD`); nil to judge the SPI's own.
    ///   - date: the approval date (`YYYY-MM-DD`); the next review must also come after it. Nil for today.
    ///   - store: the store of an open transaction; its ``RecordStore/today`` is today.
    /// - Throws: a ``RegisterError`` when no SPI has that id or code.
    public static func approvalGateFailures(
        of reference: String, nextReview: String? = nil, on date: String? = nil, in store: RecordStore
    ) throws -> [ApprovalGateFailure] {
        let interface = try store.record("interface", reference)
        var failures = try accountableFailures(interface, in: store)
        for (table, noun, gate) in [
            ("integration_point", "integration points", ApprovalGateFailure.Gate.integrationPoint),
            ("information_item", "information items", ApprovalGateFailure.Gate.informationItem),
        ] {
            let count =
                try store.db.scalar(
                    "SELECT count(*) FROM \(table) WHERE interface_id = ?", [.text(interface.id)])?.integerValue ?? 0
            if count == 0 {
                failures.append(ApprovalGateFailure(gate: gate, message: "\(noun): none; an SPI needs at least one"))
            }
        }
        let review = nextReview ?? interface["next_review"].textValue
        let earliest = max(store.today, date ?? store.today)
        let after = earliest == store.today ? "after today (\(store.today))" : "after the approval date (\(earliest))"
        if let review, !review.isEmpty {
            if !CivilDate.isValid(review) {
                failures.append(
                    ApprovalGateFailure(
                        gate: .nextReview, message: "next review: '\(review)' is not a date; it must be a date \(after)"
                    ))
            } else if review <= earliest {
                failures.append(
                    ApprovalGateFailure(
                        gate: .nextReview, message: "next review: \(review) is not in the future; it must be \(after)"))
            }
        } else {
            failures.append(
                ApprovalGateFailure(
                    gate: .nextReview, message: "next review: no date set; it must be \(after)"))
        }
        return failures
    }

    /// Approves an SPI that is in review: checks every approval gate, then sets its status to `approved`, its
    /// approver and approval date, and (when given) its next review date.
    ///
    /// ```swift
    /// let change = try register.write { store in
    ///     try Governance.approve("SPI-CHG-TAIL", by: "sofia.lindqvist@northwind.example", on: "2025-03-01",
    ///                            nextReview: "2026-03-01", in: store)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - reference: the SPI, by id or code.
    ///   - approver: the approving person, by id or email.
    ///   - date: the approval date (`YYYY-MM-DD`); nil for today.
    ///   - nextReview: a new next review date (`YYYY-MM-DD`); nil to keep the SPI's own.
    ///   - store: the store of an open write transaction.
    /// - Returns: the status change.
    /// - Throws: `GovernanceError.Code.wrongStatus` when the SPI is not in review;
    ///   `GovernanceError.Code.approvalGatesFailed` naming every failing gate; a ``RegisterError`` for an unknown
    ///   SPI or person, a malformed date, or an edit the register refuses (such as approving on a provider's
    ///   replica). Nothing is written when it throws.
    @discardableResult
    public static func approve(
        _ reference: String, by approver: String, on date: String? = nil, nextReview: String? = nil,
        in store: RecordStore
    ) throws -> StatusChange {
        let interface = try store.record("interface", reference)
        // A replica whose party may not approve is told so first, not after the gates.
        try store.checkAccess(
            RowWrite(table: "interface", id: interface.id, kind: .update, values: ["status": .text(approved)]))
        let approverID = try store.resolve("person", approver)
        for (value, what) in [(date, "approval date"), (nextReview, "next review date")] {
            if let value, !CivilDate.isValid(value) {
                throw RegisterError(.invalidValue, "invalid \(what) '\(value)': expected a date as YYYY-MM-DD")
            }
        }
        // Without --next-review, an SPI with a review interval gets its next review that many months after approval.
        let nextReview = try nextReview ?? nextReviewFromInterval(interface, after: date ?? store.today)
        let (code, status) = (name(of: interface), status(of: interface))
        guard status == inReview else {
            let hint = status == draft ? "; submit it for review first" : ""
            throw GovernanceError(
                .wrongStatus, "\(code) is \(status); only an SPI in review (in_review) can be approved\(hint)",
                interface: code, status: status)
        }
        let failures = try approvalGateFailures(of: interface.id, nextReview: nextReview, on: date, in: store)
        guard failures.isEmpty else {
            let count = failures.count == 1 ? "1 approval gate fails" : "\(failures.count) approval gates fail"
            throw GovernanceError(
                .approvalGatesFailed, "cannot approve \(code): \(count)", interface: code, status: status,
                failures: failures)
        }
        var fields = ["status": approved, "approved_by": approverID, "approved_on": date ?? store.today]
        if let nextReview { fields["next_review"] = nextReview }
        try store.put("interface", id: interface.id, fields: fields, mode: .update)
        try freeze(interface, event: approved, by: approverID, on: date ?? store.today, in: store)
        return StatusChange(interfaceID: interface.id, code: code, from: status, to: approved)
    }

    /// The next review date an SPI's review interval gives from `date` (`review_interval_months` months later), or
    /// nil when it has no interval.
    static func nextReviewFromInterval(_ interface: Record, after date: String) throws -> String? {
        guard case .integer(let months) = interface["review_interval_months"], months > 0,
            let day = CivilDate(date)
        else { return nil }
        return day.adding(months: Int(months)).text
    }

    /// One failure per activity of the SPI's practice that has no Accountable, or several, in the SPI's RACI.
    static func accountableFailures(_ interface: Record, in store: RecordStore) throws -> [ApprovalGateFailure] {
        guard let practice = interface["practice_id"].textValue else { return [] }
        let activities = try store.db.rows(
            "SELECT id, code, name FROM activity WHERE practice_id = ? ORDER BY position IS NULL, position, code, id",
            [.text(practice)])
        var failures: [ApprovalGateFailure] = []
        for activity in activities {
            guard let activityID = activity[0].textValue else { continue }
            let code = activity[1].textValue ?? String(activityID.prefix(8))
            let label = activity[2].textValue.map { "\(code) (\($0))" } ?? code
            var parties: [String] = []
            for row in try store.db.rows(
                "SELECT party_id FROM raci_assignment WHERE interface_id = ? AND activity_id = ? AND role = 'A'",
                [.text(interface.id), .text(activityID)])
            {
                let id = row[0].textValue ?? ""
                parties.append(try store.label("party", id) ?? (id.isEmpty ? "(no party)" : String(id.prefix(8))))
            }
            parties.sort()
            if parties.isEmpty {
                failures.append(
                    ApprovalGateFailure(
                        gate: .singleAccountable, subject: code,
                        message: "RACI: \(label) has no Accountable; it needs exactly one"))
            } else if parties.count > 1 {
                failures.append(
                    ApprovalGateFailure(
                        gate: .singleAccountable, subject: code,
                        message:
                            "RACI: \(label) has \(parties.count) Accountables (\(parties.joined(separator: ", "))); "
                            + "it needs exactly one"))
            }
        }
        return failures
    }
}
