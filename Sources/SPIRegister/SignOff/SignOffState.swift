/// Where an SPI stands in sign-off, derived when reading (it never blocks a merge): each signature checked, whether
/// the SPI is in force, and what changed since it was signed (``Governance/signOff(of:registerID:in:)``).
public struct SignOffState: Sendable, Hashable {
    /// One signature as checked on this replica.
    public struct Check: Sendable, Hashable {
        /// What a signature is worth here.
        public enum Verdict: String, Sendable, Hashable {
            /// Valid, and of the SPI's current content.
            case current
            /// Valid, of content the SPI no longer has.
            case changedSinceSigned = "changed_since_signed"
            /// Not a valid signature of the party: ``Check/problem`` says why.
            case invalid
        }

        /// The signature row.
        public var signature: InterfaceSignature
        /// The verdict.
        public var verdict: Verdict
        /// Why the signature is invalid, in words; nil unless ``verdict`` is ``Verdict/invalid``.
        public var problem: String?
        /// The signing party's code (or name).
        public var party: String
        /// The signing person's email (or name).
        public var person: String
        /// Whether the signing party is on the organization's side (kind `organization`, or internal).
        public var isOrganizationSide: Bool
    }

    /// A change since the content was signed, with who made it and when, as far as this replica knows.
    public struct Change: Sendable, Hashable {
        /// The change, in words.
        public var change: ContentChange
        /// The party (code) whose replica made the latest write to the row, or nil when unknown here.
        public var by: String?
        /// When, as milliseconds since 1970 (the write's clock), or nil when unknown here.
        public var atMilliseconds: UInt64?
    }

    /// The SPI's id.
    public var interfaceID: String
    /// The SPI's code.
    public var code: String
    /// The SPI's status (`draft`, `in_review`, `approved`, `retired`).
    public var status: String
    /// The SPI's version column.
    public var version: String?
    /// The provider's code.
    public var provider: String?
    /// The digest of the SPI's current content.
    public var digest: String
    /// Every signature of the SPI, oldest first.
    public var checks: [Check]
    /// Whether the organization has approved the SPI's current content (the content its approval froze, when it
    /// froze one, is the current one) and both the organization's side and the provider have signed it (their latest
    /// valid signatures are of it).
    public var isInForce: Bool
    /// Whether a party's latest valid signature is of content the SPI no longer has.
    public var isChangedSinceSigned: Bool
    /// Whether the SPI is approved, but its content differs from what the approval froze (an edit after approval):
    /// it is not in force until it is approved again.
    public var isChangedSinceApproved: Bool
    /// What changed since the latest signature that is no longer current, in words (empty unless
    /// ``isChangedSinceSigned``).
    public var changes: [Change]
    /// The latest valid signature whose content the changes are counted from.
    public var signedBaseline: Check?

    /// The state in a few words: `in force`, `changed since signed`, `signed by SIAM and FAB, not approved` (or
    /// `…, changed since approved`), `awaiting FAB's signature`, `not signed`.
    public var summary: String {
        if isInForce { return "in force" }
        if isChangedSinceSigned { return "changed since signed" }
        let current = checks.filter { $0.verdict == .current }
        let org = current.first { $0.isOrganizationSide }
        let provider = current.first { !$0.isOrganizationSide }
        switch (org, provider) {
        case (nil, nil):
            return checks.contains { $0.verdict == .invalid } ? "not signed (invalid signatures)" : "not signed"
        case (let o?, let p?):
            return "signed by \(o.party) and \(p.party), "
                + (isChangedSinceApproved ? "changed since approved" : "not approved")
        case (let o?, nil): return "awaiting \(self.provider ?? "the provider")'s signature (\(o.party) signed)"
        case (nil, let p?): return "awaiting the organization's signature (\(p.party) signed)"
        }
    }
}
