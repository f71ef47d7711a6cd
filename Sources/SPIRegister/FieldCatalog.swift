/// The register's field catalog: for every table, its columns with their types, enumerations, references and
/// required fields, the short code that identifies its rows, and the noun the `spi` command uses.
///
/// This is the one source of truth for the domain layer's validation of local edits, for the `spi` command's
/// options and help, for `spi schema`, and for the schema documentation. A test checks it against the SQLite schema
/// that ``RegisterSchema`` creates.
///
/// ```swift
/// for table in FieldCatalog.tables { print(table.name, table.columns.map(\.name)) }
/// FieldCatalog.table(noun: "target")?.name   // "service_level_target"
/// ```
public enum FieldCatalog {
    /// `party.kind`.
    public static let partyKinds = ["organization", "integrator", "provider"]
    /// `service.type`.
    public static let serviceTypes = ["business", "technical", "supporting"]
    /// `service.status`.
    public static let serviceStatuses = ["pipeline", "catalogue", "retired"]
    /// `agreement.type`: service level agreement, operational level agreement, underpinning contract, collaboration.
    public static let agreementTypes = ["sla", "ola", "uc", "collaboration"]
    /// `agreement.status`.
    public static let agreementStatuses = ["draft", "active", "expired", "terminated"]
    /// `service_level_target.metric`.
    public static var metrics: [String] { ReferenceData.metrics.map(\.code) }
    /// `service_level_target.priority`.
    public static let priorities = ["P1", "P2", "P3", "P4"]
    /// `service_level_target.unit`.
    public static let units = ["percent", "minutes", "hours", "business_days", "days"]
    /// `service_level_target.period`.
    public static let periods = ["day", "week", "month", "quarter", "year"]
    /// `interface.status`.
    public static let interfaceStatuses = ["draft", "in_review", "approved", "retired"]
    /// `interface.stage` and `practice.stage`: the ITIL v3 lifecycle stages.
    public static let stages = ["strategy", "design", "transition", "operation", "improvement"]
    /// `practice.category`: the ITIL 4 practice groups.
    public static let practiceCategories = ["general", "service", "technical"]
    /// `raci_assignment.role`: Responsible, Accountable, Consulted, Informed.
    public static let raciRoles = ["R", "A", "C", "I"]
    /// `integration_point.channel`.
    public static let channels = ["api", "e_bonding", "email", "portal", "phone", "file", "meeting"]
    /// `information_item.frequency`.
    public static let frequencies = ["daily", "weekly", "monthly", "quarterly", "annually", "on_event"]
    /// `interface_version.event`: what froze the version.
    public static let versionEvents = ["approved", "signed"]
    /// `review.outcome`; `retired` is written by `spi interface retire` (``Governance/retire(_:by:on:notes:in:)``).
    public static let reviewOutcomes = ["approved", "changes_required", "rejected", "retired"]

