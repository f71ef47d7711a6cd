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
    /// Row groups processed.
    public var rows = 0
    /// Concurrent edits newly recorded in the conflict log.
    public var conflicts = 0
    /// Batches committed.
    public var batches = 0

    /// An empty report.
    public init() {}

    /// Adds another report's counts to this one.
    public mutating func add(_ other: ApplyReport) {
        applied += other.applied
        alreadyKnown += other.alreadyKnown
        lost += other.lost
        refused += other.refused
        refusals += other.refusals
        rows += other.rows
        conflicts += other.conflicts
        batches += other.batches
    }

    /// All changes seen.
    public var total: Int { applied + alreadyKnown + lost + refused }
}
