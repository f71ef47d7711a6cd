import Foundation
import NIOCore
import SPIProtocol
import SPIIdentity

/// What the handlers of one sync connection learn, for the task that runs its session: bytes counted on the socket,
/// the peer id the TLS peer presented and whether it was trusted, and a timeout that fired.
///
/// `@unchecked Sendable`: handlers write it on the event loop and the session task reads it; every stored property
/// is accessed under `lock`, and `tlsHandshake` is an `EventLoopPromise` (itself `Sendable`).
final class ConnectionContext: @unchecked Sendable {
    private let lock = NSLock()
    private var _bytesReceived = 0
    private var _bytesSent = 0
    private var _presentedPeerID: PeerID?
    private var _trustedPeer: TrustedPeer?
    private var _refusedPeerID: PeerID?
    private var _timeout: SyncError?
    private var _tlsDone = false
    private var _messageReceived = false

    /// Succeeds when the TLS handshake completes; fails with the TLS error or the connection's closure.
    let tlsHandshake: EventLoopPromise<Void>

    init(eventLoop: any EventLoop) {
        self.tlsHandshake = eventLoop.makePromise()
    }

    var bytesReceived: Int { lock.withLock { _bytesReceived } }
    var bytesSent: Int { lock.withLock { _bytesSent } }
    /// The peer id of the certificate the peer presented, trusted or not.
    var presentedPeerID: PeerID? { lock.withLock { _presentedPeerID } }
    /// The trusted-peer entry the peer's certificate matched.
    var trustedPeer: TrustedPeer? { lock.withLock { _trustedPeer } }
    /// The peer id this side refused because it is not trusted.
    var refusedPeerID: PeerID? { lock.withLock { _refusedPeerID } }
    /// The timeout that fired, if one did.
    var timeout: SyncError? { lock.withLock { _timeout } }
    /// Whether the TLS handshake completed.
    var isTLSDone: Bool { lock.withLock { _tlsDone } }
    /// Whether a whole message arrived from the peer.
    var isMessageReceived: Bool { lock.withLock { _messageReceived } }

    func countReceived(_ count: Int) { lock.withLock { _bytesReceived += count } }
    func countSent(_ count: Int) { lock.withLock { _bytesSent += count } }

    func recordVerification(_ id: PeerID, trusted: TrustedPeer?) {
        lock.withLock {
            _presentedPeerID = id
            _trustedPeer = trusted
            if trusted == nil { _refusedPeerID = id }
        }
    }

    func recordTimeout(_ error: SyncError) { lock.withLock { if _timeout == nil { _timeout = error } } }

    func recordTLSDone() { lock.withLock { _tlsDone = true } }

    func recordMessage() { lock.withLock { _messageReceived = true } }
}
