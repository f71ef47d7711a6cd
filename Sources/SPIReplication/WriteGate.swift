public import SPISQLite

/// Decides which incoming changes a replica accepts, by the site that made them: the write half of access control.
///
/// ``Replica/apply(_:gate:)`` asks the gate about every row change before merging it, inside the apply transaction,
/// so the gate reads the replica's state as it is at that point (earlier changes of the same batch included). A
/// refused change is not applied and is reported in ``ApplyReport/refusals``; the rest of the batch still applies.
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
}

extension WriteGate {
    public var allowsEverything: Bool { false }
}

/// A ``WriteGate``'s verdict on one row change.
public enum GateDecision: Sendable, Hashable {
    /// The change may be applied.
    case allow
    /// Nothing of the change may be applied.
    case refuse(String)
    /// These columns may not be written; the change's other cells may.
    case refuseColumns(Set<String>, String)
}
