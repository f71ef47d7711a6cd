/// Which value settles a conflict (`spi conflicts resolve --keep`, the app's conflicts page).
///
/// ```swift
/// let kept = try register.resolveConflict(conflict.id, keep: ConflictChoice("theirs"))
/// ```
public enum ConflictChoice: Sendable, Hashable {
    /// The value that won the merge (it stands already; settling records that someone looked).
    case winner
    /// The value that lost the merge.
    case loser
    /// The value this replica wrote (refused when neither side is this replica's).
    case mine
    /// The value the other replica wrote (refused when neither side is this replica's).
    case theirs
    /// A new value, checked and converted like any edit of the field.
    case value(String)

    /// `winner`, `loser`, `mine` or `theirs`; any other text is a new value.
    public init(_ text: String) {
        switch text {
        case "winner": self = .winner
        case "loser": self = .loser
        case "mine": self = .mine
        case "theirs": self = .theirs
        default: self = .value(text)
        }
    }
}
