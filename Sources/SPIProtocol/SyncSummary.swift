public import SPIReplication

/// What one sync session did, as counted by the state machine (bytes are counted by the transport).
///
/// "Changes" are counted as in `ApplyReport`: a cell change, or a row's delete or re-create.
///
/// ```swift
/// print("sent \(summary.changesSent) changes in \(summary.batchesSent) batches, received \(summary.received.total)")
/// ```
public struct SyncSummary: Sendable, Hashable {
    /// Who the session was with, as the peer described itself in the handshake.
    public var peer: SyncSession.Peer
    /// Batches sent to the peer.
    public var batchesSent = 0
    /// Batches the peer acknowledged (committed on its side).
    public var batchesAcknowledged = 0
    /// Changes in the batches sent.
    public var changesSent = 0
    /// Row groups in the batches sent.
    public var rowsSent = 0
    /// What the peer reported when it acknowledged our batches.
    public var peerReport = ApplyReport()
    /// Batches received from the peer.
    public var batchesReceived = 0
    /// What applying the peer's batches did here.
    public var received = ApplyReport()

    /// An empty summary for a session with `peer`.
    public init(peer: SyncSession.Peer) {
        self.peer = peer
    }
}
