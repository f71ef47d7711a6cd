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
/// }
/// ```
public protocol WriteGate {
    /// Whether every incoming change must carry its origin's proof (protocol/changes.md §7): a batch with a change
    /// that has none is refused whole. A proof that is present is checked in any case. The default is true.
    var requiresProof: Bool { get }

    /// Whether `origin` may make `write`.
    func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision

    /// Whether the sender may claim coverage for `site`'s changes: that this replica holds every change of `site` it
    /// may see once the batch is merged (a peer that does not hold them all must not be able to make this replica
    /// believe it does, or the missing ones would never be sent again). The default is true.
    func mayCover(_ site: SiteID, _ db: Connection) throws -> Bool

    /// Whether changes made by `origin` are allowed whatever they write (the register's authority): the merge then
    /// skips judging them row by row. The default is false.
    func trusts(_ origin: SiteID) -> Bool

    /// The site of the peer or file writer that carried the batch, remembered with what is held so that held
    /// changes are judged again with the same carrier (``originGate(carrier:)``); nil when unknown.
    var carrier: SiteID? { get }

    /// True when the gate would allow every change from every origin (a trusted peer): the merge then skips asking
    /// it row by row. The default is false.
    var allowsEverything: Bool { get }

    /// The gate that judges held changes again, whichever peer or file carries the batch that is being applied: by
    /// their origin, with the carrier that brought them (a change relayed by a carrier that acts for the organization
    /// is trusted). The default is the gate itself.
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
    public var requiresProof: Bool { true }
    public var allowsEverything: Bool { false }
    public func originGate(carrier: SiteID?) -> any WriteGate { self }
    public func mayCover(_ site: SiteID, _ db: Connection) throws -> Bool { true }
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
