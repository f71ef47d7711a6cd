import Crypto
import Foundation
public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Key rotation: a replica takes a new key, hence a new peer id and site, on purpose.
///
/// A rotation has three steps, each safe to interrupt:
/// 1. ``prepareRotation(forReplicaAt:logger:)`` writes the next key to `<db>.key.next` (mode 0600);
/// 2. the replica takes the next key's site, in one transaction (`Replica.rotateSite`);
/// 3. ``completeRotation(forReplicaAt:logger:)`` renames the next key over `<db>.key` and re-makes the certificate.
///
/// When the process stops between 2 and 3, the next ``load(forReplicaAt:site:logger:)`` finishes step 3 (the replica's
/// site says which key is its own); when it stops between 1 and 2, the next key is dropped there.
extension PeerIdentity {
    /// Where the next key of a rotation waits: `<db>.key.next`.
    public static func nextKeyPath(forReplicaAt replicaPath: String) -> String {
        paths(forReplicaAt: replicaPath).key + ".next"
    }

    /// Makes the next key of a rotation (or reads it, when an interrupted rotation left one), without touching the
    /// replica's current key.
    ///
    /// - Returns: the identity the replica will have; its ``keyPath`` is the next key's file.
    /// - Throws: `PeerError.Code.identityUnwritable` when the file cannot be written,
    ///   `PeerError.Code.identityUnreadable` when a left-over one cannot be read.
    public static func prepareRotation(forReplicaAt replicaPath: String, logger: Logger) throws -> PeerIdentity {
        let path = nextKeyPath(forReplicaAt: replicaPath)
        let key: P256.Signing.PrivateKey
        if FileManager.default.fileExists(atPath: path) {
            key = try readKey(at: path)
        } else {
            key = P256.Signing.PrivateKey()
            try writeExclusively(key.pemRepresentation, to: path, mode: 0o600)
            logger.info("made the next key of a rotation", metadata: ["sync.identity.key": "\(path)"])
        }
        return PeerIdentity(
            peerID: PeerID(subjectPublicKeyInfo: key.publicKey.derRepresentation),
            certificatePEM: try makeCertificate(for: key), keyPath: path,
            certificatePath: paths(forReplicaAt: replicaPath).certificate, privateKeyPEM: key.pemRepresentation)
    }

    /// Makes the next key the replica's own: renames it over `<db>.key` (the old key is gone) and re-makes the
    /// certificate. Call it once the replica has taken the next key's site.
    ///
    /// - Throws: `PeerError.Code.identityUnwritable` when the files cannot be renamed or written.
    @discardableResult
    public static func completeRotation(forReplicaAt replicaPath: String, logger: Logger) throws -> PeerIdentity {
        let (keyPath, certificatePath) = paths(forReplicaAt: replicaPath)
        let next = nextKeyPath(forReplicaAt: replicaPath)
        guard rename(next, keyPath) == 0 else {
            throw PeerError(
                .identityUnwritable, "cannot rename \(next) to \(keyPath): \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(atPath: certificatePath)
        logger.info("the replica's new key is in place", metadata: ["sync.identity.key": "\(keyPath)"])
        return try load(forReplicaAt: replicaPath, site: nil, logger: logger)
    }

    /// Finishes or drops a rotation that was interrupted, from the replica's current `site`: when the next key is
    /// the site's, the replica took it, so it is put in place; otherwise the replica never took it, so it is removed
    /// (unless the current key is not the site's either: then nothing is touched, and loading says why).
    static func settleRotation(forReplicaAt replicaPath: String, site: SiteID, logger: Logger) throws {
        let next = nextKeyPath(forReplicaAt: replicaPath)
        guard FileManager.default.fileExists(atPath: next) else { return }
        let nextKey = try readKey(at: next)
        if PeerID(subjectPublicKeyInfo: nextKey.publicKey.derRepresentation).siteID == site {
            logger.notice("finishing an interrupted key rotation", metadata: ["sync.identity.key": "\(next)"])
            try completeRotation(forReplicaAt: replicaPath, logger: logger)
            return
        }
        let keyPath = paths(forReplicaAt: replicaPath).key
        if let current = try? readKey(at: keyPath),
            PeerID(subjectPublicKeyInfo: current.publicKey.derRepresentation).siteID == site
        {
            logger.notice(
                "dropping the next key of a rotation that did not happen", metadata: ["sync.identity.key": "\(next)"])
            try? FileManager.default.removeItem(atPath: next)
        }
    }

    /// Reads a P-256 private key in PEM.
    static func readKey(at path: String) throws -> P256.Signing.PrivateKey {
        do {
            return try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw PeerError(
                .identityUnreadable, "cannot read the private key \(path) (a P-256 key in PEM)", underlying: error)
        }
    }
}
