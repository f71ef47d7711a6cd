import NIOCore
import NIOPosix
import NIOSSL
import SPIIdentity
import SPIProtocol
@testable import SPITransport
import Testing

/// What a transport error means for a session (`SyncConnection.describe`): the code decides `spi sync`'s exit status
/// and whether a continuous sync retries.
@Suite("Transport errors, in words")
struct ErrorMeaningTests {
    static func meaning(of error: any Error) -> SyncError {
        let connection = ConnectionContext(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        // A connection's handshake promise must be completed (NIO traps on a leaked promise in debug builds).
        defer { connection.tlsHandshake.fail(error) }
        return SyncConnection.describe(
            error, connection: connection, role: .initiator, remote: "127.0.0.1:7373",
            ownPeerID: PeerID(subjectPublicKeyInfo: [1, 2, 3]))
    }

    @Test("a handshake the server closed without an alert is a closed connection (transient), not a TLS failure")
    func eofDuringHandshake() {
        let meaning = Self.meaning(of: NIOSSLError.handshakeFailed(.sslError([.eofDuringHandshake])))
        #expect(meaning.code == .connectionClosed)
        #expect(meaning.message.contains("closed during the TLS handshake"), "\(meaning.message)")
    }

    @Test("other handshake failures stay TLS failures, and an unclean close stays a closed connection")
    func otherFailures() {
        #expect(Self.meaning(of: NIOSSLError.handshakeFailed(.sslError([]))).code == .tlsFailure)
        #expect(Self.meaning(of: NIOSSLError.uncleanShutdown).code == .connectionClosed)
    }
}
