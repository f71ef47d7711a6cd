/// A finding of `spi check` given to someone to fix by a date (`spi finding assign`), as stored in the replicated
/// `finding_action` table, with the finding itself while it stands.
public struct FindingAction: Sendable, Hashable, Codable {
    /// The row's id (derived from the rule and the row the finding points at).
    public var id: String
    /// The rule, such as `review-overdue`.
    public var rule: String
    /// The table of the row the finding points at.
    public var subjectTable: String
    /// The id of that row.
    public var subjectID: String
    /// That row in words (`SPI-ISM-FAB`, `SPI-SR-FAB / 'Hosting access request'`).
    public var subject: String
    /// Who fixes it: the person's email, else name.
    public var owner: String
    /// By when, `YYYY-MM-DD`.
    public var dueDate: String
    /// What to do, or what was agreed.
    public var note: String?
    /// The finding's message, while the finding stands; nil once it is fixed.
    public var message: String?

    /// Whether the finding still stands.
    public var isOpen: Bool { message != nil }

    /// Creates an action.
    public init(
        id: String, rule: String, subjectTable: String, subjectID: String, subject: String, owner: String,
        dueDate: String, note: String?, message: String?
    ) {
        self.id = id
        self.rule = rule
        self.subjectTable = subjectTable
        self.subjectID = subjectID
        self.subject = subject
        self.owner = owner
        self.dueDate = dueDate
        self.note = note
        self.message = message
    }
}
