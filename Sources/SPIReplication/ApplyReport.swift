/// What applying change sets did, counted in changes (a cell change, or a row's delete or re-create).
///
/// ```swift
/// let report = try replica.apply(batch)
/// print("\(report.applied) applied, \(report.alreadyKnown) already known, \(report.lost) lost to newer values")
/// ```
public struct ApplyReport: Sendable, Hashable {
    /// Changes that took effect.
    public var applied = 0
    /// Changes this replica already held.
    public var alreadyKnown = 0
    /// Changes that lost to a newer value or a later delete already held here.
    public var lost = 0
    /// Changes a ``WriteGate`` refused: their origin may not make them. They were not applied.
    public var refused = 0
    /// What was refused and why, one entry per refused row change (or per refused set of its cells).
    public var refusals: [Refusal] = []
    /// Changes of a batch made for another read scope than this replica's that it did not store: rows outside its
    /// own scope, and changes it could not judge yet (such a batch claims no coverage, so they come again in a delta
    /// made for this replica).
    public var discarded = 0
    /// Row changes in the held store after the last batch: their authority (or scope) cannot be established yet.
    /// They are kept aside, not applied and not counted in this replica's knowledge, and judged again after every
    /// batch (``Replica/heldChanges(limit:)``).
    public var held = 0
    /// Changes held earlier (from any peer or file) that this batch's rows let this replica judge, and that it
    /// applied. Not counted in ``applied``: they are not the current sender's.
    public var heldApplied = 0
    /// Changes held earlier that were then refused (logged in the refusal log with the peer that carried them).
    public var heldRefused = 0
    /// Sites whose coverage a batch offered but this replica did not claim: the batch was computed against knowledge
    /// of them that this replica does not have (a change-set file made for another replica). Their changes were
    /// applied; the rest must come from a delta computed against this replica's own knowledge.
    public var uncovered: Set<SiteID> = []
    /// Sites whose key is held by two replicas, as this batch showed: the site signed two different sets of changes
    /// at one clock, or (for this replica's own site) the batch brought changes signed with this replica's key that
    /// it never signed. Either a replica file was copied with its key, or this one was restored from an older backup
    /// (then its own site appears, and nothing is wrong). The changes were applied as usual; the cure for a copy is
    /// `spi key rotate` on it.
    public var sharedKeys: Set<SiteID> = []
    /// Row groups processed.
    public var rows = 0
    /// Concurrent edits newly recorded in the conflict log.
    public var conflicts = 0
    /// Batches committed.
    public var batches = 0
    /// When applying a change-set file: its bytes read so far, and its size (for progress); 0 otherwise.
    public var bytesRead = 0
    /// When applying a change-set file: its size in bytes; 0 otherwise.
    public var fileBytes = 0

    /// An empty report.
    public init() {}

    /// Adds another report's counts to this one.
    public mutating func add(_ other: ApplyReport) {
        applied += other.applied
        alreadyKnown += other.alreadyKnown
        lost += other.lost
        refused += other.refused
        refusals += other.refusals
        discarded += other.discarded
        heldApplied += other.heldApplied
        heldRefused += other.heldRefused
        uncovered.formUnion(other.uncovered)
        sharedKeys.formUnion(other.sharedKeys)
        held = other.held
        rows += other.rows
        conflicts += other.conflicts
        batches += other.batches
    }

    /// All changes seen.
    public var total: Int { applied + alreadyKnown + lost + refused + discarded }
}
