extension RegisterCheck {
    /// The part of the register a rule looks at; the gap report groups its findings by area.
    public enum Area: String, Codable, Sendable, CaseIterable, Comparable {
        /// Practice and SPI ownership.
        case ownership
        /// Cross-party RACI per SPI activity.
        case raci
        /// Integration points and management information.
        case content
        /// Approval and review of SPIs.
        case governance
        /// Agreements and service-level targets.
        case agreements
        /// Rows that break the register's data rules (references, codes, enumerations, required fields).
        case integrity

        /// A heading for people.
        public var title: String {
            switch self {
            case .ownership: "Ownership"
            case .raci: "Roles and responsibilities (RACI)"
            case .content: "Integration points and management information"
            case .governance: "Approval and review"
            case .agreements: "Agreements and service levels"
            case .integrity: "Data integrity"
            }
        }

        /// Orders areas as declared.
        public static func < (lhs: Area, rhs: Area) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// One rule of ``RegisterCheck``: its stable id, severity, what it means and how to fix it.
    ///
    /// `fix` is a `spi` command line in which upper-case words are placeholders; `ID` stands for the first row of
    /// the finding (the row to fix).
    ///
    /// ```swift
    /// RegisterCheck.rule("raci-multiple-accountable")?.fix   // "spi raci remove RACI_ID …"
    /// ```
    public struct Rule: Sendable, Hashable, Identifiable, Codable {
        /// The stable kebab-case id, as in ``Finding/rule``.
        public var id: String
        /// The severity of every finding of this rule.
        public var severity: Severity
        /// The area it belongs to.
        public var area: Area
        /// A short title.
        public var title: String
        /// What the rule means and why it matters.
        public var explanation: String
        /// The `spi` command that fixes a finding.
        public var fix: String

        /// Creates a rule.
        public init(id: String, severity: Severity, area: Area, title: String, explanation: String, fix: String) {
            self.id = id
            self.severity = severity
            self.area = area
            self.title = title
            self.explanation = explanation
            self.fix = fix
        }
    }

    /// The rule with this id, if there is one.
    public static func rule(_ id: String) -> Rule? {
        rulesByID[id]
    }

