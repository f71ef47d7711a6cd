import Crypto
import Foundation
public import Logging
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A replica's network identity: a P-256 key pair, a self-signed certificate for it, and the ``PeerID`` they give.
///
/// Both live next to the replica file: `<db>.key` (the private key, PKCS#8 PEM, mode 0600, created with those
/// permissions so it is never readable by others even for an instant) and `<db>.crt` (the certificate, PEM). They are
/// created on first use. The private key never enters a change set, an export or the sync stream: it is used only
/// by TLS, which proves possession of it without sending it.
///
/// The certificate's dates are not checked by peers (the trust is in the pinned key, not in a validity period),
/// so an identity does not expire. To change identity, delete both files: a new key pair, hence a new peer id, is
/// made on next use, and every peer must trust the new id.
///
/// ```swift
/// let identity = try PeerIdentity.loadOrCreate(forReplicaAt: "org.db", logger: logger)
/// print(identity.peerID)   // give this to the parties you pair with
/// ```
public struct PeerIdentity: Sendable {
    /// The peer id: the SHA-256 of the public key's SubjectPublicKeyInfo.
    public let peerID: PeerID
    /// The certificate, PEM-encoded (public: safe to show).
    public let certificatePEM: String
    /// The private key file's path.
    public let keyPath: String
    /// The certificate file's path.
    public let certificatePath: String
    /// The private key, PEM-encoded. Package-internal: only the TLS configuration and the change signer read it.
    package let privateKeyPEM: String

    /// The key and certificate paths for a replica file: `<db>.key` and `<db>.crt`.
    public static func paths(forReplicaAt replicaPath: String) -> (key: String, certificate: String) {
        (replicaPath + ".key", replicaPath + ".crt")
    }

    /// Loads the identity of the replica at `replicaPath`, creating the key pair and certificate on first use.
    ///
    /// A key file readable by group or others has its permissions tightened to 0600. A missing or mismatched
    /// certificate is re-made from the key (the peer id depends only on the key).
    ///
    /// - Throws: ``PeerError/Code/identityUnreadable`` when the key file cannot be read or parsed,
    ///   ``PeerError/Code/identityUnwritable`` when a file cannot be created.
    public static func loadOrCreate(forReplicaAt replicaPath: String, logger: Logger) throws -> PeerIdentity {
        let (keyPath, certificatePath) = paths(forReplicaAt: replicaPath)
        let key: P256.Signing.PrivateKey
        let keyPEM: String
        if FileManager.default.fileExists(atPath: keyPath) {
            try tightenPermissions(keyPath, logger: logger)
            do {
                keyPEM = try String(contentsOfFile: keyPath, encoding: .utf8)
                key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
            } catch {
                throw PeerError(
                    .identityUnreadable, "cannot read the private key \(keyPath) (a P-256 key in PEM)",
                    underlying: error)
            }
        } else if FileManager.default.fileExists(atPath: certificatePath) {
            // The key was there (its certificate is): a new key would silently make this another replica, whose
            // edits the others refuse. Say so instead.
            throw PeerError(
                .identityMissing,
                "the replica's key \(keyPath) is missing, but its certificate is still beside it: this replica's "
                    + "identity is lost, and nothing was changed. Restore the key from a backup; or make a new replica "
                    + "(spi init --register REGISTER_ID) and have the organization bind the party to its new peer id and "
                    + "unbind the old one (docs/permissions.md, \"Replacing a lost key\")")
        } else {
            key = P256.Signing.PrivateKey()
            keyPEM = key.pemRepresentation
            try writeExclusively(keyPEM, to: keyPath, mode: 0o600)
            logger.info("created a peer identity", metadata: ["sync.identity.key": "\(keyPath)"])
        }
        let peerID = PeerID(subjectPublicKeyInfo: key.publicKey.derRepresentation)

        var certificatePEM: String?
        if FileManager.default.fileExists(atPath: certificatePath),
            let text = try? String(contentsOfFile: certificatePath, encoding: .utf8),
            let certificate = try? Certificate(pemEncoded: text),
            certificate.publicKey == Certificate.PublicKey(key.publicKey)
        {
            certificatePEM = text
        }
        if certificatePEM == nil {
            let text = try makeCertificate(for: key)
            try? FileManager.default.removeItem(atPath: certificatePath)
            try writeExclusively(text, to: certificatePath, mode: 0o644)
            certificatePEM = text
        }
        return PeerIdentity(
            peerID: peerID, certificatePEM: certificatePEM!, keyPath: keyPath, certificatePath: certificatePath,
            privateKeyPEM: keyPEM)
    }

    /// A self-signed certificate for `key`, valid from yesterday for 100 years.
    static func makeCertificate(for key: P256.Signing.PrivateKey) throws -> String {
        do {
            let name = try DistinguishedName { CommonName("spi replica") }
            let now = Date()
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-86_400),
                notValidAfter: now.addingTimeInterval(100 * 365 * 86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(),
                issuerPrivateKey: Certificate.PrivateKey(key))
            return try certificate.serializeAsPEM().pemString
        } catch {
            throw PeerError(.identityUnwritable, "cannot make a certificate for the replica's key", underlying: error)
        }
    }

    /// Creates `path` with `mode` (failing if it exists) and writes `text`, so the file never has wider permissions.
    static func writeExclusively(_ text: String, to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            throw PeerError(.identityUnwritable, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else {
                throw PeerError(.identityUnwritable, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw PeerError(.identityUnwritable, "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Makes the key file readable by its owner only, if it is not already.
    static func tightenPermissions(_ path: String, logger: Logger) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw PeerError(.identityUnreadable, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & 0o077 != 0 {
            guard chmod(path, 0o600) == 0 else {
                throw PeerError(
                    .identityUnreadable,
                    "\(path) is readable by others and its permissions cannot be set to 0600: "
                        + String(cString: strerror(errno)))
            }
            logger.info(
                "tightened the private key's permissions to 0600", metadata: ["sync.identity.key": "\(path)"])
        }
    }
}
