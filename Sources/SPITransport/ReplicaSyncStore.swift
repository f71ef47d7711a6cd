import Logging
import SPIProtocol
import SPIReplication
import SPIIdentity

/// A ``SyncStore`` over a replica file: its own `Replica` connection, reached only through a ``SerialOwner``, so
/// SQLite never blocks an event loop or Swift's cooperative threads.
///
/// Each session has its own store, and each store its own connection (WAL and the busy timeout make concurrent
/// sessions and local edits safe). A client's store opens at once
/// (``open(path:logger:maximumFrameSize:maximumCellsPerBatch:writeTurn:)``). A server's opens on first use, after
/// the handshake, on its turn among the server's open stores, and gives the turn back when its session ends
/// (``deferred(_:registerID:siteID:logger:maximumCellsPerBatch:writeTurn:)``, ``close()``; see ``OpenStoreLimit``).
final class ReplicaSyncStore: SyncStore {
    /// The replica and the session's state around it, owned by a ``SerialOwner``.
    private final class Handle {
        let replica: Replica
        var cursor: DeltaCursor?
        var access = SessionAccess()
        var peer = "peer"
        /// The verified peer's site.
        var peerSite: SiteID?
        init(replica: Replica) { self.replica = replica }
    }

    /// How a server's store opens on first use.
    struct Opening: Sendable {
        /// The replica file.
        var path: String
        /// The server's open stores: the store waits for its turn among them.
        var limit: OpenStoreLimit
        /// The session's connection, whose idle clock stops while the store waits for a turn.
        var connection: ConnectionContext
        /// Whether the session's connection is still open: a store whose peer left while it waited does not open.
        var isConnected: @Sendable () -> Bool
    }

    private enum Phase {
        /// Not open yet: it opens on first use.
        case deferred(Opening)
        /// Open; with the limit whose turn it holds, for a server's store.
        case open(SerialOwner<Handle>, limit: OpenStoreLimit?)
        /// Closed, or failed to open.
        case closed
    }

    /// Who the peer is and what decides its access, applied when the store opens.
    private struct Authorization {
        let peer: PeerID
        let name: String
        let accessControl: (any SyncAccessControl)?
    }

    private var phase: Phase
    private var authorization: Authorization?
    private let batchSizeLimit: BatchSizeLimit
    /// The turns at writing that this store's writes wait for (a server's sessions share one); nil: none.
    private let writeTurn: TurnQueue?
    /// The session's connection, whose idle clock stops while this store waits for a turn; nil: a client's store.
    private let connection: ConnectionContext?
    private let logger: Logger
    /// The replica's register.
    let registerID: RegisterID
    /// The replica's site.
    let siteID: SiteID

    private init(
        phase: Phase, registerID: RegisterID, siteID: SiteID, maximumFrameSize: Int, maximumCellsPerBatch: Int,
        writeTurn: TurnQueue?, connection: ConnectionContext?, logger: Logger
    ) {
        self.phase = phase
        self.writeTurn = writeTurn
        self.connection = connection
        self.logger = logger
        self.batchSizeLimit = BatchSizeLimit(maximumFrameSize: maximumFrameSize, maximumCells: maximumCellsPerBatch)
        self.registerID = registerID
        self.siteID = siteID
    }

    deinit {
        // A session ends with ``close()``; this is the safety net for a path that does not.
        close()
    }

    /// Opens the replica at `path` now, off the cooperative threads.
    static func open(
        path: String, logger: Logger, maximumFrameSize: Int = SyncProtocol.maximumFrameSize,
        maximumCellsPerBatch: Int = 2048, writeTurn: TurnQueue? = nil
    ) async throws -> ReplicaSyncStore {
        let owner = try await openOwner(path: path, logger: logger)
        let (registerID, siteID) = try await owner.run { ($0.replica.registerID, $0.replica.siteID) }
        return ReplicaSyncStore(
            phase: .open(owner, limit: nil), registerID: registerID, siteID: siteID,
            maximumFrameSize: maximumFrameSize, maximumCellsPerBatch: maximumCellsPerBatch, writeTurn: writeTurn,
            connection: nil, logger: logger)
    }

