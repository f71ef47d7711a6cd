public import SPISQLite

/// The reference rows every replica seeds identically: the 34 ITIL 4 practices and the activities of the common
/// practices, with ids derived from their codes (UUIDv5), so that every replica agrees on them without replicating
/// them.
///
/// ```swift
/// ReferenceData.practices.count            // 34
/// ReferenceData.practiceID("INC")          // RecordID.v5("practice:INC")
/// ```
public enum ReferenceData {
    /// One seeded practice.
    public struct Practice: Sendable {
        /// Short code, such as `INC`.
        public let code: String
        /// Name, such as `Incident management`.
        public let name: String
        /// `general`, `service` or `technical`.
        public let category: String
        /// The ITIL v3 lifecycle stage most associated with it, if any.
        public let stage: String?
    }

    /// One seeded activity.
    public struct Activity: Sendable {
        /// The practice's code.
        public let practice: String
        /// Short code, such as `INC-LOG`.
        public let code: String
        /// Name, such as `Log and categorize`.
        public let name: String
        /// Order within the practice, from 1.
        public let position: Int
    }

    /// The 34 ITIL 4 practices.
    public static let practices: [Practice] = [
        // General management practices.
        .init(code: "ARC", name: "Architecture management", category: "general", stage: "design"),
        .init(code: "CI", name: "Continual improvement", category: "general", stage: "improvement"),
        .init(code: "ISM", name: "Information security management", category: "general", stage: "design"),
        .init(code: "KM", name: "Knowledge management", category: "general", stage: "transition"),
        .init(code: "MR", name: "Measurement and reporting", category: "general", stage: "improvement"),
        .init(code: "OCM", name: "Organizational change management", category: "general", stage: nil),
        .init(code: "PFM", name: "Portfolio management", category: "general", stage: "strategy"),
        .init(code: "PJM", name: "Project management", category: "general", stage: nil),
        .init(code: "RM", name: "Relationship management", category: "general", stage: "strategy"),
        .init(code: "RSK", name: "Risk management", category: "general", stage: nil),
        .init(code: "SFM", name: "Service financial management", category: "general", stage: "strategy"),
        .init(code: "STM", name: "Strategy management", category: "general", stage: "strategy"),
        .init(code: "SUP", name: "Supplier management", category: "general", stage: "design"),
        .init(code: "WTM", name: "Workforce and talent management", category: "general", stage: nil),
        // Service management practices.
        .init(code: "AVM", name: "Availability management", category: "service", stage: "design"),
        .init(code: "BA", name: "Business analysis", category: "service", stage: "strategy"),
        .init(code: "CAP", name: "Capacity and performance management", category: "service", stage: "design"),
        .init(code: "CHG", name: "Change enablement", category: "service", stage: "transition"),
        .init(code: "INC", name: "Incident management", category: "service", stage: "operation"),
        .init(code: "ITAM", name: "IT asset management", category: "service", stage: "transition"),
        .init(code: "MEM", name: "Monitoring and event management", category: "service", stage: "operation"),
        .init(code: "PRB", name: "Problem management", category: "service", stage: "operation"),
        .init(code: "REL", name: "Release management", category: "service", stage: "transition"),
        .init(code: "SCM", name: "Service catalogue management", category: "service", stage: "design"),
        .init(code: "CFG", name: "Service configuration management", category: "service", stage: "transition"),
        .init(code: "SCO", name: "Service continuity management", category: "service", stage: "design"),
        .init(code: "SD", name: "Service design", category: "service", stage: "design"),
        .init(code: "SDK", name: "Service desk", category: "service", stage: "operation"),
        .init(code: "SLM", name: "Service level management", category: "service", stage: "design"),
        .init(code: "SR", name: "Service request management", category: "service", stage: "operation"),
        .init(code: "SVT", name: "Service validation and testing", category: "service", stage: "transition"),
        // Technical management practices.
        .init(code: "DEP", name: "Deployment management", category: "technical", stage: "transition"),
        .init(code: "IPM", name: "Infrastructure and platform management", category: "technical", stage: "operation"),
        .init(code: "SDM", name: "Software development and management", category: "technical", stage: "design"),
    ]

