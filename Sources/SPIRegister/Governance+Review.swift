extension Governance {
    /// Records a review of an SPI in its review history (a `review` row) and returns the new row's id.
    ///
    /// Recording a review does not change the SPI's status: approve it with
    /// ``approve(_:by:on:nextReview:in:)``. An approving review (outcome `approved`) of an SPI with a review
    /// interval moves its next review to that many months after the review's date, when that is later. The review
    /// records the version and the digest of the content it saw.
    ///
    /// ```swift
    /// let id = try register.write { store in
    ///     try Governance.recordReview(of: "SPI-INC-FAB", outcome: "approved",
    ///                                 by: "sofia.lindqvist@northwind.example", body: "Service review board",
    ///                                 in: store)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - reference: the SPI reviewed, by id or code.
    ///   - outcome: one of `approved`, `changes_required`, `rejected` (``FieldCatalog/reviewOutcomes``, any case).
    ///   - reviewer: the person who chaired or signed the review, by id or email; nil for none.
    ///   - date: the review's date (`YYYY-MM-DD`); nil for today.
    ///   - body: the reviewing body, such as `Service review board`.
    ///   - version: the SPI version reviewed; nil for the SPI's current version.
    ///   - notes: free-text notes.
    ///   - store: the store of an open write transaction.
    /// - Returns: the new review's id.
    /// - Throws: a ``RegisterError`` for an unknown SPI or person, an outcome outside the enumeration, or a
    ///   malformed date; nothing is written then.
    @discardableResult
    public static func recordReview(
        of reference: String, outcome: String, by reviewer: String? = nil, on date: String? = nil,
        body: String? = nil, version: String? = nil, notes: String? = nil, in store: RecordStore
    ) throws -> String {
        let interface = try store.record("interface", reference)
        var fields = [
            "interface_id": interface.id, "outcome": outcome, "review_date": date ?? store.today,
        ]
        if let reviewer { fields["reviewer_id"] = reviewer }
        if let body { fields["body"] = body }
        if let version = version ?? interface["version"].textValue { fields["version_reviewed"] = version }
        // The review cites what it saw: the digest of the SPI's content (protocol/signoff.md).
        fields["digest_reviewed"] = try InterfaceContent(of: interface.id, in: store).digest
        if let notes { fields["notes"] = notes }
        let id = try store.put("review", fields: fields, mode: .insert)
        // An approving review advances the SPI's next review by its interval, from the review's date.
        if outcome.lowercased() == "approved",
            let next = try nextReviewFromInterval(interface, after: fields["review_date"] ?? store.today),
            next > (interface["next_review"].textValue ?? "")
        {
            try store.put("interface", id: interface.id, fields: ["next_review": next], mode: .update)
        }
        return id
    }
}
