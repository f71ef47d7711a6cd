/// What an export wrote: batches, row groups, cell changes and bytes.
public struct ChangeSetSummary: Sendable, Hashable {
    /// Batches written.
    public var batches = 0
    /// Row groups written.
    public var rows = 0
    /// Cell changes (and row deletes) written.
    public var cells = 0
    /// Bytes written, framing included.
    public var bytes = 0

    /// An empty summary.
    public init() {}
}
