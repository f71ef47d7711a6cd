import Foundation
import SwiftProtobuf

/// One batch of changes a replica sends to another: cell changes grouped by row, with the coverage the receiver may
/// claim once it has committed them (protocol/changes.md §5).
///
/// A delta reads batches with ``Replica/nextBatch(_:maxCells:)``, and the receiving replica merges each with
/// ``Replica/apply(_:gate:from:since:)``, which validates it first. In between, a batch is an opaque value in its wire
/// form (`ChangeBatch` in `protocol/spi_changes.proto`): a transport sends its ``serializedBytes()`` and reads it back
/// with ``init(serializedBytes:)``, and nothing else needs to look inside.
///
/// ```swift
/// var cursor = try sender.deltaCursor(for: try receiver.knowledge())
/// while let batch = try sender.nextBatch(&cursor, maxCells: 2048) {
///     print("\(batch.rowCount) rows, \(batch.changeCount) changes")
///     try receiver.apply(batch)
/// }
/// ```
public struct ChangeBatch: Sendable, Hashable {
    /// The batch's protobuf message, as the package's replication and sync code reads and writes it.
    package var message: Spi_V1_ChangeBatch

    /// Wraps a batch's protobuf message (no copy: the message's storage is shared).
    package init(_ message: Spi_V1_ChangeBatch) {
        self.message = message
    }

    /// Reads a batch from its wire form; the bytes are only parsed here, and validated when the batch is applied.
    ///
    /// - Throws: a `SwiftProtobuf.BinaryDecodingError` when the bytes are not a `ChangeBatch` message.
    public init(serializedBytes bytes: [UInt8]) throws {
        self.message = try Spi_V1_ChangeBatch(serializedBytes: bytes)
    }

    /// The batch's wire form.
    public func serializedBytes() throws -> [UInt8] {
        try message.serializedBytes()
    }

    /// The row groups in the batch (a row may appear once per origin site and version).
    public var rowCount: Int { message.rows.count }

    /// The cell changes in the batch.
    public var cellCount: Int {
        message.rows.reduce(0) { $0 + $1.cells.count }
    }

    /// The changes in this batch: each cell change, plus each row's causal-length change (as `ApplyReport` counts
    /// them).
    public var changeCount: Int {
        message.rows.reduce(0) { $0 + $1.cells.count + ($1.rowVersion ? 1 : 0) }
    }

    /// The read scope the sender filtered the batch by: empty for none, otherwise a name the register defines
    /// (`party:ID`, `unbound`).
    public var scope: String { message.scope }

    /// An upper bound on the batch's serialized size, in bytes, computed without encoding it (see
    /// `Spi_V1_ChangeBatch.serializedSizeBound`).
    package var serializedSizeBound: Int { message.serializedSizeBound }
}
