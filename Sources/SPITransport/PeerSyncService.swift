import Foundation
public import Logging
public import NIOCore
public import NIOPosix
public import SPIProtocol
public import ServiceLifecycle
import SPIReplication

/// Keeps a replica in sync with a list of peers continuously (what `spi serve --peer HOST:PORT` adds to serving).
///
/// For each peer, the service runs a session, then waits until the replica changes — a local edit, or changes
/// another session brought in, which it relays — or until ``Configuration/resyncInterval`` passes (to pull the
/// peer's own changes), and syncs again. When a peer is away, it retries with exponential backoff and jitter. It
/// stops on graceful shutdown or cancellation.
///
/// Changes are detected with SQLite's `PRAGMA data_version` on a connection the service keeps open: any commit by
/// another connection changes it, so detection costs one tiny query per ``Configuration/changePollInterval``.
///
/// ```swift
/// let peers = PeerSyncService(
///     configuration: .init(client: clientConfiguration, peers: [try PeerAddress(parsing: "hub.example:7373")]),
///     logger: logger)
/// let group = ServiceGroup(services: [server, peers], gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)
/// ```
public final class PeerSyncService: Service, Sendable {
    /// What the service needs to know.
    public struct Configuration: Sendable {
        /// How each session is run (replica, schema version, timeouts).
        public var client: SyncClient.Configuration
        /// The peers to keep in sync with.
        public var peers: [PeerAddress]
        /// How often to check the replica for changes.
        public var changePollInterval: Duration
        /// How long to wait after a change before syncing, so that a burst of edits travels in one session.
        public var pushDelay: Duration
        /// The longest time between two sessions with a peer, changes or not.
        public var resyncInterval: Duration
        /// The first retry delay after a failure; it doubles on each further failure.
        public var minimumBackoff: Duration
        /// The longest retry delay.
        public var maximumBackoff: Duration

        /// A configuration with defaults suited to a hub: check every second, resync every minute, back off up to
        /// a minute.
        public init(
            client: SyncClient.Configuration, peers: [PeerAddress], changePollInterval: Duration = .seconds(1),
            pushDelay: Duration = .milliseconds(500), resyncInterval: Duration = .seconds(60),
            minimumBackoff: Duration = .seconds(1), maximumBackoff: Duration = .seconds(60)
        ) {
            self.client = client
            self.peers = peers
            self.changePollInterval = changePollInterval
            self.pushDelay = pushDelay
            self.resyncInterval = resyncInterval
            self.minimumBackoff = minimumBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let client: SyncClient
    private let logger: Logger
    private let onSession: (@Sendable (PeerAddress, Result<SyncReport, SyncError>) -> Void)?

    /// Creates the service; nothing happens until ``run()``.
    ///
    /// - Parameter onSession: called after each session with its outcome (for tests and status displays).
    public init(
        configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        threadPool: NIOThreadPool = .singleton, logger: Logger,
        onSession: (@Sendable (PeerAddress, Result<SyncReport, SyncError>) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.client = SyncClient(
            configuration: configuration.client, eventLoopGroup: eventLoopGroup, threadPool: threadPool,
            logger: logger)
        self.logger = logger
        self.onSession = onSession
    }

    /// Syncs with every peer until cancelled or gracefully shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for peer in self.configuration.peers {
                    group.addTask { await self.keepInSync(with: peer) }
                }
            }
        }
    }

    private func keepInSync(with peer: PeerAddress) async {
        var logger = logger
        logger[metadataKey: "sync.remote"] = "\(peer)"
        // A read-only replica kept open to read its data version (`Replica.dataVersion()`), which changes whenever
        // another connection commits to the file.
        let watcher: SerialOwner<Replica>
        do {
            let (path, logger) = (configuration.client.replicaPath, logger)
            watcher = try await SerialOwner.open(label: "spi.sync.watch") {
                try Replica(path: path, readOnly: true, logger: logger)
            }
        } catch {
            logger.info("cannot watch the replica for changes", metadata: ["sync.reason": "\(error)"])
            return
        }
        var backoff = configuration.minimumBackoff
        while !Task.isCancelled {
            do {
                let report = try await client.sync(with: peer)
                onSession?(peer, .success(report))
                backoff = configuration.minimumBackoff
                // Commits made by this session are not news: remember the version after it.
                let seen = try await watcher.run { try $0.dataVersion() }
                try await waitForChange(watcher, after: seen)
                try await Task.sleep(for: configuration.pushDelay)
            } catch is CancellationError {
                return
            } catch {
                let failure = (error as? SyncError) ?? SyncError(.internalError, "\(error)", underlying: error)
                onSession?(peer, .failure(failure))
                // A busy peer says when to come back; otherwise back off, with jitter so peers do not retry in step.
                let delay = failure.retryAfter ?? backoff * Double.random(in: 0.8...1.2)
                logger.debug(
                    "peer unavailable; retrying", metadata: ["sync.error": "\(failure.code)", "sync.retry": "\(delay)"])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return
                }
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
        }
    }

    /// Returns when the replica's data version differs from `seen`, or after the resync interval.
    private func waitForChange(_ watcher: SerialOwner<Replica>, after seen: Int64) async throws {
        let deadline = ContinuousClock.now + configuration.resyncInterval
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: configuration.changePollInterval)
            if try await watcher.run({ try $0.dataVersion() }) != seen { return }
        }
    }
}
