import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SPIProtocol
import SPIIdentity

/// What the handlers of one sync connection learn, for the task that runs its session: bytes counted on the socket,
/// the peer id the TLS peer presented and whether it was trusted, and a timeout that fired.
final class ConnectionContext: Sendable {
    private struct State {
        var bytesReceived = 0
        var bytesSent = 0
        var presentedPeerID: PeerID?
        var trustedPeer: TrustedPeer?
        var refusedPeerID: PeerID?
        var timeout: SyncError?
        var tlsDone = false
        var messageReceived = false
    }
    private let state = NIOLockedValueBox(State())

    /// Succeeds when the TLS handshake completes; fails with the TLS error or the connection's closure.
    let tlsHandshake: EventLoopPromise<Void>

    init(eventLoop: any EventLoop) {
        self.tlsHandshake = eventLoop.makePromise()
    }

    var bytesReceived: Int { state.withLockedValue { $0.bytesReceived } }
    var bytesSent: Int { state.withLockedValue { $0.bytesSent } }
    /// The peer id of the certificate the peer presented, trusted or not.
    var presentedPeerID: PeerID? { state.withLockedValue { $0.presentedPeerID } }
    /// The trusted-peer entry the peer's certificate matched.
    var trustedPeer: TrustedPeer? { state.withLockedValue { $0.trustedPeer } }
    /// The peer id this side refused because it is not trusted.
    var refusedPeerID: PeerID? { state.withLockedValue { $0.refusedPeerID } }
    /// The timeout that fired, if one did.
    var timeout: SyncError? { state.withLockedValue { $0.timeout } }
    /// Whether the TLS handshake completed.
    var isTLSDone: Bool { state.withLockedValue { $0.tlsDone } }
    /// Whether a whole message arrived from the peer.
    var isMessageReceived: Bool { state.withLockedValue { $0.messageReceived } }

    func countReceived(_ count: Int) { state.withLockedValue { $0.bytesReceived += count } }
    func countSent(_ count: Int) { state.withLockedValue { $0.bytesSent += count } }

    func recordVerification(_ id: PeerID, trusted: TrustedPeer?) {
        state.withLockedValue { state in
            state.presentedPeerID = id
            state.trustedPeer = trusted
            if trusted == nil { state.refusedPeerID = id }
        }
    }

    func recordTimeout(_ error: SyncError) { state.withLockedValue { if $0.timeout == nil { $0.timeout = error } } }

    func recordTLSDone() { state.withLockedValue { $0.tlsDone = true } }

    func recordMessage() { state.withLockedValue { $0.messageReceived = true } }
}