    /// A store that opens the replica on first use, on its turn among `opening`'s open stores, for a server's session.
    ///
    /// - Parameters:
    ///   - registerID: the replica's register, which the handshake announces before the store opens.
    ///   - siteID: the replica's site, likewise; the store refuses to open a replica whose site has changed since.
    static func deferred(
        _ opening: Opening, registerID: RegisterID, siteID: SiteID, logger: Logger,
        maximumFrameSize: Int = SyncProtocol.maximumFrameSize, maximumCellsPerBatch: Int = 2048,
        writeTurn: TurnQueue? = nil
    ) -> ReplicaSyncStore {
        ReplicaSyncStore(
            phase: .deferred(opening), registerID: registerID, siteID: siteID, maximumFrameSize: maximumFrameSize,
            maximumCellsPerBatch: maximumCellsPerBatch, writeTurn: writeTurn, connection: opening.connection,
            logger: logger)
    }

    private static func openOwner(path: String, logger: Logger) async throws -> SerialOwner<Handle> {
        try await SerialOwner.open(label: "spi.sync.session") {
            Handle(replica: try Replica(path: path, logger: logger))
        }
    }

    /// The open replica: opens it first if it is not open yet, on its turn.
    ///
    /// - Throws: a ``SyncError``: `SyncError.Code.connectionClosed` when the session's connection closed while the
    ///   store waited, `SyncError.Code.internalError` when the replica cannot be opened or the peer's access
    ///   determined.
    private func opened() async throws -> SerialOwner<Handle> {
        switch phase {
        case .open(let owner, _):
            return owner
        case .closed:
            throw SyncError(.internalError, "the session's replica connection is closed")
        case .deferred(let opening):
            await opening.connection.waitingForTurn { await opening.limit.acquire() }
            phase = .closed
            guard opening.isConnected() else {
                opening.limit.release()
                throw SyncError(.connectionClosed, "the connection closed while the session waited for the replica")
            }
            let owner: SerialOwner<Handle>
            let site: SiteID
            do {
                owner = try await Self.openOwner(path: opening.path, logger: logger)
                site = try await owner.run { $0.replica.siteID }
            } catch {
                opening.limit.release()
                throw SyncError(.internalError, "the server cannot open its replica", underlying: error)
            }
            opening.limit.opened()
            phase = .open(owner, limit: opening.limit)
            do {
                guard site == siteID else {
                    throw SyncError(
                        .internalError,
                        "the server's replica has a new site since the server started (a key rotation?): restart it")
                }
                if let authorization { try await apply(authorization, to: owner) }
            } catch {
                // Never serve a session whose access is not settled: the store closes, and every later call fails.
                close()
                throw error
            }
            return owner
        }
    }

    /// Closes the replica connection and gives the store's turn back (a server's store); the store cannot be used
    /// again. Call it when the session ends.
    func close() {
        if case .open(_, let limit?) = phase {
            limit.closed()
            limit.release()
        }
        phase = .closed
    }

    /// Runs `body`, which writes the replica, on this store's turn at writing (at once without one).
    private func writing<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard let writeTurn else { return try await body() }
        if let connection {
            await connection.waitingForTurn { await writeTurn.acquire() }
        } else {
            await writeTurn.acquire()
        }
        defer { writeTurn.release() }
        return try await body()
    }

    /// Settles what the verified `peer` may do in this session; call it once, before the session runs. A store that
    /// is not open yet settles it when it opens.
    ///
    /// - Throws: a ``SyncError`` with `SyncError.Code.internalError` when the access cannot be determined.
    func authorize(peer: PeerID, name: String, accessControl: (any SyncAccessControl)?) async throws {
        let authorization = Authorization(peer: peer, name: name, accessControl: accessControl)
        self.authorization = authorization
        if case .open(let owner, _) = phase { try await apply(authorization, to: owner) }
    }

    private func apply(_ authorization: Authorization, to owner: SerialOwner<Handle>) async throws {
        let (peer, name, accessControl) = (authorization.peer, authorization.name, authorization.accessControl)
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
        try await opened().run { try $0.replica.knowledge() }
    }

    func startDelta(for peer: Knowledge) async throws {
        // A delta starts by stamping pending writes, in a write transaction. The store opens before its write turn.
        let owner = try await opened()
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
        let owner = try await opened()
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
        let owner = try await opened()
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
