import Foundation
public import Logging
public import NIOCore
public import NIOPosix
import NIOSSL
import SPIProtocol
public import SPIReplication
import SPIIdentity

/// Runs one bidirectional sync session with a peer at `HOST:PORT` (what `spi sync HOST:PORT` does).
///
/// The client loads (or creates) the replica's identity, connects, authenticates the server against the
/// replica's trusted peers with mutual TLS 1.3, exchanges knowledge, sends what the server lacks and applies what it
/// sends, each batch in one transaction acknowledged after commit. A session cut anywhere loses nothing: the next
/// one continues from what was committed.
///
/// ```swift
/// let client = SyncClient(
///     configuration: .init(replicaPath: "provider.db", schemaVersion: RegisterSchema.version), logger: logger)
/// let report = try await client.sync(with: try PeerAddress(parsing: "org.example.net:7373")) { progress in
///     print("\(progress.changesReceived) changes received")
/// }
/// ```
public struct SyncClient: Sendable {
    /// What the client needs to know.
    public struct Configuration: Sendable {
        /// The replica file.
        public var replicaPath: String
        /// The replica's register schema version; the server's must be equal.
        public var schemaVersion: UInt32
        /// The name announced to the server, for its logs.
        public var name: String
        /// The software announced to the server, for its logs.
        public var software: String
        /// How long connecting may take.
        public var connectTimeout: Duration
        /// How long the TLS handshake and the server's `HelloAck` may take.
        public var handshakeTimeout: Duration
        /// How long the connection may stay silent during the session.
        public var idleTimeout: Duration
        /// How many unacknowledged batches the client accepts.
        public var receiveWindow: UInt32
        /// What each verified peer may receive and write; nil lets every trusted peer do everything.
        public var accessControl: (any SyncAccessControl)?
        /// The most cell changes per batch sent (batches are also cut to fit the frame size).
        public var maximumCellsPerBatch: Int

        /// A configuration with the protocol's default timeouts and window.
        public init(
            replicaPath: String, schemaVersion: UInt32, name: String? = nil,
            software: String = "spi", connectTimeout: Duration = .seconds(10),
            handshakeTimeout: Duration = .seconds(10),
            idleTimeout: Duration = .seconds(60), receiveWindow: UInt32 = 4,
            maximumCellsPerBatch: Int = 2048, accessControl: (any SyncAccessControl)? = nil
        ) {
            self.replicaPath = replicaPath
            self.schemaVersion = schemaVersion
            self.name = name ?? ProcessInfo.processInfo.hostName
            self.software = software
            self.connectTimeout = connectTimeout
            self.handshakeTimeout = handshakeTimeout
            self.idleTimeout = idleTimeout
            self.receiveWindow = receiveWindow
            self.maximumCellsPerBatch = maximumCellsPerBatch
            self.accessControl = accessControl
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let eventLoopGroup: any EventLoopGroup
    private let threadPool: NIOThreadPool
    private let logger: Logger

    /// Creates a client; nothing happens until ``sync(with:progress:)``.
    ///
    /// - Parameters:
    ///   - eventLoopGroup: where the connection's I/O runs.
    ///   - threadPool: where SQLite and file work runs (never on an event loop).
    public init(
        configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        threadPool: NIOThreadPool = .singleton, logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Runs one session with the server at `address`.
    ///
    /// - Parameter progress: called after each batch sent, acknowledged or applied (on the session's task).
    /// - Returns: what was sent and received.
    /// - Throws: `SyncError`: `SyncError.Code.connectionFailed` when the server cannot be reached,
    ///   `SyncError.Code.untrustedPeer` when its peer id is not trusted here, `SyncError.Code.notTrustedByPeer`
    ///   when it does not trust this replica, `SyncError.Code.busy` when it serves too many sessions, or any code
    ///   of a failed session. Changes committed before a failure stay committed.
    public func sync(
        with address: PeerAddress, progress: (@Sendable (SyncProgress) -> Void)? = nil
    ) async throws -> SyncReport {
        let started = ContinuousClock.now
        let configuration = configuration
        let store = try await ReplicaSyncStore.open(
            path: configuration.replicaPath, logger: logger, maximumCellsPerBatch: configuration.maximumCellsPerBatch)
        let site = store.siteID
        let identity = try await threadPool.runIfActive {
            try PeerIdentity.load(forReplicaAt: configuration.replicaPath, site: site, logger: logger)
        }
        let trust = TrustedPeerCache(replicaPath: configuration.replicaPath, threadPool: threadPool, logger: logger)
        let sslContext = try SyncTLS.clientContext(identity: identity)
        let limits = SyncConnection.Limits(
            handshakeTimeout: configuration.handshakeTimeout, idleTimeout: configuration.idleTimeout,
            maximumFrameSize: SyncProtocol.maximumFrameSize)
        let remote = address.description
        let sessionLogger = {
            var logger = self.logger
            logger[metadataKey: "sync.remote"] = "\(remote)"
            return logger
        }()

        let connection: ConnectionContext
        let channel: SyncConnection.MessageChannel
        do {
            (connection, channel) = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connect(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let connection = ConnectionContext(eventLoop: channel.eventLoop)
                        let tls = try NIOSSLClientHandler(
                            context: sslContext, serverHostname: nil,
                            customVerificationCallback: SyncTLS.verifier(trust: trust, connection: connection))
                        return (
                            connection,
                            try SyncConnection.configure(
                                channel, tlsHandler: tls, connection: connection, limits: limits)
                        )
                    }
                }
        } catch {
            // The library's error goes to the log; people read what it means.
            sessionLogger.debug("connect failed", metadata: ["sync.error": "\(String(reflecting: error))"])
            throw SyncError(.connectionFailed, "cannot connect to \(remote): \(SyncConnection.connectFailure(error))")
        }

        let ownPeerID = identity.peerID
        let describe: @Sendable (any Error) -> SyncError = { error in
            SyncConnection.describe(
                error, connection: connection, role: .initiator, remote: remote, ownPeerID: ownPeerID)
        }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                let peer = try await SyncConnection.verifiedPeer(
                    channel: channel.channel, connection: connection, describe: describe,
                    unverified: "the server at \(remote) was not verified")
                var sessionLogger = sessionLogger
                sessionLogger[metadataKey: "sync.peer"] = "\(peer.name)"
                sessionLogger[metadataKey: "sync.peer.id"] = "\(peer.peerID.shortDescription)"
                sessionLogger.debug("connected")
                try await store.authorize(
                    peer: peer.peerID, name: peer.name, accessControl: configuration.accessControl)
                let report = try await SyncConnection.runSession(
                    role: .initiator, store: store, schemaVersion: configuration.schemaVersion,
                    name: configuration.name, software: configuration.software,
                    receiveWindow: configuration.receiveWindow, peer: peer, remote: remote, started: started,
                    inbound: inbound, outbound: outbound, channel: channel.channel, connection: connection,
                    describe: describe, progress: progress)
                sessionLogger.info(
                    "sync complete",
                    metadata: [
                        "sync.sent.changes": "\(report.changesSent)",
                        "sync.received.changes": "\(report.changesReceived)",
                        "sync.sent.bytes": "\(report.bytesSent)", "sync.received.bytes": "\(report.bytesReceived)",
                    ])
                return report
            }
        } catch {
            let failure = SyncConnection.refineClientFailure(
                (error as? SyncError) ?? describe(error), connection: connection, remote: remote, ownPeerID: ownPeerID)
            sessionLogger.info("sync failed", metadata: ["sync.error": "\(failure.code)", "sync.reason": "\(failure)"])
            throw failure
        }
    }
}
