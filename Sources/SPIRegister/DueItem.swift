/// Something that falls due on a date: an SPI's next review, the end of an agreement in force, or the new signatures
/// of an SPI changed since signed.
///
/// ``Governance/dueItems(in:today:within:)`` lists them, sorted by date; `spi due` prints them. ``days`` counts from
/// today: negative when the date has passed, which makes the item overdue.
///
/// ```swift
/// let items = try register.read { try Governance.dueItems(in: $0, today: "2025-03-01", within: 30) }
/// for item in items { print(item.date, item.kind, item.code, item.isOverdue ? "overdue" : "in \(item.days) days") }
/// ```
public struct DueItem: Hashable, Sendable, Codable {
    /// What falls due. New kinds may be added; switch with a `default`.
    public struct Kind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// An SPI's next review (`interface.next_review`).
        public static let review = Kind(rawValue: "review")
        /// The last day of an active agreement (`agreement.end_date`).
        public static let agreementEnd = Kind(rawValue: "agreement-end")
        /// An SPI changed since its parties signed it: due to be signed again since the first change.
        public static let signAgain = Kind(rawValue: "sign-again")
        /// Management information due (for an item whose deliveries are recorded) and not delivered yet.
        public static let report = Kind(rawValue: "report")
        /// A finding of `spi check` given to someone to fix by a date, which still stands.
        public static let finding = Kind(rawValue: "finding")

        /// The kind as people read it: `review`, `agreement ends`.
        public var label: String {
            switch self {
            case .review: "review"
            case .agreementEnd: "agreement ends"
            case .signAgain: "changed since signed"
            case .report: "report"
            case .finding: "finding to fix"
            default: rawValue
            }
        }

        public var description: String { rawValue }
    }

    /// What falls due.
    public var kind: Kind
    /// The table of the row concerned: `interface` or `agreement`.
    public var table: String
    /// The row's id.
    public var id: String
    /// The row's code, such as `SPI-ISM-FAB` or `UC-FAB` (its id when it has none).
    public var code: String
    /// The row's title.
    public var title: String
    /// The due date, `YYYY-MM-DD`.
    public var date: String
    /// Days from today to ``date``: 0 today, negative when overdue.
    public var days: Int
    /// Whether the date has passed.
    public var isOverdue: Bool
    /// The row's status, such as `approved` or `active`.
    public var status: String?
    /// The row's owner (the SPI's process owner, the agreement's contract manager): email, else name.
    public var owner: String?
    /// The provider concerned: its party code.
    public var provider: String?

    /// Creates a due item; ``isOverdue`` follows from `days`.
    public init(
        kind: Kind, table: String, id: String, code: String, title: String, date: String, days: Int,
        status: String? = nil, owner: String? = nil, provider: String? = nil
    ) {
        self.kind = kind
        self.table = table
        self.id = id
        self.code = code
        self.title = title
        self.date = date
        self.days = days
        self.isOverdue = days < 0
        self.status = status
        self.owner = owner
        self.provider = provider
    }

    enum CodingKeys: String, CodingKey {
        case kind, table, id, code, title, date, days
        case isOverdue = "overdue"
        case status, owner, provider
    }

    /// Encodes every key, absent values as `null`, so that scripts always find the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(table, forKey: .table)
        try container.encode(id, forKey: .id)
        try container.encode(code, forKey: .code)
        try container.encode(title, forKey: .title)
        try container.encode(date, forKey: .date)
        try container.encode(days, forKey: .days)
        try container.encode(isOverdue, forKey: .isOverdue)
        try container.encode(status, forKey: .status)
        try container.encode(owner, forKey: .owner)
        try container.encode(provider, forKey: .provider)
    }

    /// When it falls due, relative to today: `overdue by 19 days`, `today`, `in 1 day`.
    public var when: String {
        func count(_ n: Int) -> String { n == 1 ? "1 day" : "\(n) days" }
        if days < 0 { return "overdue by \(count(-days))" }
        return days == 0 ? "today" : "in \(count(days))"
    }
}
