public import SPIReplication
import SwiftProtobuf

/// How large an outgoing change batch may be: at most a number of cells, and small enough for one frame
/// (protocol/sync.md §4.1, §7.2).
///
/// ``nextBatch(from:read:)`` reads a batch from a delta cursor and, when the batch would not fit one frame, reads it
/// again, smaller, from the same place. A store (``SyncStore/nextBatch()``) calls it with its replica's reader, so
/// that every transport cuts batches the same way.
///
/// ```swift
/// let limit = BatchSizeLimit(maximumFrameSize: SyncProtocol.maximumFrameSize, maximumCells: 2048)
/// let batch = try limit.nextBatch(from: &cursor) { cursor, cells in
///     try replica.nextBatch(&cursor, maxCells: cells)
/// }
/// ```
public struct BatchSizeLimit: Sendable, Hashable {
    /// The room a `Batch` message's envelope and sequence take in a frame, beside the change batch.
    static let messageOverhead = 64

    /// The largest frame payload, in bytes; the change batch gets this less a small overhead for its message.
    public var maximumFrameSize: Int
    /// The most cells the first read of a batch asks for.
    public var maximumCells: Int

    /// Creates a limit of `maximumCells` cells per batch, within frames of `maximumFrameSize` bytes.
    public init(maximumFrameSize: Int = SyncProtocol.maximumFrameSize, maximumCells: Int = 2048) {
        self.maximumFrameSize = maximumFrameSize
        self.maximumCells = maximumCells
    }

    /// Reads the next batch within the limit, and advances `cursor` past it.
    ///
    /// `read` reads the batch at a cursor with at most the given number of cells, advancing its copy of the cursor;
    /// nil means the delta is exhausted. A batch that would not fit one frame is read again from the same place with
    /// a quarter of the cells, until it fits; the size is computed only when a cheap upper bound says it might not.
    /// `cursor` moves only past the batch returned (or to the end, when the delta is exhausted).
    ///
    /// - Returns: the batch, or nil when the delta is exhausted.
    /// - Throws: what `read` throws, or a ``SyncError`` with `SyncError.Code.internalError` when a single change is
    ///   too large for a frame.
    public func nextBatch<Cursor>(
        from cursor: inout Cursor, read: (inout Cursor, _ maximumCells: Int) throws -> ChangeBatch?
    ) throws -> ChangeBatch? {
        let limit = maximumFrameSize - Self.messageOverhead
        var cells = maximumCells
        while true {
            // The cursor is a value: a batch too large for a frame is read again, smaller, from the same place.
            var attempt = cursor
            guard let batch = try read(&attempt, cells) else {
                cursor = attempt
                return nil
            }
            // Encoded only when the cheap bound says it might not fit.
            let size = batch.serializedSizeBound <= limit ? 0 : (try batch.serializedBytes() as [UInt8]).count
            if size <= limit {
                cursor = attempt
                return batch
            }
            guard cells > 1 else {
                throw SyncError(
                    .internalError,
                    "a single change of \(size) bytes exceeds the maximum frame size; it cannot be synced")
            }
            cells = max(1, cells / 4)
        }
    }
}
