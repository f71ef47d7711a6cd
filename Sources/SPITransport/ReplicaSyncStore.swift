import Logging
import NIOPosix
import SPIProtocol
import SPIReplication
import SwiftProtobuf
import SPIIdentity

/// A ``SyncStore`` over a replica file: its own `Replica` connection, used only on a thread pool, so SQLite never
/// blocks an event loop.
///
/// Each session opens its own store (a separate SQLite connection; WAL and the busy timeout make concurrent
/// sessions and local edits safe).
final class ReplicaSyncStore: SyncStore {
    /// The replica and the delta cursor, handed to the thread pool one call at a time.
    ///
    /// `@unchecked Sendable`: `Replica` is not thread-safe, but the session driver makes one store call at a time
    /// and awaits it, so no two threads ever touch the replica or the cursor at once.
    private final class Handle: @unchecked Sendable {
        let replica: Replica
        var cursor: DeltaCursor?
        var access = SessionAccess()
        var peer = "peer"
        /// The verified peer's site.
        var peerSite: SiteID?
        init(replica: Replica) { self.replica = replica }
    }

    private let handle: Handle
    private let threadPool: NIOThreadPool
    private let maximumFrameSize: Int
    private let maximumCellsPerBatch: Int
    private let logger: Logger
    /// The replica's register.
    let registerID: RegisterID
    /// The replica's site.
    let siteID: SiteID

    private init(
        handle: Handle, threadPool: NIOThreadPool, maximumFrameSize: Int, maximumCellsPerBatch: Int, logger: Logger
    ) {
        self.handle = handle
        self.logger = logger
        self.threadPool = threadPool
        self.maximumFrameSize = maximumFrameSize
        self.maximumCellsPerBatch = maximumCellsPerBatch
        self.registerID = handle.replica.registerID
        self.siteID = handle.replica.siteID
    }

    /// Opens the replica at `path` on the thread pool.
    static func open(
        path: String, threadPool: NIOThreadPool, logger: Logger,
        maximumFrameSize: Int = SyncProtocol.maximumFrameSize, maximumCellsPerBatch: Int = 2048
    ) async throws -> ReplicaSyncStore {
        let handle = try await threadPool.runIfActive { Handle(replica: try Replica(path: path, logger: logger)) }
        return ReplicaSyncStore(
            handle: handle, threadPool: threadPool, maximumFrameSize: maximumFrameSize,
            maximumCellsPerBatch: maximumCellsPerBatch, logger: logger)
    }

    /// Settles what the verified `peer` may do in this session; call it once, before the session runs.
    ///
    /// - Throws: a ``SyncError`` with `SyncError.Code.internalError` when the access cannot be determined.
    func authorize(peer: PeerID, name: String, accessControl: (any SyncAccessControl)?) async throws {
        handle.peerSite = peer.siteID
        handle.peer = "\(name) (\(peer.shortDescription))"
        guard let accessControl else { return }
        let handle = handle
        do {
            try await threadPool.runIfActive {
                handle.access = try accessControl.access(for: peer, replica: handle.replica)
                handle.peer = "\(name) (\(peer.shortDescription))"
            }
        } catch {
            throw SyncError(.internalError, "cannot determine what peer \(name) may do", underlying: error)
        }
        logger.debug("session access", metadata: ["sync.access": "\(handle.access.description)"])
    }

    func knowledge() async throws -> Knowledge {
        let handle = handle
        return try await threadPool.runIfActive { try handle.replica.knowledge() }
    }

    func startDelta(for peer: Knowledge) async throws {
        let handle = handle
        let held = try await threadPool.runIfActive { () -> UInt64? in
            handle.cursor = try handle.replica.deltaCursor(for: peer, scope: handle.access.scope)
            // A replica always holds every change of its own site. One that knows fewer of them than this replica
            // holds was restored from an older backup, or another replica uses its key (a copied replica file).
            guard let site = handle.peerSite else { return nil }
            let mine = try handle.replica.knowledge()[site]
            return mine > peer[site] ? mine : nil
        }
        if let held, let site = handle.peerSite {
            logger.warning(
                "the peer knows fewer of its own changes than this replica holds: it was restored from an older backup, or another replica uses its key (a copied replica file: run `spi key rotate` on the copy)",
                metadata: [
                    "sync.peer.site": "\(site)", "sync.peer.knows": "\(peer[site])", "sync.holds": "\(held)",
                ])
        }
    }

    func nextBatch() async throws -> Spi_V1_ChangeBatch? {
        let handle = handle
        let limit = maximumFrameSize - 64
        let maximumCells = maximumCellsPerBatch
        return try await threadPool.runIfActive {
            guard let cursor = handle.cursor else { return nil }
            var cells = maximumCells
            while true {
                // The cursor is a value: a batch too large for a frame is read again, smaller, from the same place.
                var attempt = cursor
                guard let batch = try handle.replica.nextBatch(&attempt, maxCells: cells) else {
                    handle.cursor = attempt
                    return nil
                }
                // Encoded only when the cheap bound says it might not fit.
                let size = batch.serializedSizeBound <= limit ? 0 : (try batch.serializedBytes() as [UInt8]).count
                if size <= limit {
                    handle.cursor = attempt
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

    func apply(_ batch: Spi_V1_ChangeBatch) async throws -> ApplyReport {
        let handle = handle
        do {
            let report = try await threadPool.runIfActive {
                try handle.replica.apply(batch, gate: handle.access.gate, from: handle.peer)
            }
            for refusal in report.refusals {
                logger.warning(
                    "refused a change",
                    metadata: [
                        "sync.refused.table": "\(refusal.table)", "sync.refused.id": "\(refusal.id)",
                        "sync.refused.origin": "\(refusal.origin)", "sync.refused.reason": "\(refusal.reason)",
                        "sync.refused.columns": "\(refusal.columns.joined(separator: ","))",
                    ])
            }
            return report
        } catch let error as ReplicationError {
            throw SyncError(.invalidBatch, "a batch was refused: \(error.message)", underlying: error)
        }
    }
}

@available(*, unavailable)
extension ReplicaSyncStore: Sendable {}
