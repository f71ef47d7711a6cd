extension RegisterCheck {
    /// A column that refers to rows of other tables (`to` lists the tables a value may live in).
    struct Reference: Sendable {
        var table: String
        var column: String
        var to: [String]
    }

    /// Every reference column of the register. `sender_id` may name a party or a person.
    static let references: [Reference] = [
        Reference(table: "person", column: "party_id", to: ["party"]),
        Reference(table: "practice", column: "owner_id", to: ["person"]),
        Reference(table: "activity", column: "practice_id", to: ["practice"]),
        Reference(table: "service", column: "owner_id", to: ["person"]),
        Reference(table: "service", column: "customer_id", to: ["party"]),
        Reference(table: "service", column: "provider_id", to: ["party"]),
        Reference(table: "agreement", column: "customer_id", to: ["party"]),
        Reference(table: "agreement", column: "provider_id", to: ["party"]),
        Reference(table: "agreement", column: "owner_id", to: ["person"]),
        Reference(table: "service_level_target", column: "agreement_id", to: ["agreement"]),
        Reference(table: "service_level_target", column: "service_id", to: ["service"]),
        Reference(table: "service_level_target", column: "supports_id", to: ["service_level_target"]),
        Reference(table: "interface", column: "practice_id", to: ["practice"]),
        Reference(table: "interface", column: "provider_id", to: ["party"]),
        Reference(table: "interface", column: "owner_id", to: ["person"]),
        Reference(table: "interface", column: "approved_by", to: ["person"]),
        Reference(table: "interface", column: "agreement_id", to: ["agreement"]),
        Reference(table: "interface_service", column: "interface_id", to: ["interface"]),
        Reference(table: "interface_service", column: "service_id", to: ["service"]),
        Reference(table: "raci_assignment", column: "interface_id", to: ["interface"]),
        Reference(table: "raci_assignment", column: "activity_id", to: ["activity"]),
        Reference(table: "raci_assignment", column: "party_id", to: ["party"]),
        Reference(table: "integration_point", column: "interface_id", to: ["interface"]),
        Reference(table: "integration_point", column: "from_party_id", to: ["party"]),
        Reference(table: "integration_point", column: "from_practice_id", to: ["practice"]),
        Reference(table: "integration_point", column: "to_party_id", to: ["party"]),
        Reference(table: "integration_point", column: "to_practice_id", to: ["practice"]),
        Reference(table: "integration_data_item", column: "integration_point_id", to: ["integration_point"]),
        Reference(table: "information_item", column: "interface_id", to: ["interface"]),
        Reference(table: "information_item", column: "sender_id", to: ["party", "person"]),
        Reference(table: "information_recipient", column: "information_item_id", to: ["information_item"]),
        Reference(table: "information_recipient", column: "party_id", to: ["party"]),
        Reference(table: "information_recipient", column: "person_id", to: ["person"]),
        Reference(table: "review", column: "interface_id", to: ["interface"]),
        Reference(table: "review", column: "reviewer_id", to: ["person"]),
        Reference(table: "party_peer", column: "party_id", to: ["party"]),
        Reference(table: "interface_signature", column: "interface_id", to: ["interface"]),
        Reference(table: "interface_signature", column: "party_id", to: ["party"]),
        Reference(table: "interface_signature", column: "person_id", to: ["person"]),
        Reference(table: "interface_version", column: "interface_id", to: ["interface"]),
        Reference(table: "service_level_result", column: "target_id", to: ["service_level_target"]),
        Reference(table: "information_delivery", column: "information_item_id", to: ["information_item"]),
        Reference(table: "finding_action", column: "owner_id", to: ["person"]),
        Reference(table: "interface_version", column: "frozen_by", to: ["person"]),
    ]

    /// The allowed values of every enumerated text column.
    static let enumerations: [(table: String, column: String, values: [String])] = [
        ("party", "kind", ["organization", "integrator", "provider"]),
        ("practice", "category", ["general", "service", "technical"]),
        ("practice", "stage", lifecycleStages),
        ("service", "type", ["business", "technical", "supporting"]),
        ("service", "status", ["pipeline", "catalogue", "retired"]),
        ("agreement", "type", ["sla", "ola", "uc", "collaboration"]),
        ("agreement", "status", ["draft", "active", "expired", "terminated"]),
        ("metric", "unit", ["percent", "minutes", "hours", "business_days", "days"]),
        ("service_level_target", "priority", ["P1", "P2", "P3", "P4"]),
        ("service_level_target", "unit", ["percent", "minutes", "hours", "business_days", "days"]),
        ("service_level_target", "period", ["day", "week", "month", "quarter", "year"]),
        ("interface", "status", ["draft", "in_review", "approved", "retired"]),
        ("interface", "stage", lifecycleStages),
        ("raci_assignment", "role", ["R", "A", "C", "I"]),
        ("integration_point", "channel", ["api", "e_bonding", "email", "portal", "phone", "file", "meeting"]),
        ("information_item", "frequency", ["daily", "weekly", "monthly", "quarterly", "annually", "on_event"]),
        ("review", "outcome", FieldCatalog.reviewOutcomes),
        ("interface_version", "event", ["approved", "signed"]),
    ]

    /// The ITIL v3 lifecycle stages, used by `practice.stage` and `interface.stage`.
    static let lifecycleStages = ["strategy", "design", "transition", "operation", "improvement"]

    /// Integer flag columns, which hold 0 or 1.
    static let flags: [(table: String, column: String)] = [
        ("party", "internal"), ("person", "active"), ("integration_data_item", "mandatory"), ("metric", "higher_is_better"),
    ]

    /// Date columns, which hold ISO `YYYY-MM-DD` text.
    static let dates: [(table: String, column: String)] = [
        ("agreement", "start_date"), ("agreement", "end_date"), ("interface", "approved_on"),
        ("interface", "next_review"), ("review", "review_date"), ("interface_signature", "signed_on"),
        ("interface_version", "frozen_on"), ("service_level_result", "recorded_on"),
        ("information_delivery", "delivered_on"), ("finding_action", "due_date"),
    ]

    /// The columns every row of a table must fill (not NULL, not blank).
    static let requiredFields: [(table: String, columns: [String])] = [
        ("party", ["code", "name", "kind"]),
        ("person", ["party_id", "name"]),
        ("practice", ["code", "name", "category"]),
        ("activity", ["practice_id", "code", "name"]),
        ("metric", ["code", "name", "unit"]),
        ("service", ["name", "type", "status"]),
        ("agreement", ["code", "title", "type", "customer_id", "provider_id"]),
        ("service_level_target", ["agreement_id", "service_id", "metric", "target", "unit"]),
        ("interface", ["code", "title", "practice_id", "provider_id", "status"]),
        ("interface_service", ["interface_id", "service_id"]),
        ("raci_assignment", ["interface_id", "activity_id", "party_id", "role"]),
        ("integration_point", ["interface_id", "name", "from_party_id", "to_party_id", "channel"]),
        ("integration_data_item", ["integration_point_id", "name"]),
        ("information_item", ["interface_id", "name", "frequency"]),
        ("review", ["interface_id", "review_date", "outcome"]),
        ("interface_signature", ["interface_id", "party_id", "person_id", "signed_on", "digest", "content", "public_key", "signature"]),
        ("interface_version", ["interface_id", "digest", "content", "frozen_on", "event"]),
        ("service_level_result", ["target_id", "period", "value"]),
        ("information_delivery", ["information_item_id", "period", "delivered_on"]),
        ("finding_action", ["rule", "subject_table", "subject_row", "owner_id", "due_date"]),
    ]

    /// Columns whose values are unique within their table (codes, and people's emails).
    static let uniqueColumns: [(table: String, column: String)] = [
        ("party", "code"), ("practice", "code"), ("activity", "code"), ("metric", "code"), ("service", "code"),
        ("agreement", "code"),
        ("interface", "code"), ("person", "email"),
    ]
}
