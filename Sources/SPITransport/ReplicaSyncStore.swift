import Logging
import SPIProtocol
import SPIReplication
import SPIIdentity

/// A ``SyncStore`` over a replica file: its own `Replica` connection, reached only through a ``SerialOwner``, so
/// SQLite never blocks an event loop or Swift's cooperative threads.
///
/// Each session opens its own store (a separate SQLite connection; WAL and the busy timeout make concurrent
/// sessions and local edits safe).
final class ReplicaSyncStore: SyncStore {
    /// The replica and the session's state around it, owned by ``owner``.
    private final class Handle {
        let replica: Replica
        var cursor: DeltaCursor?
        var access = SessionAccess()
        var peer = "peer"
        /// The verified peer's site.
        var peerSite: SiteID?
        init(replica: Replica) { self.replica = replica }
    }

    private let owner: SerialOwner<Handle>
    private let batchSizeLimit: BatchSizeLimit
    /// The turns at writing that this store's writes wait for (a server's sessions share one); nil: none.
    private let writeTurn: TurnQueue?
    private let logger: Logger
    /// The replica's register.
    let registerID: RegisterID
    /// The replica's site.
    let siteID: SiteID

    private init(
        owner: SerialOwner<Handle>, registerID: RegisterID, siteID: SiteID, maximumFrameSize: Int,
        maximumCellsPerBatch: Int, writeTurn: TurnQueue?, logger: Logger
    ) {
        self.owner = owner
        self.writeTurn = writeTurn
        self.logger = logger
        self.batchSizeLimit = BatchSizeLimit(maximumFrameSize: maximumFrameSize, maximumCells: maximumCellsPerBatch)
        self.registerID = registerID
        self.siteID = siteID
    }

    /// Opens the replica at `path`, off the cooperative threads.
    static func open(
        path: String, logger: Logger, maximumFrameSize: Int = SyncProtocol.maximumFrameSize,
        maximumCellsPerBatch: Int = 2048, writeTurn: TurnQueue? = nil
    ) async throws -> ReplicaSyncStore {
        let owner = try await SerialOwner.open(label: "spi.sync.session") {
            Handle(replica: try Replica(path: path, logger: logger))
        }
        let (registerID, siteID) = try await owner.run { ($0.replica.registerID, $0.replica.siteID) }
        return ReplicaSyncStore(
            owner: owner, registerID: registerID, siteID: siteID, maximumFrameSize: maximumFrameSize,
            maximumCellsPerBatch: maximumCellsPerBatch, writeTurn: writeTurn, logger: logger)
    }

    /// Runs `body`, which writes the replica, on this store's turn at writing (at once without one).
    private func writing<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard let writeTurn else { return try await body() }
        return try await writeTurn.run(body)
    }

    /// Settles what the verified `peer` may do in this session; call it once, before the session runs.
    ///
    /// - Throws: a ``SyncError`` with `SyncError.Code.internalError` when the access cannot be determined.
    func authorize(peer: PeerID, name: String, accessControl: (any SyncAccessControl)?) async throws {
        let description: String
        do {
            description = try await owner.run { handle in
                handle.peerSite = peer.siteID
                handle.peer = "\(name) (\(peer.shortDescription))"
                guard let accessControl else { return handle.access.description }
                handle.access = try accessControl.access(for: peer, replica: handle.replica)
                return handle.access.description
            }
        } catch {
            throw SyncError(.internalError, "cannot determine what peer \(name) may do", underlying: error)
        }
        logger.debug("session access", metadata: ["sync.access": "\(description)"])
    }

    func knowledge() async throws -> Knowledge {
        try await owner.run { try $0.replica.knowledge() }
    }

    func startDelta(for peer: Knowledge) async throws {
        // A delta starts by stamping pending writes, in a write transaction.
        let (held, site) = try await writing {
            try await owner.run { handle -> (UInt64?, SiteID?) in
                handle.cursor = try handle.replica.deltaCursor(for: peer, scope: handle.access.scope)
                // A replica always holds every change of its own site. One that knows fewer of them than this replica
                // holds was restored from an older backup, or another replica uses its key (a copied replica file).
                guard let site = handle.peerSite else { return (nil, nil) }
                let mine = try handle.replica.knowledge()[site]
                return (mine > peer[site] ? mine : nil, site)
            }
        }
        if let held, let site {
            logger.warning(
                "the peer knows fewer of its own changes than this replica holds: it was restored from an older backup, or another replica uses its key (a copied replica file: run `spi key rotate` on the copy)",
                metadata: [
                    "sync.peer.site": "\(site)", "sync.peer.knows": "\(peer[site])", "sync.holds": "\(held)",
                ])
        }
    }

    func nextBatch() async throws -> ChangeBatch? {
        let limit = batchSizeLimit
        let read = { @Sendable (handle: Handle) throws -> ChangeBatch? in
            guard var cursor = handle.cursor else { return nil }
            defer { handle.cursor = cursor }
            return try limit.nextBatch(from: &cursor) { cursor, cells in
                try handle.replica.nextBatch(&cursor, maxCells: cells)
            }
        }
        // A batch that stamps writes committed meanwhile, or signs this replica's own changes it carries, writes: it
        // waits for the store's turn at writing, like `apply`. Most batches only read, and do not wait.
        guard writeTurn != nil else { return try await owner.run(read) }
        let writes = try await owner.run { handle in
            guard let cursor = handle.cursor else { return false }
            return try handle.replica.nextBatchWrites(cursor)
        }
        guard writes else { return try await owner.run(read) }
        return try await writing { try await owner.run(read) }
    }

    func apply(_ batch: ChangeBatch) async throws -> ApplyReport {
        do {
            let report = try await writing {
                try await owner.run { handle in
                    try handle.replica.apply(batch, gate: handle.access.gate, from: handle.peer)
                }
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
