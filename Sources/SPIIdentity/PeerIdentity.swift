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
/// so an identity does not expire. An existing replica's key is never made again: when it is lost, the replica says
/// so. To change identity on purpose, `spi key rotate` makes a new key (see ``prepareRotation(forReplicaAt:logger:)``);
/// every peer must then trust the new id.
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
    /// Use it only for a replica being created: for an existing replica, ``load(forReplicaAt:site:logger:)`` never
    /// makes a new key, since a new key would silently make the replica another one, whose edits the others refuse.
    /// A key file readable by group or others has its permissions tightened to 0600. A missing or mismatched
    /// certificate is re-made from the key (the peer id depends only on the key).
    ///
    /// - Throws: `PeerError.Code.identityUnreadable` when the key file cannot be read or parsed,
    ///   `PeerError.Code.identityUnwritable` when a file cannot be created, `PeerError.Code.identityMissing` when
    ///   the key is gone but its certificate is still there.
    public static func loadOrCreate(forReplicaAt replicaPath: String, logger: Logger) throws -> PeerIdentity {
        let keyPath = paths(forReplicaAt: replicaPath).key
        if !FileManager.default.fileExists(atPath: keyPath)
            && !FileManager.default.fileExists(atPath: paths(forReplicaAt: replicaPath).certificate)
        {
            let key = P256.Signing.PrivateKey()
            try writeExclusively(key.pemRepresentation, to: keyPath, mode: 0o600)
            logger.info("created a peer identity", metadata: ["sync.identity.key": "\(keyPath)"])
        }
        return try load(forReplicaAt: replicaPath, site: nil, logger: logger)
    }

    /// Loads the identity of an existing replica; it never makes a new key.
    ///
    /// First finishes a key rotation that was interrupted after the replica took its new site (see
    /// ``prepareRotation(forReplicaAt:logger:)``), or drops the next key of one interrupted before.
    ///
    /// - Parameter site: the replica's site id, when known: the key must be the one it was derived from.
    /// - Throws: `PeerError.Code.identityMissing` when the key file is gone (with the recovery in the message),
    ///   `PeerError.Code.identityMismatch` when it belongs to another site, `PeerError.Code.identityUnreadable`
    ///   when it cannot be read or parsed, `PeerError.Code.identityUnwritable` when the certificate cannot be
    ///   re-made.
    public static func load(forReplicaAt replicaPath: String, site: SiteID?, logger: Logger) throws -> PeerIdentity {
        let (keyPath, certificatePath) = paths(forReplicaAt: replicaPath)
        if let site { try settleRotation(forReplicaAt: replicaPath, site: site, logger: logger) }
        guard FileManager.default.fileExists(atPath: keyPath) else {
            throw PeerError(
                .identityMissing,
                "the replica's key \(keyPath) is missing: this replica cannot prove who it is, and nothing was "
                    + "changed. Restore the key from a backup (with the replica file); or give the replica a new key "
                    + "with `spi key rotate` and have the organization bind the party to its new peer id "
                    + "(docs/permissions.md, \"Replacing a lost key\")")
        }
        try tightenPermissions(keyPath, logger: logger)
        let key = try readKey(at: keyPath)
        let keyPEM = key.pemRepresentation
        let peerID = PeerID(subjectPublicKeyInfo: key.publicKey.derRepresentation)
        if let site, peerID.siteID != site {
            throw PeerError(
                .identityMismatch,
                "the key \(keyPath) belongs to another replica (site \(peerID.siteID)), not to this one (site \(site)): "
                    + "was it copied from another replica? Put this replica's own key back, or give it a new one with "
                    + "`spi key rotate` (docs/permissions.md, \"Replacing a lost key\")")
        }

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
