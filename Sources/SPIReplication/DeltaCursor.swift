/// A position in an outgoing delta: which changes a peer still lacks, and how far sending them has got.
///
/// Make one with ``Replica/deltaCursor(for:scope:)`` from the peer's knowledge, then call
/// ``Replica/nextBatch(_:maxCells:)`` until it returns nil. Each batch is read in its own short transaction and is
/// self-contained, so a cursor can be driven at the pace of a network connection while the replica keeps accepting
/// writes.
public struct DeltaCursor: Sendable {
    struct RowPosition: Sendable {
        var clock: Int64
        var table: Int64
        var id: String
    }
    struct CellPosition: Sendable {
        var clock: Int64
        var table: Int64
        var id: String
        var column: Int64
    }

    /// The knowledge of the peer the delta is for.
    public let peer: Knowledge
    /// With a ``ReadScope``: this replica's knowledge when the cursor was made. The delta stops there, because the
    /// scope was evaluated on that snapshot.
    var upper: Knowledge?
    /// With a ``ReadScope``: whether rows that entered the peer's scope are still to be sent in full.
    var resending = false
    /// The last row resent in full: table number and stored id.
    var resendPosition: (table: Int64, id: String)?
    /// The scope's name, stamped on every batch (``ReadScope/name``).
    var scopeName = ""
    /// Tables whose live rows are still to be sent whole before anything else (``ReadScope/leadingTables``).
    var leading: [Int64] = []
    /// Whether the leading rows are limited to the rows the scope lets the peer see (`temp._spi_visible`).
    var leadingFiltered = true
    /// Whether the delta may claim coverage of other sites than the sender's (``ReadScope/coversOtherSites``).
    var coversOtherSites = true
    /// The origins the scope limits the delta to (nil: every origin).
    var origins: Set<SiteID>?
    /// Whether the answers to the peer's wants and the refusal marks it lacks are still to be sent (first, with the
    /// first batch: protocol/changes.md §8).
    var repairing = false
    /// With a ``ReadScope``: the tables of which the peer may see every row, held here or not
    /// (``ReadScope/seesEveryRow(of:)``). Marks of rows this replica does not hold travel to the peer only there.
    var openTables: Set<Int64> = []
    /// Sites still to send, in site order; the first is the one in progress.
    var sites: [SiteID]
    var rowPosition: RowPosition?
    var cellPosition: CellPosition?
    /// Batches produced so far.
    public internal(set) var batches = 0
    /// Row groups and cells produced so far.
    public internal(set) var rows = 0
    /// Cell changes produced so far.
    public internal(set) var cells = 0

    /// Whether every change the peer lacks has been produced.
    public var isFinished: Bool { sites.isEmpty && !resending && leading.isEmpty && !repairing }

    /// Whether the delta is limited by a ``ReadScope``.
    public var isScoped: Bool { upper != nil }
}