    static let rulesByID: [String: Rule] = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })

    /// Every rule that ``run(_:today:)`` checks, grouped by area. Ids never change once shipped.
    public static let rules: [Rule] = [
        // Ownership
        Rule(
            id: "practice-without-owner", severity: .warning, area: .ownership,
            title: "Practice with SPIs but no owner",
            explanation: "A practice that has at least one live (not retired) SPI has no process owner. SPIs are "
                + "defined, maintained and owned by process owners; without one nobody is accountable for them.",
            fix: "spi record put practice --id ID owner_id=PERSON_ID"
        ),
        Rule(
            id: "interface-without-owner", severity: .error, area: .ownership,
            title: "SPI without an owner",
            explanation: "Every SPI has an owner: the process owner who defines and maintains it.",
            fix: "spi interface set ID --owner PERSON"
        ),
        Rule(
            id: "owner-inactive", severity: .warning, area: .ownership,
            title: "Owner is no longer active",
            explanation: "A live SPI, a practice with live SPIs, or a live agreement is owned by a person marked "
                + "inactive (left the party). Hand it over to an active person.",
            fix: "spi interface set ID --owner PERSON"
        ),
        // RACI
        Rule(
            id: "interface-without-raci", severity: .warning, area: .raci,
            title: "SPI without RACI",
            explanation: "A live SPI has no RACI assignment at all, so roles and responsibilities between the "
                + "parties are not defined.",
            fix: "spi raci add --interface ID --activity ACTIVITY --party PARTY --role A"
        ),
        Rule(
            id: "raci-no-accountable", severity: .error, area: .raci,
            title: "Activity without an Accountable",
            explanation: "An SPI activity has RACI rows but no A. Each activity needs exactly one Accountable party.",
            fix: "spi raci add --interface ID --activity ACTIVITY --party PARTY --role A"
        ),
        Rule(
            id: "raci-multiple-accountable", severity: .error, area: .raci,
            title: "Activity with more than one Accountable",
            explanation: "An SPI activity has two or more A rows. Exactly one party is accountable; when two are, "
                + "neither is. Remove or demote the extra rows (to R or C).",
            fix: "spi raci remove RACI_ID"
        ),
        Rule(
            id: "raci-no-responsible", severity: .error, area: .raci,
            title: "Activity without a Responsible",
            explanation: "An SPI activity has RACI rows but no R: nobody carries the activity out.",
            fix: "spi raci add --interface ID --activity ACTIVITY --party PARTY --role R"
        ),
        Rule(
            id: "raci-activity-outside-practice", severity: .warning, area: .raci,
            title: "RACI row for another practice's activity",
            explanation: "A RACI row names an activity of a different practice than its SPI's, usually a wrong "
                + "activity code or a leftover from a change of practice.",
            fix: "spi raci remove RACI_ID"
        ),
        // Content
        Rule(
            id: "interface-without-integration-point", severity: .warning, area: .content,
            title: "SPI without an integration point",
            explanation: "A live SPI defines no hand-off between the parties' processes. Approval needs at least one.",
            fix: "spi integration add --interface ID --name NAME --from-party PARTY --to-party PARTY --channel CHANNEL"
        ),
        Rule(
            id: "interface-without-information-item", severity: .warning, area: .content,
            title: "SPI without management information",
            explanation: "A live SPI defines no information item (report, notification) to communicate to the "
                + "parties. Approval needs at least one.",
            fix: "spi info add --interface ID --name NAME --frequency monthly --due-rule \"5th business day\""
        ),
        Rule(
            id: "information-item-without-recipient", severity: .warning, area: .content,
            title: "Information item without a recipient",
            explanation: "Management information that nobody receives is not communicated. Add a party or a "
                + "person as recipient.",
            fix: "spi record put information_recipient information_item_id=ID party_id=PARTY"
        ),
        Rule(
            id: "due-rule-not-understood", severity: .warning, area: .content,
            title: "Information item whose due rule is not understood",
            explanation: "The reporting calendar cannot compute when the item is due, so `spi due` and the calendar "
                + "report cannot show it. Understood rules: 'every business day' (daily), 'every Monday' (weekly), "
                + "'5th business day', 'last business day', '10th day', 'last day', optionally 'of March' "
                + "(monthly, quarterly, annually); on_event items take any text.",
            fix: "spi info set ID --due-rule RULE"
        ),
        Rule(
            id: "integration-point-without-data-item", severity: .info, area: .content,
            title: "Integration point without data items",
            explanation: "A hand-off does not list the data it carries; the parties cannot map their fields.",
            fix: "spi record put integration_data_item integration_point_id=ID name=NAME mandatory=1"
        ),
        Rule(
            id: "provider-own-integrator", severity: .error, area: .content,
            title: "Provider acting as its own integrator",
            explanation: "An integration point hands work from a provider to the same provider. Hand-offs in an SPI "
                + "cross a party boundary, to the integrator or the organization; a provider that routes work to "
                + "itself takes the integrator's role (SIAM: a provider is not its own integrator).",
            fix: "spi integration set ID --to-party PARTY"
        ),
        Rule(
            id: "handoff-without-spi", severity: .warning, area: .content,
            title: "Hand-off to a provider without an SPI for it",
            explanation: "An integration point hands work to a provider's practice, but that provider has no live SPI "
                + "for the practice: nothing agreed says how it takes the work, and its side of the hand-off is "
                + "nobody's to review. Judged on the organization's replicas, which hold every SPI.",
            fix: "spi interface add --code CODE --title TITLE --practice PRACTICE --provider PARTY --owner PERSON"
        ),
        Rule(
            id: "integration-point-loop", severity: .warning, area: .content,
            title: "Integration point from a practice to itself",
            explanation: "An integration point of the organization or the integrator hands work from one of its "
                + "practices to the same practice of the same party: no interface is crossed.",
            fix: "spi integration set ID --to-party PARTY"
        ),
        Rule(
            id: "interface-provider-not-provider", severity: .warning, area: .content,
            title: "SPI whose provider is not a provider",
            explanation: "An SPI is one practice × one provider, but its provider party is the organization or the "
                + "integrator.",
            fix: "spi interface set ID --provider PARTY"
        ),
        // Governance
        Rule(
            id: "approved-without-approval", severity: .error, area: .governance,
            title: "Approved SPI without approver or approval date",
            explanation: "An approved SPI must record who approved it and when.",
            fix: "spi interface set ID --approved-by PERSON --approved-on DATE"
        ),
        Rule(
            id: "signature-invalid", severity: .error, area: .governance,
            title: "A signature of an SPI does not verify",
            explanation: "A sign-off row whose content does not match its digest or its SPI, whose signature does not "
                + "verify with the key it carries, or whose key's replica was not bound to the signing party when it "
                + "signed: forged, altered, or copied. It counts for nothing.",
            fix: "spi interface verify ID"
        ),
        Rule(
            id: "changed-since-signed", severity: .warning, area: .governance,
            title: "SPI changed since its parties signed it",
            explanation: "A party's latest valid signature of the SPI is of content it no longer has: someone edited "
                + "its RACI, integration points, information items, services, targets or text after sign-off. The "
                + "SPI is not in force until the organization and the provider sign the current content.",
            fix: "spi interface verify ID"
        ),
        Rule(
            id: "changed-since-approved", severity: .warning, area: .governance,
            title: "SPI changed since it was approved",
            explanation: "Approving an SPI freezes the content it approved. Its content now differs (an edit on any "
                + "replica, such as a provider's after the approval): the approval no longer covers what the SPI "
                + "says. `spi interface diff ID VERSION` shows what changed; review it and approve it again.",
            fix: "spi interface diff ID VERSION"
        ),
        Rule(
            id: "approval-not-segregated", severity: .error, area: .governance,
            title: "SPI approved by its owner or by someone outside the organization",
            explanation: "Segregation of duties: an SPI is approved by a person of the organization (a party of kind "
                + "organization, or an internal party) who is not its owner, and, once the register names approvers "
                + "(`person.approver`), by one of them. `spi` refuses other approvals; this finds those written "
                + "around it or before the rule.",
            fix: "spi interface set ID --approved-by PERSON"
        ),
        Rule(
            id: "retirement-not-segregated", severity: .error, area: .governance,
            title: "SPI retired without a record, by its owner, or by someone outside the organization",
            explanation: "Retiring an SPI ends what its parties agreed, so it is held to the approval's segregation "
                + "of duties: a person of the organization (or of an internal party) who does not own it, and, once "
                + "the register names approvers, one of them, recorded by `spi interface retire` as a review with "
                + "outcome retired. This finds a retired SPI with no such record, or one retired by someone the rule "
                + "refuses.",
            fix: "spi interface retire ID --by PERSON"
        ),
        Rule(
            id: "review-overdue", severity: .warning, area: .governance,
            title: "Overdue review",
            explanation: "A live SPI's next review date has passed. Review it (ISO/IEC 20000 asks for supplier "
                + "arrangements to be reviewed at least once a year) and set the next date.",
            fix: "spi interface set ID --next-review DATE"
        ),
        Rule(
            id: "review-date-missing", severity: .warning, area: .governance,
            title: "Approved SPI without a next review date",
            explanation: "An approved SPI has no next review date, so no review will ever fall due.",
            fix: "spi interface set ID --next-review DATE"
        ),
        // Agreements
        Rule(
            id: "interface-agreement-of-others", severity: .warning, area: .agreements,
            title: "SPI citing an agreement its provider is not a party to",
            explanation: "A provider sees only the agreements it is a party to, so it cannot see the targets the SPI "
                + "cites: its document lacks them, and the content the provider signs differs from the "
                + "organization's, so their signatures never match.",
            fix: "spi interface set ID --agreement AGREEMENT"
        ),
        Rule(
            id: "agreement-ending-soon", severity: .warning, area: .agreements,
            title: "Agreement ending within 60 days",
            explanation: "An active agreement ends within the next 60 days. Renew, extend or replace it before the "
                + "SPIs that rely on it lose their contractual basis.",
            fix: "spi agreement set ID --end-date DATE"
        ),
        Rule(
            id: "agreement-past-end", severity: .warning, area: .agreements,
            title: "Active agreement past its end date",
            explanation: "An agreement is still marked active although its end date has passed.",
            fix: "spi agreement set ID --status expired"
        ),
        Rule(
            id: "agreement-ends-before-start", severity: .error, area: .agreements,
            title: "Agreement ending before it starts",
            explanation: "An agreement's end date is earlier than its start date.",
            fix: "spi agreement set ID --end-date DATE"
        ),
        Rule(
            id: "agreement-without-owner", severity: .warning, area: .agreements,
            title: "Agreement without an owner",
            explanation: "A live agreement names no owner. ISO/IEC 20000 asks for a named contract manager for each "
                + "supplier.",
            fix: "spi agreement set ID --owner PERSON"
        ),
        Rule(
            id: "target-weaker-than-supported", severity: .warning, area: .agreements,
            title: "Underpinning target weaker than the target it supports",
            explanation: "A target (usually in an underpinning contract or OLA) supports a target of another "
                + "agreement (usually the SLA) but promises less: lower availability, or a longer time to respond, "
                + "resolve or deliver. The supported target cannot be met when the underpinning one only just is.",
            fix: "spi target set ID --value VALUE"
        ),
        Rule(
            id: "target-not-comparable", severity: .info, area: .agreements,
            title: "Target supports a target with another metric or unit",
            explanation: "A target supports a target with a different metric or unit, so the register cannot tell "
                + "whether it is strong enough. Use the same metric and unit.",
            fix: "spi target set ID --unit UNIT"
        ),
        // Integrity
        Rule(
            id: "dangling-reference", severity: .error, area: .integrity,
            title: "Reference to a missing row",
            explanation: "A column ending in _id (or approved_by) names a row that does not exist, for example a "
                + "RACI row whose party was deleted on another replica. Point it at an existing row or remove the row. "
                + "On a provider's replica, a reference to a row outside its party's scope is not reported.",
            fix: "spi record put TABLE --id ID COLUMN=EXISTING_ID"
        ),
        Rule(
            id: "duplicate-code", severity: .error, area: .integrity,
            title: "Duplicated code",
            explanation: "Two rows of the same table share a code (compared ignoring case and surrounding spaces), "
                + "for example two replicas that each created SPI-INC-FAB offline, or two people share an email. "
                + "Codes and emails are unique; rename or remove one.",
            fix: "spi record put TABLE --id ID code=NEW_CODE"
        ),
        Rule(
            id: "duplicate-interface", severity: .warning, area: .integrity,
            title: "Two SPIs for the same practice and provider",
            explanation: "An SPI is one practice × one provider; two live SPIs cover the same pair. Merge them and "
                + "retire one.",
            fix: "spi interface set ID --status retired"
        ),
        Rule(
            id: "invalid-enum-value", severity: .error, area: .integrity,
            title: "Value outside its enumeration",
            explanation: "A column holds a value outside its allowed list (or a flag other than 0 or 1), typically "
                + "after an edit with the sqlite3 shell.",
            fix: "spi record put TABLE --id ID COLUMN=VALUE"
        ),
        Rule(
            id: "invalid-date", severity: .error, area: .integrity,
            title: "Invalid date",
            explanation: "A date column holds something other than a real ISO YYYY-MM-DD calendar date.",
            fix: "spi record put TABLE --id ID COLUMN=YYYY-MM-DD"
        ),
        Rule(
            id: "invalid-number", severity: .error, area: .integrity,
            title: "Number out of range",
            explanation: "A target value is negative or an availability percentage exceeds 100, or a review "
                + "interval is not a positive number of months.",
            fix: "spi record put TABLE --id ID COLUMN=VALUE"
        ),
        Rule(
            id: "value-too-large", severity: .error, area: .integrity,
            title: "Value larger than a cell may hold",
            explanation: "A text value is larger than 1 MiB (1,048,576 bytes of UTF-8), which only a write around "
                + "the register (the sqlite3 shell, an older version) can leave. The replica does not send it, so "
                + "other replicas keep the value before it; the rest of the register replicates as usual.",
            fix: "spi record put TABLE --id ID COLUMN=VALUE"
        ),
        Rule(
            id: "invalid-text", severity: .error, area: .integrity,
            title: "Text that is not valid UTF-8",
            explanation: "A text value holds bytes that are not valid UTF-8, which only a write around the register "
                + "(the sqlite3 shell) can leave. The replica keeps the bytes exactly as they are, and `spi export` "
                + "shows them as {\"$blob\": hex}, so the digest differs from any replica that holds other bytes; it "
                + "does not send them (another replica would have to change them to store them as text), so other "
                + "replicas keep the value before it; the rest of the register replicates as usual.",
            fix: "spi record put TABLE --id ID COLUMN=VALUE"
        ),
        Rule(
            id: "invalid-id", severity: .error, area: .integrity,
            title: "Row id is not a canonical UUID",
            explanation: "A row's id is not a lowercase 8-4-4-4-12 UUID, so it may clash or fail to match "
                + "references. Recreate the row with a proper id.",
            fix: "spi record delete TABLE ID"
        ),
        Rule(
            id: "missing-required-field", severity: .error, area: .integrity,
            title: "Missing required field",
            explanation: "A required column is empty, for example a party without a code, name or kind, or an SPI "
                + "without a code, practice or provider.",
            fix: "spi record put TABLE --id ID COLUMN=VALUE"
        ),
    ]
}
