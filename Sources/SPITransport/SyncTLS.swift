import NIOCore
import NIOSSL
import SPIIdentity

/// The TLS setup of sync connections: TLS 1.3 only, mutual authentication, each side pinning the other's peer id.
///
/// There is no certificate authority. A custom verification callback replaces all of BoringSSL's certificate
/// checks (chain, names and dates): it hashes the leaf certificate's SubjectPublicKeyInfo and accepts the connection
/// only if that peer id is trusted. TLS itself still proves that the peer holds the matching private key.
enum SyncTLS {
    /// A server context: presents `identity`, requires a client certificate.
    static func serverContext(identity: PeerIdentity) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try certificateChain(identity), privateKey: try privateKey(identity))
        restrict(&configuration)
        return try NIOSSLContext(configuration: configuration)
    }

    /// A client context: presents `identity`, verifies the server with the pinning callback.
    static func clientContext(identity: PeerIdentity) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = try certificateChain(identity)
        configuration.privateKey = try privateKey(identity)
        restrict(&configuration)
        return try NIOSSLContext(configuration: configuration)
    }

    private static func restrict(_ configuration: inout TLSConfiguration) {
        configuration.minimumTLSVersion = .tlsv13
        configuration.maximumTLSVersion = .tlsv13
        // Ask for (server) and check (client) the peer's certificate; the callback does the checking.
        configuration.certificateVerification = .noHostnameVerification
        configuration.renegotiationSupport = .none
    }

    private static func certificateChain(_ identity: PeerIdentity) throws -> [NIOSSLCertificateSource] {
        [.certificate(try NIOSSLCertificate(bytes: Array(identity.certificatePEM.utf8), format: .pem))]
    }

    private static func privateKey(_ identity: PeerIdentity) throws -> NIOSSLPrivateKeySource {
        .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem))
    }

    /// The peer id of a certificate: SHA-256 of its full DER SubjectPublicKeyInfo.
    static func peerID(of certificate: NIOSSLCertificate) throws -> PeerID {
        PeerID(subjectPublicKeyInfo: try certificate.extractPublicKey().toSPKIBytes())
    }

    /// The pinning callback. It is not `@Sendable`, so build it inside the channel initializer; it captures only
    /// the (Sendable) trust lookup and connection context.
    static func verifier(
        trust: TrustedPeerCache, connection: ConnectionContext
    ) -> NIOSSLCustomVerificationCallback {
        { certificates, promise in
            guard let leaf = certificates.first, let id = try? peerID(of: leaf) else {
                promise.succeed(.failed)
                return
            }
            promise.completeWithTask {
                let peer = try? await trust.peer(withID: id)
                connection.recordVerification(id, trusted: peer)
                return peer == nil ? .failed : .certificateVerified
            }
        }
    }
}
