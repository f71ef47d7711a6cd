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
/// trusted by a running server within that time.
final class TrustedPeerCache: Sendable {
    private let replicaPath: String
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let maximumAge: Duration
    /// The peers last read, and when.
    private let loaded = NIOLockedValueBox<(peers: [PeerID: TrustedPeer], at: ContinuousClock.Instant?)>(([:], nil))

    init(replicaPath: String, threadPool: NIOThreadPool, logger: Logger, maximumAge: Duration = .seconds(1)) {
        self.replicaPath = replicaPath
        self.threadPool = threadPool
        self.logger = logger
        self.maximumAge = maximumAge
    }

    /// The trusted peer with `id`, or nil when the replica does not trust it.
    func peer(withID id: PeerID) async throws -> TrustedPeer? {
        let now = ContinuousClock.now
        let maximumAge = maximumAge
        let cached: [PeerID: TrustedPeer]? = loaded.withLockedValue { loaded in
            guard let at = loaded.at, now - at < maximumAge else { return nil }
            return loaded.peers
        }
        if let cached { return cached[id] }
        let path = replicaPath
        let logger = logger
        let peers = try await threadPool.runIfActive {
            let replica = try Replica(path: path, logger: logger)
            return Dictionary(try TrustedPeerStore(replica: replica).list().map { ($0.peerID, $0) }) { a, _ in a }
        }
        loaded.withLockedValue { $0 = (peers, now) }
        return peers[id]
    }
}
