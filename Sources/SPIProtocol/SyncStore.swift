public import SPIReplication

/// The replica side of a sync session: what ``SyncSessionDriver`` asks of local storage.
///
/// The transport implements it over a `Replica` owned by a `SerialOwner` (SQLite never runs on an event loop); tests
/// implement it in memory. The driver calls one method at a time, in order, from one task, so an implementation
/// needs no locking of its own.
///
/// ```swift
/// final class MemoryStore: SyncStore {
///     func knowledge() async throws -> Knowledge { … }
///     …
/// }
/// ```
public protocol SyncStore {
    /// What the local replica holds now: the first call of a session, made once its handshake is done.
    func knowledge() async throws -> Knowledge
    /// Prepares the delta of the changes a peer with `peer` knowledge lacks.
    func startDelta(for peer: Knowledge) async throws
    /// The next batch of that delta, small enough for one frame; nil when the delta is exhausted.
    ///
    /// ``BatchSizeLimit/nextBatch(from:read:)`` cuts a batch to fit a frame, given a way to read one from a cursor.
    func nextBatch() async throws -> ChangeBatch?
    /// Applies a batch atomically, with its knowledge bookkeeping, and commits it durably.
    ///
    /// - Throws: a ``SyncError`` with `SyncError.Code.invalidBatch` when the batch fails validation (nothing of it
    ///   is applied); any other error is reported to the peer as an internal error.
    func apply(_ batch: ChangeBatch) async throws -> ApplyReport
}