    /// The seeded activities of the common practices, in order.
    public static let activities: [Activity] = {
        let lists: [(String, [(String, String)])] = [
            (
                "INC",
                [
                    ("INC-LOG", "Log and categorize"), ("INC-PRI", "Prioritize"),
                    ("INC-DIAG", "Investigate and diagnose"),
                    ("INC-ESC", "Escalate"), ("INC-RES", "Resolve and recover"), ("INC-CLS", "Close"),
                    ("INC-MAJ", "Major incident coordination"),
                ]
            ),
            (
                "PRB",
                [
                    ("PRB-ID", "Identify problems"), ("PRB-RCA", "Root cause analysis"),
                    ("PRB-KE", "Record known errors"),
                    ("PRB-FIX", "Resolve"), ("PRB-REV", "Review"),
                ]
            ),
            (
                "CHG",
                [
                    ("CHG-RFC", "Raise request for change"), ("CHG-ASSESS", "Assess and plan"),
                    ("CHG-CAB", "Authorize"),
                    ("CHG-IMPL", "Implement"), ("CHG-PIR", "Post-implementation review"),
                ]
            ),
            (
                "SR",
                [
                    ("SR-LOG", "Log request"), ("SR-APPR", "Approve request"), ("SR-FUL", "Fulfil"),
                    ("SR-CLS", "Close"),
                ]
            ),
            (
                "SLM",
                [
                    ("SLM-AGREE", "Agree targets"), ("SLM-MON", "Monitor service levels"),
                    ("SLM-REP", "Report service levels"), ("SLM-REV", "Review service levels"),
                ]
            ),
            (
                "CAP",
                [
                    ("CAP-FCST", "Forecast demand"), ("CAP-MON", "Monitor capacity"),
                    ("CAP-PLAN", "Maintain capacity plan"), ("CAP-TUNE", "Tune performance"),
                ]
            ),
            (
                "CFG",
                [
                    ("CFG-ID", "Identify configuration items"), ("CFG-CTRL", "Control configuration changes"),
                    ("CFG-ACC", "Status accounting"), ("CFG-VER", "Verify and audit"),
                ]
            ),
            (
                "ISM",
                [
                    ("ISM-POL", "Maintain security policy"), ("ISM-RISK", "Assess security risk"),
                    ("ISM-INC", "Handle security incidents"), ("ISM-AUD", "Audit controls"),
                ]
            ),
        ]
        return lists.flatMap { practice, steps in
            steps.enumerated().map { offset, step in
                Activity(practice: practice, code: step.0, name: step.1, position: offset + 1)
            }
        }
    }()

    /// The id of the practice with this code: `RecordID.v5("practice:<CODE>")`.
    public static func practiceID(_ code: String) -> String { RecordID.v5("practice:\(code)") }

    /// The id of the activity with this code: `RecordID.v5("activity:<CODE>")`.
    public static func activityID(_ code: String) -> String { RecordID.v5("activity:\(code)") }

    /// Inserts the reference rows that are missing (never overwriting a row's edited columns, such as a practice's
    /// owner). Run it inside `Replica.writeBaseline(_:)` so that the seeded rows do not replicate.
    ///
    /// - Returns: the number of rows inserted.
    @discardableResult
    public static func seed(_ db: Connection) throws -> Int {
        var inserted = try seedMetrics(db)
        for practice in practices {
            try db.execute(
                "INSERT INTO practice(id, code, name, category, stage) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
                [
                    .text(practiceID(practice.code)), .text(practice.code), .text(practice.name),
                    .text(practice.category),
                    practice.stage.map(DatabaseValue.text) ?? .null,
                ])
            inserted += db.changes
        }
        for activity in activities {
            try db.execute(
                """
                INSERT INTO activity(id, practice_id, code, name, position) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO NOTHING
                """,
                [
                    .text(activityID(activity.code)), .text(practiceID(activity.practice)), .text(activity.code),
                    .text(activity.name), .integer(Int64(activity.position)),
                ])
            inserted += db.changes
        }
        return inserted
    }

    /// A seeded metric: what a service level target measures.
    public struct Metric: Sendable {
        public let code: String
        public let name: String
        public let unit: String
        public let higherIsBetter: Bool
    }

    /// The metrics every register starts with; a party adds its own (`spi metric add`).
    public static let metrics: [Metric] = [
        .init(code: "availability", name: "Availability", unit: "percent", higherIsBetter: true),
        .init(code: "time_to_respond", name: "Time to respond", unit: "minutes", higherIsBetter: false),
        .init(code: "time_to_resolve", name: "Time to resolve", unit: "hours", higherIsBetter: false),
        .init(code: "report_delivery", name: "Report delivery", unit: "business_days", higherIsBetter: false),
    ]

    /// The id of a metric, by code (`v5("metric:<code>")`): the same on every replica, and for a metric two parties
    /// add under the same code.
    public static func metricID(_ code: String) -> String { RecordID.v5("metric:\(code)") }

    /// Inserts the seeded metrics that are missing, as baseline rows. Returns how many rows it inserted.
    @discardableResult
    public static func seedMetrics(_ db: Connection) throws -> Int {
        var inserted = 0
        for metric in metrics {
            try db.execute(
                "INSERT INTO metric(id, code, name, unit, higher_is_better) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
                [
                    .text(metricID(metric.code)), .text(metric.code), .text(metric.name), .text(metric.unit),
                    .integer(metric.higherIsBetter ? 1 : 0),
                ])
            inserted += db.changes
        }
        return inserted
    }
}
