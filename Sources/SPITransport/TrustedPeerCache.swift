import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import SPIReplication
import SPIIdentity

/// The trusted peers of a replica file, read on a thread pool and kept for a short while.
///
/// TLS verification asks it about every connection; re-reading the table at most once per `maximumAge` keeps a
/// flood of connections from turning into a flood of database opens, while a peer added with `spi peer add` is
/// trusted by a running server within that time. Connections that arrive while the list is being read wait for that
/// one reading. The replica is opened read-only, so that a reading never waits for the write lock that sessions
/// applying batches hold. When a reading fails (a busy or unreadable file), the last list read stays in use and the
/// failure is logged: a transient error must not make every peer look untrusted.
final class TrustedPeerCache: Sendable {
    private typealias Peers = [PeerID: TrustedPeer]
    private struct State {
        /// The peers last read, and when.
        var peers: Peers = [:]
        var at: ContinuousClock.Instant?
        /// The reading under way, which concurrent lookups share.
        var loading: Task<Peers, any Error>?
    }

    private let replicaPath: String
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let maximumAge: Duration
    private let state = NIOLockedValueBox(State())

    init(replicaPath: String, threadPool: NIOThreadPool, logger: Logger, maximumAge: Duration = .seconds(1)) {
        self.replicaPath = replicaPath
        self.threadPool = threadPool
        self.logger = logger
        self.maximumAge = maximumAge
    }

    /// The trusted peer with `id`, or nil when the replica does not trust it.
    ///
    /// - Throws: only when the list was never read and cannot be read now.
    func peer(withID id: PeerID) async throws -> TrustedPeer? {
        let now = ContinuousClock.now
        let (fresh, pending): (Peers?, Task<Peers, any Error>?) = state.withLockedValue { state in
            if let at = state.at, now - at < maximumAge { return (state.peers, nil) }
            if let loading = state.loading { return (nil, loading) }
            let loading = Task { try await self.read() }
            state.loading = loading
            return (nil, loading)
        }
        guard let loading = pending else { return fresh?[id] }
        do {
            let peers = try await loading.value
            state.withLockedValue { state in
                if state.loading == loading {
                    state.peers = peers
                    state.at = now
                    state.loading = nil
                }
            }
            return peers[id]
        } catch {
            // The first waiter to see the failure logs it, once for every connection that shared the reading.
            let (stale, first): (Peers?, Bool) = state.withLockedValue { state in
                let first = state.loading == loading
                if first { state.loading = nil }
                return (state.at == nil ? nil : state.peers, first)
            }
            if first {
                logger.warning(
                    stale == nil
                        ? "cannot read the trusted peers; connections are refused until a reading succeeds"
                        : "cannot read the trusted peers; using the list read before",
                    metadata: ["sync.error": "\(error)", "sync.replica": "\(replicaPath)"])
            }
            guard let stale else { throw error }
            return stale[id]
        }
    }

    private func read() async throws -> Peers {
        let path = replicaPath
        let logger = logger
        return try await threadPool.runIfActive {
            let replica = try Replica(path: path, readOnly: true, logger: logger)
            return Dictionary(try TrustedPeerStore(replica: replica).list().map { ($0.peerID, $0) }) { a, _ in a }
        }
    }
}
