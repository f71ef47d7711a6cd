import Foundation
public import SPIIdentity

/// A party's signature of an SPI's content: one `interface_signature` row (protocol/signoff.md §2).
///
/// The signing replica signs a statement (``statement(registerID:)``) that names the register, the SPI, the party,
/// the person, the SPI's version, the day and the content's digest, with its own key (the key its peer id and site
/// derive from). The row carries the public key and the content as signed, so that any replica checks it offline:
/// the content hashes to the digest, the key signed the statement, and the key's site was bound to the party when
/// the row was made.
public struct InterfaceSignature: Sendable, Hashable {
    /// The first line of every signed statement.
    public static let statementFormat = "spi-interface-signature/1"

    /// The row's id.
    public var id: String
    /// The SPI signed.
    public var interfaceID: String
    /// The party that signs.
    public var partyID: String
    /// The person who signs for it.
    public var personID: String
    /// The SPI's version when signed (its `version` column), or nil.
    public var version: String?
    /// The day it was signed, `YYYY-MM-DD`.
    public var signedOn: String
    /// The lowercase-hex SHA-256 of ``content``.
    public var digest: String
    /// The content signed, in canonical form (``InterfaceContent/canonicalText``).
    public var content: String
    /// The signing replica's public key: a DER SubjectPublicKeyInfo, base64.
    public var publicKey: String
    /// The ECDSA P-256 signature of ``statement(registerID:)``, DER, base64.
    public var signature: String

    /// A signature from its columns.
    public init(
        id: String, interfaceID: String, partyID: String, personID: String, version: String?, signedOn: String,
        digest: String, content: String, publicKey: String, signature: String
    ) {
        self.id = id
        self.interfaceID = interfaceID
        self.partyID = partyID
        self.personID = personID
        self.version = version
        self.signedOn = signedOn
        self.digest = digest
        self.content = content
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The bytes signed: seven lines after ``statementFormat``, each ending in a line feed (protocol/signoff.md §2).
    public func statement(registerID: RegisterID) -> [UInt8] {
        let lines = [
            Self.statementFormat, registerID.description, interfaceID, partyID, personID, version ?? "", signedOn,
            digest,
        ]
        return Array(lines.map { $0 + "\n" }.joined().utf8)
    }

    /// The key's bytes, when ``publicKey`` is base64.
    var publicKeyDER: [UInt8]? { Data(base64Encoded: publicKey).map { Array($0) } }

    /// The peer whose key made the signature, when the key decodes.
    public var peerID: PeerID? { publicKeyDER.map { PeerID(subjectPublicKeyInfo: $0) } }

    /// The site whose key made the signature, when the key decodes.
    public var site: SiteID? { publicKeyDER.flatMap { ChangeSetSigner.site(ofPublicKey: $0) } }

    /// Whether ``signature`` is the signature of the statement by ``publicKey`` (cryptography only: not who the key
    /// belongs to, nor whether the content matches).
    public func isSignedByItsKey(registerID: RegisterID) -> Bool {
        guard let key = publicKeyDER, let site = ChangeSetSigner.site(ofPublicKey: key),
            let signature = Data(base64Encoded: signature)
        else { return false }
        return ChangeSetSigner.verifies(
            signature: signature, by: Data(key), of: statement(registerID: registerID), for: site)
    }

    /// Signs `content` for `partyID` by `personID` with `signer`, as a new row (the id is a UUIDv7).
    public static func make(
        content: InterfaceContent, partyID: String, personID: String, version: String?, signedOn: String,
        registerID: RegisterID, signer: ChangeSetSigner
    ) throws -> InterfaceSignature {
        var row = InterfaceSignature(
            id: RecordID.v7(), interfaceID: content.interfaceID, partyID: partyID, personID: personID,
            version: version, signedOn: signedOn, digest: content.digest, content: content.canonicalText,
            publicKey: Data(signer.publicKeyDER).base64EncodedString(), signature: "")
        row.signature = Data(try signer.sign(row.statement(registerID: registerID))).base64EncodedString()
        return row
    }

    /// The row's columns, as ``RecordStore/put(_:id:fields:mode:)`` takes them.
    var fields: [String: String] {
        var fields = [
            "interface_id": interfaceID, "party_id": partyID, "person_id": personID, "signed_on": signedOn,
            "digest": digest, "content": content, "public_key": publicKey, "signature": signature,
        ]
        if let version { fields["version"] = version }
        return fields
    }

    /// A signature read from its row; nil when a column it needs is empty (``RegisterCheck`` reports such rows).
    init?(_ record: Record) {
        func text(_ column: String) -> String? { record[column].textValue }
        guard let interface = text("interface_id"), let party = text("party_id"), let person = text("person_id"),
            let signedOn = text("signed_on"), let digest = text("digest"), let content = text("content"),
            let key = text("public_key"), let signature = text("signature")
        else { return nil }
        self.init(
            id: record.id, interfaceID: interface, partyID: party, personID: person, version: text("version"),
            signedOn: signedOn, digest: digest, content: content, publicKey: key, signature: signature)
    }
}
