/// Decides which rows a peer may receive: the read half of access control, for partial replication.
///
/// ``Replica/deltaCursor(for:scope:)`` evaluates the scope once, when the cursor is made, on one snapshot. Rows
/// outside it are never sent. Deletes (tombstones) are sent to every peer: they carry no column values, only the
/// table and the row id.
///
/// A row can enter a peer's scope without any of its own cells changing, for example when an SPI is reassigned to
/// the peer's party: its RACI rows keep their old versions, which the peer's knowledge already "covers". So each
/// rule also says which cells decide membership; when one of them holds a version the peer has not seen, the whole
/// row is sent again, with every cell. In the SQL, `{unknown:TABLE:ID_EXPRESSION:COLUMN}` stands for "the version of
/// that cell is one the peer has not seen"; the replica expands it.
///
/// ```swift
/// struct ProviderScope: ReadScope {
///     func rule(for table: String) -> ScopeRule? {
///         table == "interface"
///             ? ScopeRule(select: "SELECT t.id, {unknown:interface:t.id:provider_id} FROM interface t WHERE t.provider_id = 'fab'")
///             : nil
///     }
///     var origins: Set<SiteID>? { nil }
/// }
/// ```
public protocol ReadScope {
    /// The rule for a replicated table; nil sends every row of it.
    func rule(for table: String) -> ScopeRule?
    /// The rule for a replicated table, for a peer with `peer` knowledge (a scope may count every row as entered for
    /// a peer that has not seen what defines its scope). The default is ``rule(for:)``.
    func rule(for table: String, peer: Knowledge) -> ScopeRule?
    /// The origin sites whose changes may be sent to the peer; nil for all.
    var origins: Set<SiteID>? { get }
    /// Tables whose visible live rows open every delta, whole (every cell with its version) and without coverage:
    /// the rows that decide who may write and see what (the register's parties and bindings), so that a receiver can
    /// judge the rest of the delta at once instead of holding it. The default is none.
    var leadingTables: [String] { get }
    /// The scope's name, carried in every batch of a delta made with it (`ChangeBatch.scope`): a receiver with a scope
    /// of its own claims a batch's coverage only when the name is its own scope's (``WriteGate/receiverScope(_:)``).
    /// The default is empty: no rows filtered.
    var name: String { get }
    /// Whether the sending replica holds every change of other sites that the peer may see (its own scope includes the
    /// peer's). Only then does a delta claim coverage of other sites than the sender's own: knowledge is claimed within
    /// a scope, and a replica that holds less than the peer may see cannot vouch for the rest. The default is true.
    var coversOtherSites: Bool { get }
    /// Whether the peer may see every row of `table`, including rows this replica does not hold: then the refusal
    /// marks of such rows are sent to it (protocol/changes.md §8.2). The default is true when ``rule(for:)`` is nil.
    func seesEveryRow(of table: String) -> Bool
}

extension ReadScope {
    public func rule(for table: String, peer: Knowledge) -> ScopeRule? { rule(for: table) }
    public var leadingTables: [String] { [] }
    public var name: String { "" }
    public var coversOtherSites: Bool { true }
    public func seesEveryRow(of table: String) -> Bool { rule(for: table) == nil }
}

/// Which rows of one table a peer may receive.
public struct ScopeRule: Sendable, Hashable {
    /// A `SELECT` of two columns: the id of each row the peer may see, and whether the row may have entered the
    /// peer's scope since its knowledge (true, when a cell that decides membership has an unseen version, written
    /// `{unknown:TABLE:ID_EXPRESSION:COLUMN}`; `0` when membership never changes).
    public var select: String
    /// Whether every row the rule selects counts as entered (its second column is constant, not written with
    /// `{unknown:…}`): for a peer that has not seen what defines its scope. A sync then evaluates the rule over the
    /// whole table; otherwise, when no membership cell the rule names has a version the peer lacks, it looks up only
    /// the rows that have such versions.
    public var everyRowEntered: Bool

    /// Creates a rule. Its second column must say "entered" only through `{unknown:…}`, unless `everyRowEntered`.
    public init(select: String, everyRowEntered: Bool = false) {
        self.select = select
        self.everyRowEntered = everyRowEntered
    }

    /// A rule that sends no row of the table.
    public static let nothing = ScopeRule(select: "SELECT NULL, 0 WHERE 0")
}
