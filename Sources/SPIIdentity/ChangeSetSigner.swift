import Crypto
package import Foundation

/// Signs what a replica writes (its changes' origin proofs, its change-set and knowledge files) with the replica's own
/// key (its peer identity's P-256 key), so that a receiver can tell which site made a change or wrote a file: nothing
/// can claim another site as its origin or writer. The replication core defines the signed bytes.
///
/// The signed bytes are defined in protocol/changes.md ("Signed files"). A site's id is the first 16 bytes of the
/// SHA-256 of its public key (a DER SubjectPublicKeyInfo), so a receiver needs no key distribution: the key travels
/// in the file and must hash to the site the file names.
///
/// ```swift
/// let signer = try ChangeSetSigner(privateKeyPEM: String(contentsOfFile: "org.db.key", encoding: .utf8))
/// try replica.exportChanges(since: knowledge, to: "for-fabrikam.changes", signer: signer)
/// ```
public struct ChangeSetSigner: Sendable {
    private let key: P256.Signing.PrivateKey

    /// The public key, as a DER SubjectPublicKeyInfo.
    public var publicKeyDER: [UInt8] { Array(key.publicKey.derRepresentation) }

    /// The site this key belongs to.
    public var site: SiteID { ChangeSetSigner.site(ofPublicKey: publicKeyDER)! }

    /// A signer with a P-256 private key in PEM.
    ///
    /// - Throws: `PeerError.Code.identityUnreadable` when the text is not a P-256 private key.
    public init(privateKeyPEM: String) throws {
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw PeerError(
                .identityUnreadable, "the replica's key is not a P-256 private key in PEM", underlying: error)
        }
    }

    /// A signer with a new random key (tests and tools).
    public init() {
        key = P256.Signing.PrivateKey()
    }

    /// The key kept beside a replica file (`<path>.key`, where `spi` and the replication core look for it), or nil
    /// when there is none or it does not parse.
    public static func beside(replicaAt path: String) -> ChangeSetSigner? {
        guard let pem = try? String(contentsOfFile: path + ".key", encoding: .utf8) else { return nil }
        return try? ChangeSetSigner(privateKeyPEM: pem)
    }

    /// The private key in PEM (to store it beside a replica file).
    public var privateKeyPEM: String { key.pemRepresentation }

    /// The DER signature of `message`.
    package func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try key.signature(for: message).derRepresentation)
    }

    /// The site a public key (DER SubjectPublicKeyInfo) belongs to: the first 16 bytes of its SHA-256.
    public static func site(ofPublicKey der: [UInt8]) -> SiteID? {
        SiteID(bytes: Array(SHA256.hash(data: der).prefix(16)))
    }

    /// Whether `signature` proves that `site` signed `message`: the key hashes to the site, and the signature is the
    /// key's valid signature of the message.
    package static func verifies(signature: Data, by signerKey: Data, of message: [UInt8], for site: SiteID?) -> Bool {
        let der = Array(signerKey)
        guard let site, Self.site(ofPublicKey: der) == site,
            let key = try? P256.Signing.PublicKey(derRepresentation: der),
            let decoded = try? P256.Signing.ECDSASignature(derRepresentation: Array(signature))
        else { return false }
        return key.isValidSignature(decoded, for: message)
    }
}