    /// Every register table, in ``RegisterSchema/tableNames`` order.
    public static let tables: [TableSpec] = [
        TableSpec(
            "party", noun: "party",
            summary: "The organization, the service integrator, or a service provider.",
            columns: [
                ColumnSpec("code", "Short code, such as FAB; unique.", required: true),
                ColumnSpec("name", "Display name, such as Fabrikam Service Desk.", required: true),
                ColumnSpec("kind", "The party's role.", values: partyKinds, required: true),
                ColumnSpec(
                    "internal", .boolean, "Whether the party belongs to the organization.", default: .integer(0)),
                ColumnSpec("notes", "Free-text notes."),
            ],
            lookup: "code", list: ["code", "name", "kind", "internal"], label: ["code", "name"]
        ),
        TableSpec(
            "person", noun: "person",
            summary: "A named contact at a party: process owners, managers, reviewers, report recipients.",
            columns: [
                ColumnSpec("party_id", "The party the person works for.", references: "party", required: true),
                ColumnSpec("name", "Full name.", required: true),
                ColumnSpec("email", "Email address; unique, and usable wherever a person is expected."),
                ColumnSpec("role", "Job role, such as Incident process owner."),
                ColumnSpec("active", .boolean, "Whether the person is still a contact.", default: .integer(1)),
                ColumnSpec(
                    "approver", .boolean,
                    "Whether the person may approve SPIs. Once any person of the register is an approver, only "
                        + "approvers approve (always of the organization, never the SPI's owner).",
                    default: .integer(0)),
            ],
            lookup: "email", list: ["name", "email", "party_id", "role", "active"], label: ["email", "name"]
        ),
        TableSpec(
            "practice", noun: "practice",
            summary: "Reference data: the 34 ITIL 4 practices, seeded identically on every replica.",
            columns: [
                ColumnSpec("code", "Short code, such as INC; unique.", required: true),
                ColumnSpec("name", "Name, such as Incident management.", required: true),
                ColumnSpec("category", "The ITIL 4 practice group.", values: practiceCategories, required: true),
                ColumnSpec("stage", "The ITIL v3 lifecycle stage, if any.", values: stages),
                ColumnSpec("owner_id", "The practice's process owner.", references: "person"),
                ColumnSpec("description", "What the practice is for."),
            ],
            lookup: "code", derivedID: .init(prefix: "practice", parts: [["code"]]),
            list: ["code", "name", "category", "owner_id"], label: ["code", "name"]
        ),
        TableSpec(
            "activity", noun: "activity",
            summary: "A step of a practice that RACI assignments refer to, such as INC-LOG Log and categorize.",
            columns: [
                ColumnSpec(
                    "practice_id", "The practice the activity belongs to.", references: "practice", required: true,
                    owned: true),
                ColumnSpec("code", "Short code, such as INC-LOG; unique.", required: true),
                ColumnSpec("name", "Name, such as Log and categorize.", required: true),
                ColumnSpec("position", .integer, "Order within the practice (1 first)."),
                ColumnSpec("description", "What the activity involves."),
            ],
            lookup: "code", derivedID: .init(prefix: "activity", parts: [["code"]]),
            list: ["code", "name", "practice_id", "position"], label: ["code", "name"]
        ),
        TableSpec(
            "metric", noun: "metric",
            summary: "What a service level target measures: availability, time to respond… (seeded), or a metric a "
                + "party adds, such as first-contact resolution. Id derived from the code.",
            columns: [
                ColumnSpec("code", "The code targets name, such as first_contact_resolution.", required: true),
                ColumnSpec("name", "Name, such as First-contact resolution.", required: true),
                ColumnSpec("unit", "The unit its targets usually take.", values: units, required: true),
                ColumnSpec(
                    "higher_is_better", .boolean,
                    "Whether a higher value is better (availability) or a lower one (a reopen rate, a time to resolve).",
                    default: .integer(1), option: "higher-is-better"),
                ColumnSpec("notes", "How it is measured."),
            ],
            lookup: "code", derivedID: .init(prefix: "metric", parts: [["code"]]),
            list: ["code", "name", "unit", "higher_is_better"], label: ["code", "name"]
        ),
        TableSpec(
            "service", noun: "service",
            summary: "A service portfolio or catalogue entry.",
            columns: [
                ColumnSpec("code", "Short code, such as SD-24x7; unique when given."),
                ColumnSpec("name", "Name, such as 24x7 service desk.", required: true),
                ColumnSpec("type", "The kind of service.", values: serviceTypes, required: true),
                ColumnSpec("status", "Where the service is in the portfolio.", values: serviceStatuses, required: true),
                ColumnSpec("owner_id", "The service owner, accountable end to end.", references: "person"),
                ColumnSpec("customer_id", "The party that receives the service.", references: "party"),
                ColumnSpec("provider_id", "The party that delivers the service.", references: "party"),
                ColumnSpec("description", "What the service does."),
            ],
            lookup: "code", list: ["code", "name", "type", "status", "provider_id"], label: ["code", "name"]
        ),
        TableSpec(
            "agreement", noun: "agreement",
            summary: "An SLA, OLA, underpinning contract or collaboration agreement between two parties.",
            columns: [
                ColumnSpec("code", "Short code, such as UC-FAB-2025; unique.", required: true),
                ColumnSpec("title", "Title.", required: true),
                ColumnSpec(
                    "type", "sla, ola, uc (underpinning contract) or collaboration.", values: agreementTypes,
                    required: true),
                ColumnSpec("customer_id", "The party that receives the service.", references: "party", required: true),
                ColumnSpec("provider_id", "The party that delivers it.", references: "party", required: true),
                ColumnSpec("start_date", .date, "First day in force."),
                ColumnSpec("end_date", .date, "Last day in force; after the start date."),
                ColumnSpec("status", "The agreement's state.", values: agreementStatuses, default: .text("draft")),
                ColumnSpec("owner_id", "The agreement's owner (contract manager).", references: "person"),
                ColumnSpec("notes", "Free-text notes."),
            ],
            lookup: "code", list: ["code", "type", "customer_id", "provider_id", "end_date", "status"],
            label: ["code", "title"]
        ),
        TableSpec(
            "service_level_target", noun: "target",
            summary: "A service level target: agreement × service × metric, with priority, value, unit and period.",
            columns: [
                ColumnSpec(
                    "agreement_id", "The agreement that sets the target.", references: "agreement", required: true,
                    owned: true),
                ColumnSpec("service_id", "The service it applies to.", references: "service", required: true),
                ColumnSpec("metric", "What is measured: a metric's code (`spi metric list`).", required: true),
                ColumnSpec("priority", "The incident or request priority it applies to, if any.", values: priorities),
                ColumnSpec("target", .real, "The target value, such as 99.9 or 4.", required: true, option: "value"),
                ColumnSpec("unit", "The unit of the value.", values: units, required: true),
                ColumnSpec("period", "The measurement period.", values: periods),
                ColumnSpec(
                    "supports_id", "The target (usually in an SLA) that this underpinning target supports.",
                    references: "service_level_target", option: "supports"),
                ColumnSpec("notes", "Free-text notes."),
            ],
            list: ["agreement_id", "service_id", "metric", "priority", "target", "unit", "period"],
            label: ["metric", "priority"]
        ),
        TableSpec(
            "interface", noun: "interface",
            summary: "A service provider interface (SPI): one practice × one provider, owned by a process owner.",
            columns: [
                ColumnSpec("code", "Short code, such as SPI-INC-FAB; unique.", required: true),
                ColumnSpec("title", "Title, such as Incident management with Fabrikam.", required: true),
                ColumnSpec("practice_id", "The practice the SPI covers.", references: "practice", required: true),
                ColumnSpec("provider_id", "The provider on the other side.", references: "party", required: true),
                ColumnSpec("stage", "The lifecycle stage it covers.", values: stages),
                ColumnSpec("owner_id", "The process owner who owns the SPI.", references: "person", required: true),
                ColumnSpec(
                    "status", "The SPI's state; only the organization approves or retires.",
                    values: interfaceStatuses, default: .text("draft")),
                ColumnSpec("version", "The document version, such as 1.2."),
                ColumnSpec("approved_by", "The person who approved it.", references: "person", option: "approved-by"),
                ColumnSpec("approved_on", .date, "The approval date."),
                ColumnSpec(
                    "review_interval_months", .integer, "Months between reviews, such as 12.",
                    option: "review-interval"),
                ColumnSpec("next_review", .date, "The date of the next review."),
                ColumnSpec("agreement_id", "The agreement the SPI belongs to.", references: "agreement"),
                ColumnSpec("description", "Scope and purpose."),
            ],
            lookup: "code", list: ["code", "practice_id", "provider_id", "status", "owner_id", "next_review"],
            label: ["code", "title"]
        ),
        TableSpec(
            "interface_service", noun: nil,
            summary: "Link: the services an SPI covers. Id derived from interface and service.",
            columns: [
                ColumnSpec("interface_id", "The SPI.", references: "interface", required: true, owned: true),
                ColumnSpec("service_id", "A service it covers.", references: "service", required: true),
            ],
            derivedID: .init(prefix: "interface_service", parts: [["interface_id"], ["service_id"]]),
            list: ["interface_id", "service_id"], label: ["interface_id", "service_id"]
        ),
        TableSpec(
            "raci_assignment", noun: "raci",
            summary: "A RACI cell: SPI × activity × party, with the role letter and a role title.",
            columns: [
                ColumnSpec("interface_id", "The SPI.", references: "interface", required: true, owned: true),
                ColumnSpec("activity_id", "The activity.", references: "activity", required: true),
                ColumnSpec("party_id", "The party that holds the role.", references: "party", required: true),
                ColumnSpec(
                    "role", "Responsible, Accountable, Consulted or Informed; one A per SPI activity.",
                    values: raciRoles, required: true),
                ColumnSpec("role_title", "The role's title at that party, such as Incident manager.", option: "title"),
            ],
            derivedID: .init(prefix: "raci", parts: [["interface_id"], ["activity_id"], ["party_id"], ["role"]]),
            list: ["interface_id", "activity_id", "party_id", "role", "role_title"], label: ["role", "role_title"]
        ),
        TableSpec(
            "integration_point", noun: "integration",
            summary: "A hand-off between two parties' practices: trigger, channel, standard, timing, correlation key.",
            columns: [
                ColumnSpec("interface_id", "The SPI.", references: "interface", required: true, owned: true),
                ColumnSpec("name", "Name, such as Incident assignment to provider.", required: true),
                ColumnSpec("from_party_id", "The party that hands off.", references: "party", required: true),
                ColumnSpec("from_practice_id", "Its practice.", references: "practice"),
                ColumnSpec("to_party_id", "The party that receives.", references: "party", required: true),
                ColumnSpec("to_practice_id", "Its practice.", references: "practice"),
                ColumnSpec("trigger_event", "What starts the hand-off.", option: "trigger"),
                ColumnSpec("channel", "How it travels.", values: channels, required: true),
                ColumnSpec("standard", "Standard or tool, such as TMF621 Trouble Ticket."),
                ColumnSpec("timing", "When, such as within 15 minutes of assignment."),
                ColumnSpec("correlation_key", "The field that correlates records on both sides."),
            ],
            list: ["interface_id", "name", "from_party_id", "to_party_id", "channel"], label: ["name"]
        ),
        TableSpec(
            "integration_data_item", noun: nil,
            summary: "A data item that an integration point carries.",
            columns: [
                ColumnSpec(
                    "integration_point_id", "The integration point.", references: "integration_point", required: true,
                    owned: true),
                ColumnSpec("name", "Name, such as short_description.", required: true),
                ColumnSpec("description", "What it holds."),
                ColumnSpec("mandatory", .boolean, "Whether every hand-off must carry it.", default: .integer(0)),
            ],
            list: ["integration_point_id", "name", "mandatory"], label: ["name"]
        ),
        TableSpec(
            "information_item", noun: "info",
            summary: "Management information: a report or notice, its frequency, due rule, format and sender.",
            columns: [
                ColumnSpec("interface_id", "The SPI.", references: "interface", required: true, owned: true),
                ColumnSpec("name", "Name, such as Monthly incident report.", required: true),
                ColumnSpec("content", "What it contains."),
                ColumnSpec("frequency", "How often it is due.", values: frequencies, required: true),
                ColumnSpec("due_rule", "When it is due, such as 5th business day.", option: "due-rule"),
                ColumnSpec("format", "Its format, such as PDF or dashboard."),
                ColumnSpec("sender_id", "The party that sends it.", references: "party"),
            ],
            list: ["interface_id", "name", "frequency", "due_rule", "sender_id"], label: ["name"]
        ),
        TableSpec(
            "information_recipient", noun: nil,
            summary: "Link: who receives an information item, a party or a person. Id derived from item and recipient.",
            columns: [
                ColumnSpec(
                    "information_item_id", "The information item.", references: "information_item", required: true,
                    owned: true),
                ColumnSpec("party_id", "A receiving party (give this or person_id).", references: "party"),
                ColumnSpec("person_id", "A receiving person (give this or party_id).", references: "person"),
            ],
            derivedID: .init(
                prefix: "information_recipient", parts: [["information_item_id"], ["party_id", "person_id"]]),
            list: ["information_item_id", "party_id", "person_id"], label: ["party_id", "person_id"]
        ),
        TableSpec(
            "review", noun: "review",
            summary: "The review and approval history of an SPI.",
            columns: [
                ColumnSpec("interface_id", "The SPI reviewed.", references: "interface", required: true, owned: true),
                ColumnSpec("review_date", .date, "The review's date.", required: true, option: "date"),
                ColumnSpec("body", "The reviewing body, such as Service review board."),
                ColumnSpec("outcome", "The outcome.", values: reviewOutcomes, required: true),
                ColumnSpec("reviewer_id", "The person who chaired or signed the review.", references: "person"),
                ColumnSpec("version_reviewed", "The SPI version reviewed.", option: "version"),
                ColumnSpec("notes", "Free-text notes."),
                ColumnSpec(
                    "digest_reviewed", "The digest of the SPI's content when reviewed (protocol/signoff.md).",
                    option: "digest"),
            ],
            list: ["interface_id", "review_date", "outcome", "body", "version_reviewed"], label: ["review_date"]
        ),
        TableSpec(
            "party_peer", noun: nil,
            summary:
                "Link: a replica that speaks for a party, by its peer id, from this row's version on. Bindings are "
                + "append-only: each `spi party bind` adds a row and the latest binding of a peer counts. Only the "
                + "organization binds.",
            columns: [
                ColumnSpec(
                    "party_id", "The party the replica speaks for.", references: "party", required: true, owned: true),
                ColumnSpec("peer", "The replica's peer id, as `spi whoami` prints it.", required: true),
                ColumnSpec(
                    "site", "The replica's site id: the first 16 bytes of the peer id, as a UUID.", required: true),
                ColumnSpec(
                    "replaces",
                    "The site id of the replica this one succeeds after `spi key rotate` (`spi party bind --replaces`), "
                        + "or several separated by spaces: every replica takes the old sites' coverage from their "
                        + "successor."),
            ],
            list: ["party_id", "peer", "site"], label: ["peer"]
        ),
        TableSpec(
            "service_level_result", noun: "level",
            summary: "The service level achieved against a target in one period (`spi level record`). Id derived "
                + "from the target and the period, so recording a period again corrects it.",
            columns: [
                ColumnSpec(
                    "target_id", "The service-level target measured.", references: "service_level_target",
                    required: true, owned: true, option: "target"),
                ColumnSpec(
                    "period",
                    "The period measured, in the target's period: 2026-11 (month), 2026-Q4 (quarter), 2026 "
                        + "(year), 2026-W47 (week) or 2026-11-20 (day).", required: true),
                ColumnSpec("value", .real, "The value achieved, in the target's unit.", required: true),
                ColumnSpec("source", "Where the figure comes from, such as a monitoring report or a URL."),
                ColumnSpec("recorded_on", .date, "The day it was recorded.", option: "date"),
            ],
            derivedID: .init(prefix: "service_level_result", parts: [["target_id"], ["period"]]),
            list: ["target_id", "period", "value", "source"], label: ["period"]
        ),
        TableSpec(
            "information_delivery", noun: nil,
            summary: "Evidence that an information item was delivered for one period (`spi info deliver`): the "
                + "period is the month it fell due in (the due day for weekly and daily items). Id derived from the "
                + "item and the period, so recording a period again corrects it.",
            columns: [
                ColumnSpec(
                    "information_item_id", "The information item delivered.", references: "information_item",
                    required: true, owned: true, option: "item"),
                ColumnSpec(
                    "period", "The period it was due in: 2026-12, or 2026-12-07 for weekly and daily items.",
                    required: true),
                ColumnSpec("delivered_on", .date, "The day it was delivered.", required: true, option: "date"),
                ColumnSpec("ref", "Where it is: a URL, a ticket or a file name."),
            ],
            derivedID: .init(prefix: "information_delivery", parts: [["information_item_id"], ["period"]]),
            list: ["information_item_id", "period", "delivered_on", "ref"], label: ["period"]
        ),
        TableSpec(
            "interface_signature", noun: nil,
            summary: "A party's signature of an SPI's content, made with its replica's key by `spi interface sign`; "
                + "it holds the content it signed (protocol/signoff.md). Signatures are append-only.",
            columns: [
                ColumnSpec("interface_id", "The SPI signed.", references: "interface", required: true, owned: true),
                ColumnSpec("party_id", "The party that signs.", references: "party", required: true),
                ColumnSpec("person_id", "The person who signs for the party.", references: "person", required: true),
                ColumnSpec("version", "The SPI's version when signed."),
                ColumnSpec("signed_on", .date, "The day it was signed.", required: true),
                ColumnSpec("digest", "The SHA-256 of the signed content, in lowercase hex.", required: true),
                ColumnSpec("content", "The SPI's content as signed, in its canonical form.", required: true),
                ColumnSpec("public_key", "The signing replica's public key (DER, base64).", required: true),
                ColumnSpec(
                    "signature", "The signature of the signed statement (ECDSA P-256, DER, base64).", required: true),
            ],
            list: ["interface_id", "party_id", "person_id", "version", "signed_on"], label: ["signed_on"]
        ),
        TableSpec(
            "interface_version", noun: nil,
            summary: "A version of an SPI frozen when it was approved or signed: its number, digest and content, so "
                + "that any replica can show it again (`spi interface versions`, `spi interface diff`). Two replicas "
                + "may freeze the same content while apart: readers take the first row per digest. Append-only.",
            columns: [
                ColumnSpec("interface_id", "The SPI.", references: "interface", required: true, owned: true),
                ColumnSpec("version", "The SPI's version number when frozen."),
                ColumnSpec("digest", "The SHA-256 of the content, in lowercase hex.", required: true),
                ColumnSpec("content", "The SPI's content, in its canonical form.", required: true),
                ColumnSpec("frozen_on", .date, "The day it was frozen.", required: true),
                ColumnSpec("frozen_by", "The person who approved or signed it.", references: "person"),
                ColumnSpec("event", "What froze it.", values: versionEvents, required: true),
            ],
            list: ["interface_id", "version", "frozen_on", "event", "frozen_by"], label: ["version"]
        ),
        TableSpec(
            "finding_action", noun: nil,
            summary: "A finding of `spi check` given to someone to fix by a date (`spi finding assign`): the rule and "
                + "the row it points at, the owner and the due date. `spi due` lists it while the finding stands. Id "
                + "derived from the rule and the row, so assigning a finding again changes its owner or date.",
            columns: [
                ColumnSpec("rule", "The rule of `spi check`, such as review-overdue.", required: true),
                ColumnSpec("subject_table", "The table of the row the finding points at.", required: true),
                ColumnSpec("subject_row", "The id of that row.", required: true),
                ColumnSpec("owner_id", "Who fixes it.", references: "person", required: true, option: "owner"),
                ColumnSpec("due_date", .date, "By when.", required: true, option: "due"),
                ColumnSpec("note", "What to do, or what was agreed."),
            ],
            derivedID: .init(prefix: "finding_action", parts: [["rule"], ["subject_table"], ["subject_row"]]),
            list: ["rule", "subject_table", "owner_id", "due_date"], label: ["rule"]
        ),
    ]

