public import SPISQLite

/// Decides which incoming changes a replica accepts, by the site that made them: the write half of access control.
///
/// ``Replica/apply(_:gate:from:since:)`` asks the gate about every row change before merging it, inside the apply
/// transaction, so the gate reads the replica's state as it is at that point (earlier changes of the same batch
/// included). A refused change is not applied and is reported in ``ApplyReport/refusals``; the rest of the batch still
/// applies. A gate whose verdict could still change when more rows arrive (the binding that authorizes the change is
/// not here yet) answers ``GateDecision/hold(_:)`` instead of refusing, so that the outcome never depends on the order
/// in which changes arrive.
/// The replication core has no idea what a party or an SPI is: the register's domain layer implements the rules.
///
/// ```swift
/// struct ReadOnlyGate: WriteGate {
///     func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision {
///         .refuse("this replica accepts no changes")
///     }
///     func mayCover(_ site: SiteID) -> Bool { false }
/// }
/// ```
public protocol WriteGate {
    /// Whether `origin` may make `write`.
    func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision

    /// Whether the sender may claim coverage for `site`'s changes (a peer that may not relay a site's changes must
    /// not be able to make this replica believe it holds them).
    func mayCover(_ site: SiteID) -> Bool

    /// True when the gate would allow every change from every origin (a trusted peer): the merge then skips asking
    /// it row by row. The default is false.
    var allowsEverything: Bool { get }

    /// The gate that judges changes again when they were held (``GateDecision/hold(_:)``): by their origin alone,
    /// whichever peer or file carried them, since the carrier was judged when they arrived. The default is the gate
    /// itself.
    var originGate: any WriteGate { get }

    /// The name of this replica's own read scope (as ``ReadScope/name`` names scopes), or nil when it may hold every
    /// row. A batch made for exactly this scope (`ChangeBatch.scope`) is stored as it is and its coverage claimed. Any
    /// other batch (made for another party, or unscoped) is filtered by ``keeps(table:id:isNew:_:)`` once it is
    /// merged, and claims no coverage: it may lack rows this replica may see, which a delta made for this replica
    /// will bring.
    func receiverScope(_ db: Connection) throws -> String?

    /// Whether this replica may store row `id` of `table` as it stands after merging a batch that was not made for
    /// its scope. `isNew`: the row did not exist here before the batch (a copy kept from before, outside the scope
    /// now, is never updated). ``Replica/apply(_:gate:from:since:)`` asks about every live row such a batch wrote, on
    /// the state after the whole batch, and merges the batch again without the rows it may not keep: nothing of them
    /// is ever stored.
    func keeps(table: String, id: String, isNew: Bool, _ db: Connection) throws -> Bool
}

extension WriteGate {
    public var allowsEverything: Bool { false }
    public var originGate: any WriteGate { self }
    public func receiverScope(_ db: Connection) throws -> String? { nil }
    public func keeps(table: String, id: String, isNew: Bool, _ db: Connection) throws -> Bool { true }
}

/// A ``WriteGate``'s verdict on one row change.
public enum GateDecision: Sendable, Hashable {
    /// The change may be applied.
    case allow
    /// Nothing of the change may be applied.
    case refuse(String)
    /// These columns may not be written; the change's other cells may.
    case refuseColumns(Set<String>, String)
    /// The change cannot be judged yet: what would decide it (the binding of its origin as of its clock, or the row
    /// it hangs off) has not arrived. The replica keeps it aside, outside its tables, claims no knowledge of it, and
    /// judges it again after every batch it merges (with ``WriteGate/originGate``).
    case hold(String)
}
