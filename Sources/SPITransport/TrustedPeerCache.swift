import Foundation
import Logging
import NIOPosix
import SPIReplication
import SPIIdentity

/// The trusted peers of a replica file, read on a thread pool and kept for a short while.
///
/// TLS verification asks it about every connection; re-reading the table at most once per `maximumAge` keeps a
/// flood of connections from turning into a flood of database opens, while a peer added with `spi peer add` is
/// trusted by a running server within that time.
///
/// `@unchecked Sendable`: `peers` and `loadedAt` are accessed only under `lock`; the rest is immutable.
final class TrustedPeerCache: @unchecked Sendable {
    private let replicaPath: String
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let maximumAge: Duration
    private let lock = NSLock()
    private var peers: [PeerID: TrustedPeer] = [:]
    private var loadedAt: ContinuousClock.Instant?

    init(replicaPath: String, threadPool: NIOThreadPool, logger: Logger, maximumAge: Duration = .seconds(1)) {
        self.replicaPath = replicaPath
        self.threadPool = threadPool
        self.logger = logger
        self.maximumAge = maximumAge
    }

    /// The trusted peer with `id`, or nil when the replica does not trust it.
    func peer(withID id: PeerID) async throws -> TrustedPeer? {
        let now = ContinuousClock.now
        let cached: [PeerID: TrustedPeer]? = lock.withLock {
            guard let loadedAt, now - loadedAt < maximumAge else { return nil }
            return peers
        }
        if let cached { return cached[id] }
        let path = replicaPath
        let logger = logger
        let loaded = try await threadPool.runIfActive {
            let replica = try Replica(path: path, logger: logger)
            return Dictionary(try TrustedPeerStore(replica: replica).list().map { ($0.peerID, $0) }) { a, _ in a }
        }
        lock.withLock {
            peers = loaded
            loadedAt = now
        }
        return loaded[id]
    }
}
