import Foundation
public import Logging
public import NIOCore
public import NIOPosix
import NIOSSL
import SPIProtocol
public import SPIReplication
public import ServiceLifecycle
public import SPIIdentity

/// Serves sync sessions to trusted peers (what `spi serve` runs): a swift-service-lifecycle `Service`.
///
/// Every accepted connection gets its own child task with its own error handling, so one bad peer never brings the
/// server down. The server authenticates each peer with mutual TLS 1.3 pinned on the replica's trusted peer ids,
/// answers `Busy` beyond ``Configuration/maximumSessions`` sessions, and closes connections that stall the
/// handshake, go idle, or break the protocol. SQLite work runs on a thread pool, never on an event loop. At most
/// ``Configuration/maximumOpenStores`` sessions hold the replica open at once; the others wait their turn after the
/// handshake, so the server's memory is bounded by that number, not by the sessions.
///
/// On graceful shutdown (SIGINT or SIGTERM through a `ServiceGroup`) it stops accepting, lets running sessions
/// finish for ``Configuration/shutdownGracePeriod``, then ends the rest with `Error(SHUTTING_DOWN)`.
///
/// ```swift
/// let server = try SyncServer(
///     configuration: .init(replicaPath: "org.db", schemaVersion: RegisterSchema.version), logger: logger)
/// let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)
/// try await group.run()
/// ```
public final class SyncServer: Service, Sendable {
    /// What the server needs to know.
    public struct Configuration: Sendable {
        /// The replica file.
        public var replicaPath: String
        /// The replica's register schema version; each peer's must be equal.
        public var schemaVersion: UInt32
        /// Where to listen. The default is loopback only; binding elsewhere is an explicit choice.
        public var listen: PeerAddress
        /// The name announced to peers, for their logs.
        public var name: String
        /// The software announced to peers, for their logs.
        public var software: String
        /// The most sessions served at once; more get `Busy`.
        public var maximumSessions: Int
        /// The most sessions that hold the replica open at once, each through a SQLite connection of its own (about
        /// 2.5 MiB with its schema, statements and page cache); the others wait their turn, first come, first served.
        ///
        /// A session asks for its turn right after the handshake, when it first reads the replica, and keeps it to
        /// its end. Its peer meanwhile has the `HelloAck` and waits for the `Knowledge` that follows; the server's
        /// idle timeout does not count the wait. Raise it when many peers are slow (each keeps its connection while
        /// it is silent, up to ``idleTimeout``); a wait longer than the peers' own idle timeout (60 s in `spi sync`)
        /// makes them give up and retry.
        public var maximumOpenStores: Int
        /// The most connections open at once (sessions, TLS handshakes, `Busy` answers); beyond it a stalled
        /// handshake is closed to make room, or the new connection is.
        public var maximumConnections: Int
        /// The most TLS handshakes in progress at once, from anyone; beyond it the oldest silent (or stalled) one is
        /// closed to make room, or the new connection is (see `ConnectionLimiter`).
        public var maximumHandshakes: Int
        /// The most TLS handshakes in progress at once from one source address, handled the same way.
        public var maximumHandshakesPerAddress: Int
        /// How long the TLS handshake and the peer's `Hello` may take.
        public var handshakeTimeout: Duration
        /// How long a connection may stay silent during a session.
        public var idleTimeout: Duration
        /// The wait suggested to a peer answered `Busy`.
        public var busyRetryAfter: Duration
        /// How long running sessions may continue after a graceful shutdown begins.
        public var shutdownGracePeriod: Duration
        /// How many unacknowledged batches the server accepts per session.
        public var receiveWindow: UInt32
        /// What each verified peer may receive and write; nil lets every trusted peer do everything.
        public var accessControl: (any SyncAccessControl)?
        /// The most cell changes per batch sent.
        public var maximumCellsPerBatch: Int

        /// The default of ``maximumOpenStores`` (or ``maximumSessions``, when smaller).
        public static let defaultMaximumOpenStores = 8

