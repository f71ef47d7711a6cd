#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import NIOCore
import NIOPosix
import NIOSSL
import SPIProtocol
import SPIIdentity

/// The parts of a sync connection that the server and the client share: the pipeline, the session run, and what
/// transport errors mean.
enum SyncConnection {
    /// A sync connection as async code sees it: whole messages in, whole messages out.
    typealias MessageChannel = NIOAsyncChannel<SyncMessage, SyncMessage>

    /// Timeouts and limits of one connection.
    struct Limits: Sendable {
        var handshakeTimeout: Duration
        var idleTimeout: Duration
        var maximumFrameSize: Int
    }

    /// Builds the pipeline on a new channel (on its event loop): byte counting, TLS, the handshake observer, framing
    /// and the timeouts, then wraps it for async code.
    ///
    /// Pipeline, head to tail: `ByteCountingHandler` → TLS → `TLSHandshakeObserver` → `FrameDecoder` →
    /// `FrameEncoder` → `SessionTimeoutHandler` → `NIOAsyncChannel`.
    static func configure(
        _ channel: any Channel, tlsHandler: any ChannelHandler, connection: ConnectionContext, limits: Limits
    ) throws -> MessageChannel {
        do {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ByteCountingHandler(connection: connection))
            try pipeline.addHandler(tlsHandler)
            try pipeline.addHandler(TLSHandshakeObserver(connection: connection))
            try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: limits.maximumFrameSize)))
            try pipeline.addHandler(MessageToByteHandler(FrameEncoder(maximumFrameSize: limits.maximumFrameSize)))
            try pipeline.addHandler(
                SessionTimeoutHandler(
                    handshakeTimeout: TimeAmount(limits.handshakeTimeout), idleTimeout: TimeAmount(limits.idleTimeout),
                    connection: connection))
            // A small inbound buffer: the session consumes messages as they come, and memory per connection stays
            // bounded by a few frames.
            return try MessageChannel(
                wrappingChannelSynchronously: channel,
                configuration: .init(backPressureStrategy: .init(lowWatermark: 2, highWatermark: 4)))
        } catch {
            connection.tlsHandshake.fail(error)
            throw error
        }
    }

    /// Waits for the TLS handshake of a new connection and returns the trusted peer its key proved, or throws what
    /// the failure means (``describe(_:connection:role:remote:ownPeerID:)``). Cancelling the wait closes the channel.
    ///
    /// - Parameter unverified: the message when the handshake ended without a verified peer.
    static func verifiedPeer(
        channel: any Channel, connection: ConnectionContext, describe: (any Error) -> SyncError, unverified: String
    ) async throws -> TrustedPeer {
        do {
            // EventLoopFuture.get() ignores cancellation: close the channel so that it fails at once.
            try await withTaskCancellationHandler {
                try await connection.tlsHandshake.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            throw describe(error)
        }
        guard let peer = connection.trustedPeer else { throw SyncError(.untrustedPeer, unverified) }
        return peer
    }

    /// Runs one session over a verified connection and reports it: the state machine's counts with the
    /// connection's bytes and the time since `started`.
    static func runSession(
        role: SyncSession.Role, store: ReplicaSyncStore, schemaVersion: UInt32, name: String, software: String,
        receiveWindow: UInt32, peer: TrustedPeer, remote: String, started: ContinuousClock.Instant,
        inbound: NIOAsyncChannelInboundStream<SyncMessage>,
        outbound: NIOAsyncChannelOutboundWriter<SyncMessage>, channel: any Channel,
        connection: ConnectionContext, describe: @escaping @Sendable (any Error) -> SyncError,
        progress: (@Sendable (SyncProgress) -> Void)?
    ) async throws -> SyncReport {
        let configuration = SyncSession.Configuration(
            registerID: store.registerID, siteID: store.siteID, schemaVersion: schemaVersion, name: name,
            software: software, receiveWindow: receiveWindow)
        var driver = SyncSessionDriver(role: role, configuration: configuration, store: store)
        if let progress {
            driver.onProgress = { summary in
                progress(
                    SyncProgress(
                        summary: summary, bytesSent: connection.bytesSent, bytesReceived: connection.bytesReceived))
            }
        }
        let summary = try await driver.run(
            inbound: inbound, write: { try await outbound.write($0) }, close: { channel.close(promise: nil) },
            mapError: describe)
        return SyncReport(
            summary: summary, address: remote, peer: peer, bytesSent: connection.bytesSent,
            bytesReceived: connection.bytesReceived, duration: ContinuousClock.now - started)
    }

    /// A client's failure, made more telling: in TLS 1.3 a server that refuses the client's certificate does so
    /// after the client's handshake completed, and the client may see only the connection closing or being reset
    /// (the alert is lost when the server's TCP stack resets the connection). A close right after TLS, before any
    /// message, therefore almost always means "not trusted by the peer".
    static func refineClientFailure(
        _ error: SyncError, connection: ConnectionContext, remote: String, ownPeerID: PeerID
    ) -> SyncError {
        guard error.code == .connectionClosed, connection.isTLSDone, !connection.isMessageReceived,
            connection.timeout == nil
        else { return error }
        return SyncError(
            .notTrustedByPeer,
            "the server at \(remote) closed the connection right after TLS, before answering: it most likely does "
                + "not trust this replica's peer id \(ownPeerID); ask its operator to run `spi peer add --name NAME "
                + "--id \(ownPeerID)`")
    }

    /// Why a connection could not be made, in words for people (the library's own description names its internal
    /// types): refused, timed out, unreachable, or a host name that does not resolve.
    static func connectFailure(_ error: any Error) -> String {
        var errors: [any Error] = [error]
        if let failure = error as? NIOConnectionError {
            if failure.connectionErrors.isEmpty, failure.dnsAError != nil || failure.dnsAAAAError != nil {
                return "the host name \(failure.host) does not resolve"
            }
            errors = failure.connectionErrors.map(\.error)
        }
        for error in errors {
            if let io = error as? IOError {
                switch io.errnoCode {
                case ECONNREFUSED: return "connection refused (is `spi serve` running there, on that port?)"
                case ETIMEDOUT: return "the connection timed out"
                case EHOSTUNREACH, ENETUNREACH: return "the host cannot be reached from here"
                default: return String(cString: strerror(io.errnoCode)).lowercased()
                }
            }
            if let channelError = error as? ChannelError, case .connectTimeout = channelError {
                return "the connection timed out"
            }
        }
        return "a network error"
    }

    /// What a transport error means for a session, in words for people.
    ///
    /// - Parameters:
    ///   - remote: the peer's address, for messages.
    ///   - ownPeerID: this replica's peer id, to tell the user what the peer must trust.
    static func describe(
        _ error: any Error, connection: ConnectionContext, role: SyncSession.Role, remote: String, ownPeerID: PeerID
    ) -> SyncError {
        if let timeout = connection.timeout { return timeout }
        if let error = error as? SyncError { return error }
        if let refused = connection.refusedPeerID {
            switch role {
            case .initiator:
                return SyncError(
                    .untrustedPeer,
                    "the server at \(remote) presented peer id \(refused), which this replica does not trust; if it is "
                        + "the right server, trust it with `spi peer add --name NAME --id \(refused)`")
            case .responder:
                return SyncError(
                    .untrustedPeer,
                    "refused a connection from \(remote): its peer id \(refused) is not trusted here (to accept it, "
                        + "run `spi peer add --name NAME --id \(refused)`)")
            }
        }
        let text = String(describing: error).uppercased()
        if error is NIOSSLError || error is BoringSSLError {
            if case NIOSSLError.uncleanShutdown = error {
                return SyncError(.connectionClosed, "the connection with \(remote) closed abruptly (no TLS close)")
            }
            // The other side closed before the handshake ended, without an alert: a server at its limit of handshakes
            // closes the oldest stalled ones (and a peer that does not trust us refuses with an alert, after TLS).
            // Transient, like any connection closed early: `spi sync` exits 2 and a continuous sync retries.
            if case NIOSSLError.handshakeFailed(.sslError(let stack)) = error, stack.contains(.eofDuringHandshake) {
                return SyncError(
                    .connectionClosed,
                    "the connection with \(remote) closed during the TLS handshake (the server may be busy, or "
                        + "limiting handshakes from this address); try again")
            }
            if text.contains("ALERT"),
                text.contains("CERTIFICATE") || text.contains("UNKNOWN_CA") || text.contains("ACCESS_DENIED")
                    || text.contains("HANDSHAKE_FAILURE")
            {
                return SyncError(
                    .notTrustedByPeer,
                    "the peer at \(remote) refused this replica's certificate: this replica's peer id \(ownPeerID) is "
                        + "not among its trusted peers; ask its operator to run `spi peer add --name NAME --id "
                        + "\(ownPeerID)`")
            }
            return SyncError(.tlsFailure, "TLS failed with \(remote)", underlying: error)
        }
        if let error = error as? ChannelError {
            switch error {
            case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed:
                return SyncError(.connectionClosed, "the connection with \(remote) closed")
            default:
                break
            }
        }
        if let io = error as? IOError {
            return SyncError(
                .connectionClosed,
                "the connection with \(remote) was lost (\(String(cString: strerror(io.errnoCode)).lowercased()))")
        }
        if error is ByteToMessageDecoderError {
            return SyncError(.connectionClosed, "the connection with \(remote) closed in the middle of a frame")
        }
        return SyncError(.connectionClosed, "the connection with \(remote) failed", underlying: error)
    }
}
