public import SPISQLite

extension Replica {
    /// The largest value a cell may hold, in bytes (text as UTF-8, a blob as it is): 1 MiB (protocol/changes.md §1),
    /// far below the sync protocol's 16 MiB frame, so that any single change fits in a batch.
    ///
    /// - The register refuses a larger value when it is written (`RegisterError.Code.invalidValue`).
    /// - A larger value that reached a replica another way (the `sqlite3` shell, a library user, a file written by an
    ///   older version) is not sent: its cell is left out of deltas, exports and origin proofs, with a warning, and
    ///   `spi check` reports the row. The replica's other changes replicate as usual.
    /// - A batch that carries a larger value is refused whole (`ReplicationError.Code.malformed`).
    ///
    /// Text that is not valid UTF-8 is handled the same way: it reads as its exact bytes (never repaired), which a
    /// text column does not take, so its cell is left out of deltas with a warning (protocol/changes.md §1).
    public static let maximumValueBytes = 1 << 20
}

extension DatabaseValue {
    /// The value's size as the limit counts it: UTF-8 bytes of text, bytes of a blob, 8 for numbers, 0 for null.
    public var limitedByteCount: Int {
        switch self {
        case .null: 0
        case .integer, .real: 8
        case .text(let text): text.utf8.count
        case .blob(let bytes): bytes.count
        }
    }
}