        /// A configuration with the protocol's default limits, listening on loopback.
        ///
        /// - Parameter maximumOpenStores: nil for ``defaultMaximumOpenStores``; never more than `maximumSessions`.
        public init(
            replicaPath: String, schemaVersion: UInt32, listen: PeerAddress = .defaultListen,
            name: String? = nil, software: String = "spi", maximumSessions: Int = 8,
            maximumConnections: Int? = nil, maximumHandshakes: Int = 64, maximumHandshakesPerAddress: Int = 16,
            handshakeTimeout: Duration = .seconds(10),
            idleTimeout: Duration = .seconds(60), busyRetryAfter: Duration = .seconds(5),
            shutdownGracePeriod: Duration = .seconds(10), receiveWindow: UInt32 = 4,
            maximumCellsPerBatch: Int = 2048, accessControl: (any SyncAccessControl)? = nil,
            maximumOpenStores: Int? = nil
        ) {
            self.replicaPath = replicaPath
            self.schemaVersion = schemaVersion
            self.listen = listen
            self.name = name ?? ProcessInfo.processInfo.hostName
            self.software = software
            self.maximumSessions = max(1, maximumSessions)
            self.maximumOpenStores = max(
                1, min(maximumOpenStores ?? Self.defaultMaximumOpenStores, self.maximumSessions))
            self.maximumHandshakes = max(1, maximumHandshakes)
            self.maximumHandshakesPerAddress = max(1, min(maximumHandshakesPerAddress, self.maximumHandshakes))
            self.maximumConnections = maximumConnections ?? (self.maximumHandshakes + 2 * self.maximumSessions)
            self.handshakeTimeout = handshakeTimeout
            self.idleTimeout = idleTimeout
            self.busyRetryAfter = busyRetryAfter
            self.shutdownGracePeriod = shutdownGracePeriod
            self.receiveWindow = receiveWindow
            self.maximumCellsPerBatch = maximumCellsPerBatch
            self.accessControl = accessControl
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// The server's identity (its peer id is what peers must trust).
    public let identity: PeerIdentity
    private let eventLoopGroup: any EventLoopGroup
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let limiter: ConnectionLimiter
    private let registry = SessionRegistry()
    /// The sessions' turns at writing the replica, one at a time, in order (see ``TurnQueue``).
    private let writeTurn = TurnQueue(permits: 1)
    /// The sessions that hold the replica open, and those waiting to (see ``OpenStoreLimit``).
    let openStores: OpenStoreLimit
    /// The replica's register and site, which the handshake announces before a session's store opens.
    private let replicaRegisterID: RegisterID
    private let replicaSiteID: SiteID
    private let bound = ListeningAddress()

    /// Creates a server; it listens once ``run()`` is called.
    ///
    /// Loads the replica's identity (its key, which must be there: see `PeerIdentity.load(forReplicaAt:site:logger:)`).
    ///
    /// - Throws: `PeerError` when the key is missing, another replica's, or cannot be read;
    ///   `ReplicationError` when the replica cannot be opened.
    public init(
        configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        threadPool: NIOThreadPool = .singleton, logger: Logger
    ) throws {
        self.configuration = configuration
        let replica = try Replica(path: configuration.replicaPath, readOnly: true, logger: logger)
        let site = replica.siteID
        self.replicaRegisterID = replica.registerID
        self.replicaSiteID = site
        self.openStores = OpenStoreLimit(maximum: configuration.maximumOpenStores)
        self.identity = try PeerIdentity.load(forReplicaAt: configuration.replicaPath, site: site, logger: logger)
        self.eventLoopGroup = eventLoopGroup
        self.threadPool = threadPool
        self.logger = logger
        self.limiter = ConnectionLimiter(
            .init(
                maximumConnections: configuration.maximumConnections,
                maximumHandshakes: configuration.maximumHandshakes,
                maximumHandshakesPerAddress: configuration.maximumHandshakesPerAddress,
                maximumSessions: configuration.maximumSessions))
    }

    /// The server's peer id.
    public var peerID: PeerID { identity.peerID }

    /// The address the server listens on, once ``run()`` has bound it (with the real port when the configured one
    /// is 0). Throws if binding failed.
    public var listeningAddress: PeerAddress {
        get async throws { try await bound.value }
    }

    /// The number of sessions running now.
    public var activeSessions: Int { limiter.activeSessions }

    /// Listens and serves until cancelled or gracefully shut down.
    ///
    /// - Throws: `SyncError.Code.connectionFailed` when the address cannot be bound.
    public func run() async throws {
        let configuration = configuration
        let limiter = limiter
        let limits = SyncConnection.Limits(
            handshakeTimeout: configuration.handshakeTimeout, idleTimeout: configuration.idleTimeout,
            maximumFrameSize: SyncProtocol.maximumFrameSize)
        let trust = TrustedPeerCache(replicaPath: configuration.replicaPath, threadPool: threadPool, logger: logger)
        let logger = logger
        let serverChannel: NIOAsyncChannel<(ConnectionContext, SyncConnection.MessageChannel), Never>
        do {
            let sslContext = try SyncTLS.serverContext(identity: identity)
            serverChannel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.listen.host, port: configuration.listen.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let connection = ConnectionContext(eventLoop: channel.eventLoop)
                        let address = channel.remoteAddress?.ipAddress ?? "unknown"
                        switch limiter.admit(address: address, connection: connection, channel: channel) {
                        case .refused:
                            // A connection refused here is closed here: NIO does not close a child channel whose
                            // initializer fails, and each one left open held a socket (in CLOSE-WAIT) for good. Its
                            // handshake promise is failed, as every promise must be completed.
                            let refusal = SyncError(.busy, "too many connections")
                            connection.tlsHandshake.fail(refusal)
                            channel.close(promise: nil)
                            Self.logRefusals(limiter, logger: logger)
                            throw refusal
                        case .admitted(let ticket, let evicted):
                            if let evicted {
                                evicted.close(promise: nil)
                                Self.logRefusals(limiter, logger: logger)
                            }
                            channel.closeFuture.whenComplete { _ in limiter.release(ticket) }
                        }
                        do {
                            let tls = NIOSSLServerHandler(
                                context: sslContext,
                                customVerificationCallback: SyncTLS.verifier(trust: trust, connection: connection))
                            return (
                                connection,
                                try SyncConnection.configure(
                                    channel, tlsHandler: tls, connection: connection, limits: limits)
                            )
                        } catch {
                            channel.close(promise: nil)
                            throw error
                        }
                    }
                }
        } catch {
            let failure = SyncError(
                .connectionFailed, "cannot listen on \(configuration.listen)", underlying: error)
            bound.resolve(.failure(failure))
            throw failure
        }
        let address = serverChannel.channel.localAddress
        let listening = PeerAddress(
            host: address?.ipAddress ?? configuration.listen.host, port: address?.port ?? configuration.listen.port)
        bound.resolve(.success(listening))
        logger.info(
            "listening",
            metadata: [
                "sync.listen": "\(listening)", "sync.peer.id": "\(identity.peerID)",
                "sync.max_sessions": "\(configuration.maximumSessions)",
                "sync.max_open_stores": "\(configuration.maximumOpenStores)",
            ])