    static let tablesByName: [String: TableSpec] = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })

    /// The table named `name`, or nil.
    public static func table(_ name: String) -> TableSpec? { tablesByName[name] }

    /// The table whose command-line noun is `noun` (such as `target`), or nil.
    public static func table(noun: String) -> TableSpec? { tables.first { $0.noun == noun } }

    /// The table named `name`.
    ///
    /// - Throws: `RegisterError.Code.unknownTable`, listing the valid names.
    public static func requireTable(_ name: String) throws(RegisterError) -> TableSpec {
        guard let table = tablesByName[name] else {
            throw RegisterError(
                .unknownTable,
                "unknown table '\(name)'; the register's tables are: \(tables.map(\.name).joined(separator: ", "))")
        }
        return table
    }

    /// What a reference to `table` accepts, for help texts: an id, or the table's short code.
    public static func referenceHint(_ table: String) -> String {
        guard let spec = tablesByName[table] else { return "An id" }
        let noun = spec.noun ?? spec.name
        switch spec.lookupColumn {
        case "email": return "A \(noun) id or email"
        case .some: return "A \(noun) id or code"
        case nil: return "A \(noun) id"
        }
    }

    /// The columns of other tables that refer to `table`, as (table, column) pairs.
    public static func referencesTo(_ table: String) -> [(table: TableSpec, column: ColumnSpec)] {
        tables.flatMap { spec in spec.columns.filter { $0.references == table }.map { (spec, $0) } }
    }
}
