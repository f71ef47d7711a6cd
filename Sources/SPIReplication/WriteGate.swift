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
///     func carries(_ origin: SiteID, _ db: Connection) throws -> GateDecision { .refuse("read-only") }
/// }
/// ```
public protocol WriteGate {
    /// Whether `origin` may make `write`.
    func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision

    /// Whether the sender may claim coverage for `site`'s changes (a peer that may not relay a site's changes must
    /// not be able to make this replica believe it holds them). The default asks ``carries(_:_:)``: only what the
    /// carrier may carry is covered.
    func mayCover(_ site: SiteID, _ db: Connection) throws -> Bool

    /// Whether the peer or file that carried the batch may carry changes made by `origin` at all (a replica that
    /// does not act for the organization carries only its own). Asked before anything else, so that nothing a
    /// carrier may not pass on is ever held or applied: ``GateDecision/allow``, ``GateDecision/refuse(_:)``, or
    /// ``GateDecision/hold(_:)`` while the carrier's own standing is not known here yet (its binding has not arrived).
    func carries(_ origin: SiteID, _ db: Connection) throws -> GateDecision

    /// Whether changes made by `origin` are allowed whatever they write, once their carrier may carry them (the
    /// register's authority): the merge then skips judging them row by row. The default is false.
    func trusts(_ origin: SiteID) -> Bool

    /// The site of the peer or file writer that carried the batch, remembered with what is held so that held
    /// changes are judged again with the same carrier (``originGate(carrier:)``); nil when unknown.
    var carrier: SiteID? { get }

    /// True when the gate would allow every change from every origin (a trusted peer): the merge then skips asking
    /// it row by row. The default is false.
    var allowsEverything: Bool { get }

    /// The gate that judges held changes again, whichever peer or file carries the batch that is being applied: by
    /// their origin, and by the carrier that brought them (its standing may have become known since). The default
    /// is the gate itself.
    func originGate(carrier: SiteID?) -> any WriteGate

    /// The name of this replica's own read scope (as ``ReadScope/name`` names scopes), or nil when it may hold every
    /// row. A batch made for exactly this scope (`ChangeBatch.scope`) is stored as it is and its coverage claimed. Any
    /// other batch (made for another party, or unscoped) is filtered by ``keeps(table:id:_:)`` once it is
    /// merged, and claims no coverage: it may lack rows this replica may see, which a delta made for this replica
    /// will bring.
    func receiverScope(_ db: Connection) throws -> String?

    /// Whether this replica may store row `id` of `table` as it stands after merging a batch that was not made for
    /// its scope (a copy kept from before that is outside the scope now is not updated either).
    /// ``Replica/apply(_:gate:from:since:)`` asks about every live row such a batch wrote, on the state after the
    /// whole batch, and merges the batch again without the rows it may not keep: nothing of them is ever stored.
    func keeps(table: String, id: String, _ db: Connection) throws -> Bool
}

extension WriteGate {
    public var allowsEverything: Bool { false }
    public func originGate(carrier: SiteID?) -> any WriteGate { self }
    public func carries(_ origin: SiteID, _ db: Connection) throws -> GateDecision { .allow }
    public func mayCover(_ site: SiteID, _ db: Connection) throws -> Bool { try carries(site, db) == .allow }
    public var carrier: SiteID? { nil }
    public func trusts(_ origin: SiteID) -> Bool { false }
    public func receiverScope(_ db: Connection) throws -> String? { nil }
    public func keeps(table: String, id: String, _ db: Connection) throws -> Bool { true }
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
    /// judges it again after every batch it merges (with ``WriteGate/originGate(carrier:)``).
    case hold(String)
}
