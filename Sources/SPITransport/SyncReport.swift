import SPIProtocol
import SPIReplication
public import SPIIdentity

/// What one sync session did, for people (`spi sync`) and scripts (`spi sync --json`).
///
/// "Changes" are cell changes plus row deletes and re-creates, as in `ApplyReport`.
///
/// ```swift
/// let report = try await client.sync(with: address)
/// print("sent \(report.changesSent) changes (\(report.bytesSent) bytes), received \(report.changesReceived)")
/// ```
public struct SyncReport: Sendable, Hashable, Codable {
    /// The address connected to (client) or connected from (server).
    public var address: String
    /// The peer's id (its TLS key's fingerprint).
    public var peerID: PeerID
    /// The peer's name in the local trusted-peer list.
    public var peerName: String
    /// The name the peer gave itself in the handshake.
    public var peerDisplayName: String
    /// The peer replica's site id.
    public var peerSite: String
    /// The protocol version of the session.
    public var protocolVersion: UInt32
    /// Batches sent.
    public var batchesSent: Int
    /// Changes sent.
    public var changesSent: Int
    /// Of the changes sent, those that took effect on the peer (as it acknowledged).
    public var changesAppliedByPeer: Int
    /// Batches received.
    public var batchesReceived: Int
    /// Changes received.
    public var changesReceived: Int
    /// Of the changes received, those that took effect here.
    public var changesApplied: Int
    /// Of the changes received, those this replica already held.
    public var changesAlreadyKnown: Int
    /// Of the changes received, those that lost to newer values held here.
    public var changesLost: Int
    /// Of the changes received, those refused here: their origin may not make them.
    public var changesRefused: Int
    /// Of the changes sent, those the peer refused: this replica's party may not make them.
    public var changesRefusedByPeer: Int
    /// What the peer refused and why (at most 64 entries per batch).
    public var refusalsByPeer: [SyncRefusal]
    /// What was refused here and why.
    public var refusals: [SyncRefusal]
    /// Sites whose key the changes received show to be held by two replicas (`ApplyReport.sharedKeys`), sorted.
    public var sharedKeySites: [String]
    /// Bytes sent on the connection (TLS included).
    public var bytesSent: Int
    /// Bytes received on the connection (TLS included).
    public var bytesReceived: Int
    /// How long the session took, in seconds.
    public var seconds: Double

    /// The JSON keys: the property names, with `peerId` spelled as in every other `--json` output.
    enum CodingKeys: String, CodingKey {
        case address
        case peerID = "peerId"
        case peerName, peerDisplayName, peerSite, protocolVersion, batchesSent, changesSent,
            changesAppliedByPeer, batchesReceived, changesReceived, changesApplied, changesAlreadyKnown, changesLost,
            changesRefused, changesRefusedByPeer, refusalsByPeer, refusals, sharedKeySites, bytesSent, bytesReceived,
            seconds
    }

    /// A report from the state machine's summary and the transport's counts.
    init(
        summary: SyncSummary, address: String, peer: TrustedPeer, bytesSent: Int, bytesReceived: Int,
        duration: Duration
    ) {
        self.address = address
        self.peerID = peer.peerID
        self.peerName = peer.name
        self.peerDisplayName = summary.peer.name
        self.peerSite = summary.peer.siteID.description
        self.protocolVersion = summary.peer.protocolVersion
        self.batchesSent = summary.batchesSent
        self.changesSent = summary.changesSent
        self.changesAppliedByPeer = summary.peerReport.applied
        self.batchesReceived = summary.batchesReceived
        self.changesReceived = summary.received.total
        self.changesApplied = summary.received.applied
        self.changesAlreadyKnown = summary.received.alreadyKnown
        self.changesLost = summary.received.lost
        self.changesRefused = summary.received.refused
        self.changesRefusedByPeer = summary.peerReport.refused
        self.refusalsByPeer = summary.peerReport.refusals.map(SyncRefusal.init)
        self.refusals = summary.received.refusals.map(SyncRefusal.init)
        self.sharedKeySites = summary.received.sharedKeys.map(\.description).sorted()
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        let (seconds, attoseconds) = duration.components
        self.seconds = Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// How far a running session has got; passed to the progress callback of ``SyncClient/sync(with:progress:)``.
public struct SyncProgress: Sendable, Hashable {
    /// Batches sent so far.
    public var batchesSent: Int
    /// Of those, batches the peer acknowledged.
    public var batchesAcknowledged: Int
    /// Changes sent so far.
    public var changesSent: Int
    /// Batches received and applied so far.
    public var batchesReceived: Int
    /// Changes received and applied so far.
    public var changesReceived: Int
    /// Bytes sent so far.
    public var bytesSent: Int
    /// Bytes received so far.
    public var bytesReceived: Int

    init(summary: SyncSummary, bytesSent: Int, bytesReceived: Int) {
        self.batchesSent = summary.batchesSent
        self.batchesAcknowledged = summary.batchesAcknowledged
        self.changesSent = summary.changesSent
        self.batchesReceived = summary.batchesReceived
        self.changesReceived = summary.received.total
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }
}

/// A change refused by permission, in a ``SyncReport``.
public struct SyncRefusal: Sendable, Hashable, Codable {
    /// The row's table.
    public var table: String
    /// The row's id.
    public var id: String
    /// The site that made the change.
    public var origin: String
    /// The columns refused; empty when the whole row change was.
    public var columns: [String]
    /// Why.
    public var reason: String
    /// How many changes.
    public var count: Int

    init(_ refusal: Refusal) {
        self.table = refusal.table
        self.id = refusal.id
        self.origin = refusal.origin.description
        self.columns = refusal.columns
        self.reason = refusal.reason
        self.count = refusal.count
    }
}