        let registry = registry
        let grace = configuration.shutdownGracePeriod
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await serverChannel.executeThenClose { inbound in
                    for try await (connection, channel) in inbound {
                        group.addTask { await self.serve(channel, connection: connection, trust: trust) }
                    }
                }
            }
        } onGracefulShutdown: {
            logger.info("shutting down: no new sessions", metadata: ["sync.grace": "\(grace)"])
            serverChannel.channel.close(promise: nil)
            serverChannel.channel.eventLoop.scheduleTask(in: TimeAmount(grace)) { registry.shutDownAll() }
        }
        logger.info("stopped")
    }

    /// Logs the connections refused and the handshakes closed to make room, at most once per 10 seconds.
    private static func logRefusals(_ limiter: ConnectionLimiter, logger: Logger) {
        guard let report = limiter.refusalReport() else { return }
        let limits = limiter.limits
        logger.notice(
            "at a connection limit: refused \(report.refused) connection(s) and closed \(report.evicted) silent or stalled handshake(s) to make room since the last report",
            metadata: [
                "sync.refused": "\(report.refused)", "sync.evicted": "\(report.evicted)",
                "sync.max_connections": "\(limits.maximumConnections)",
                "sync.max_handshakes": "\(limits.maximumHandshakes)",
                "sync.max_handshakes_per_address": "\(limits.maximumHandshakesPerAddress)",
            ])
    }

    /// Serves one connection; never throws, so one peer's failure stays its own.
    private func serve(
        _ channel: SyncConnection.MessageChannel, connection: ConnectionContext, trust: TrustedPeerCache
    ) async {
        let remote = channel.channel.remoteAddress.map(Self.describe) ?? "an unknown address"
        var logger = logger
        logger[metadataKey: "sync.remote"] = "\(remote)"
        let registration = registry.add(channel.channel)
        defer { registry.remove(registration) }
        let ownPeerID = identity.peerID
        let describe: @Sendable (any Error) -> SyncError = { error in
            SyncConnection.describe(
                error, connection: connection, role: .responder, remote: remote, ownPeerID: ownPeerID)
        }
        let started = ContinuousClock.now
        do {
            try await channel.executeThenClose { inbound, outbound in
                let peer = try await SyncConnection.verifiedPeer(
                    channel: channel.channel, connection: connection, describe: describe,
                    unverified: "refused a connection from \(remote): not verified")
                logger[metadataKey: "sync.peer"] = "\(peer.name)"
                logger[metadataKey: "sync.peer.id"] = "\(peer.peerID.shortDescription)"
                guard limiter.acquireSession() else {
                    try await answerBusy(inbound: inbound, outbound: outbound)
                    logger.info("busy: refused a session", metadata: ["sync.sessions": "\(limiter.activeSessions)"])
                    return
                }
                defer { limiter.releaseSession() }
                logger.debug("session started")
                // The store opens on first use, after the handshake, on its turn (see OpenStoreLimit).
                let messageChannel = channel.channel
                let store = ReplicaSyncStore.deferred(
                    .init(
                        path: configuration.replicaPath, limit: openStores, connection: connection,
                        isConnected: { messageChannel.isActive }),
                    registerID: replicaRegisterID, siteID: replicaSiteID, logger: logger,
                    maximumCellsPerBatch: configuration.maximumCellsPerBatch, writeTurn: writeTurn)
                defer { store.close() }
                try await store.authorize(
                    peer: peer.peerID, name: peer.name, accessControl: configuration.accessControl)
                let report = try await SyncConnection.runSession(
                    role: .responder, store: store, schemaVersion: configuration.schemaVersion,
                    name: configuration.name, software: configuration.software,
                    receiveWindow: configuration.receiveWindow, peer: peer, remote: remote, started: started,
                    inbound: inbound, outbound: outbound, channel: channel.channel, connection: connection,
                    describe: describe, progress: nil)
                logger.info(
                    "session complete",
                    metadata: [
                        "sync.sent.changes": "\(report.changesSent)",
                        "sync.received.changes": "\(report.changesReceived)",
                        "sync.received.applied": "\(report.changesApplied)",
                        "sync.sent.bytes": "\(report.bytesSent)", "sync.received.bytes": "\(report.bytesReceived)",
                    ])
            }
        } catch {
            let failure = (error as? SyncError) ?? describe(error)
            logger.info(
                "session failed",
                metadata: [
                    "sync.error": "\(failure.code)", "sync.reason": "\(failure)",
                    "sync.peer.presented": "\(connection.presentedPeerID?.description ?? "none")",
                ])
        }
    }

    /// Reads the peer's `Hello` (within the handshake timeout) and answers `Busy`.
    private func answerBusy(
        inbound: NIOAsyncChannelInboundStream<SyncMessage>,
        outbound: NIOAsyncChannelOutboundWriter<SyncMessage>
    ) async throws {
        var iterator = inbound.makeAsyncIterator()
        guard let first = try await iterator.next(), case .hello = first else { return }
        let retry = configuration.busyRetryAfter.components
        let milliseconds = UInt32(clamping: retry.seconds * 1000 + retry.attoseconds / 1_000_000_000_000_000)
        try await outbound.write(
            .busy(
                SyncMessage.Busy(
                    retryAfter: .milliseconds(Int64(milliseconds)),
                    message: "busy: the server serves \(configuration.maximumSessions) sessions at once; retry in "
                        + "\(milliseconds / 1000) seconds")))
    }

    private static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return PeerAddress(host: ip, port: port).description
    }
}
