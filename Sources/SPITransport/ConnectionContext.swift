import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SPIProtocol
import SPIIdentity

/// What the handlers of one sync connection learn, for the task that runs its session: bytes counted on the socket,
/// the peer id the TLS peer presented and whether it was trusted, and a timeout that fired; and, the other way, when
/// the session waits for a turn the server's sessions share, which the idle timeout must not count against the peer.
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
        var turnWaits = 0
        var turnWaitEnded: NIODeadline?
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
    /// Whether the session waits for a turn now (see ``waitingForTurn(_:)``).
    var isWaitingForTurn: Bool { state.withLockedValue { $0.turnWaits > 0 } }
    /// When the session's last wait for a turn ended.
    var turnWaitEnded: NIODeadline? { state.withLockedValue { $0.turnWaitEnded } }

    /// Runs `body`, in which the session waits for a turn at something the server's sessions share (an open store, a
    /// write turn). The peer is not late meanwhile, the server is: ``SessionTimeoutHandler``'s idle clock stops
    /// during the wait and starts again from its end.
    func waitingForTurn<T>(_ body: () async throws -> T) async rethrows -> T {
        state.withLockedValue { $0.turnWaits += 1 }
        defer {
            state.withLockedValue {
                $0.turnWaits -= 1
                $0.turnWaitEnded = .now()
            }
        }
        return try await body()
    }

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
