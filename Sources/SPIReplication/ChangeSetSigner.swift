import Crypto
import Foundation

/// Signs the change-set and knowledge files a replica writes, with the replica's own key (its peer identity's
/// P-256 key), so that a receiver can tell which site wrote a file: a file cannot claim another site as its writer.
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
    let key: P256.Signing.PrivateKey

    /// The public key, as a DER SubjectPublicKeyInfo.
    public var publicKeyDER: [UInt8] { Array(key.publicKey.derRepresentation) }

    /// The site this key belongs to.
    public var site: SiteID { ChangeSetSigner.site(ofPublicKey: publicKeyDER)! }

    /// A signer with a P-256 private key in PEM.
    ///
    /// - Throws: ``ReplicationError/Code/malformed`` when the text is not a P-256 private key.
    public init(privateKeyPEM: String) throws {
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw ReplicationError(.malformed, "the replica's key is not a P-256 private key in PEM")
        }
    }

    /// A signer with a new random key (tests and tools).
    public init() {
        key = P256.Signing.PrivateKey()
    }

    /// The key kept beside a replica file (`<path>.key`, where `spi` and ``Replica/init(path:readOnly:logger:)`` look
    /// for it), or nil when there is none or it does not parse.
    public static func beside(replicaAt path: String) -> ChangeSetSigner? {
        guard let pem = try? String(contentsOfFile: path + ".key", encoding: .utf8) else { return nil }
        return try? ChangeSetSigner(privateKeyPEM: pem)
    }

    /// The private key in PEM (to store it beside a replica file).
    public var privateKeyPEM: String { key.pemRepresentation }

    /// The DER signature of `message`.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try key.signature(for: message).derRepresentation)
    }

    /// The site a public key (DER SubjectPublicKeyInfo) belongs to: the first 16 bytes of its SHA-256.
    public static func site(ofPublicKey der: [UInt8]) -> SiteID? {
        SiteID(bytes: Array(SHA256.hash(data: der).prefix(16)))
    }

    /// Whether `signature` proves that `site` signed `message`: the key hashes to the site, and the signature is the
    /// key's valid signature of the message.
    static func verifies(signature: Data, by signerKey: Data, of message: [UInt8], for site: SiteID?) -> Bool {
        let der = Array(signerKey)
        guard let site, Self.site(ofPublicKey: der) == site,
            let key = try? P256.Signing.PublicKey(derRepresentation: der),
            let decoded = try? P256.Signing.ECDSASignature(derRepresentation: Array(signature))
        else { return false }
        return key.isValidSignature(decoded, for: message)
    }

    /// The bytes a change-set file's signature covers: a domain tag, the SHA-256 of the SHA-256 of each frame payload
    /// before the trailer in order, and the trailer's counts.
    static func changeSetMessage(frameDigests: [[UInt8]], batches: UInt64, rows: UInt64, cells: UInt64) -> [UInt8] {
        var hasher = SHA256()
        for digest in frameDigests { hasher.update(data: digest) }
        var message = Array("SPICHG-SIGNED-1\n".utf8) + Array(hasher.finalize())
        for value in [batches, rows, cells] {
            for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
        }
        return message
    }

    /// The bytes a knowledge file's signature covers.
    static func knowledgeMessage(payload: [UInt8]) -> [UInt8] {
        Array("SPIKNW-SIGNED-1\n".utf8) + Array(SHA256.hash(data: payload))
    }
}
