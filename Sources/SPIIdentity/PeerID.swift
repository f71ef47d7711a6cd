import Crypto

/// The identity of a replica on the network: the SHA-256 of its public key (the full DER SubjectPublicKeyInfo).
///
/// Parties pair by exchanging peer ids, as Syncthing devices do; every sync connection is mutual TLS in which each
/// side checks that the other's key hashes to a trusted peer id.
///
/// The text form is built to be read aloud and typed: the 32 bytes in base32 (RFC 4648 alphabet `A–Z 2–7`, 52
/// characters), cut into 4 groups of 13 characters, each followed by a Luhn mod 32 check character, and shown as
/// 8 groups of 7 separated by dashes:
///
/// ```
/// AAAQEAY-EAUDAO5-CAJBIFQ-YDIOB4X-IBCEQTC-QKRMFYM-YDENBWH-A5DYPQS   (56 characters, 7 dashes)
/// ```
///
/// Parsing ignores case, dashes and spaces, reads the digits `0`, `1` and `8` as the letters `O`, `I` and `B`, and
/// checks every check character, so most typos are caught rather than silently naming another peer.
///
/// ```swift
/// let id = try PeerID(parsing: "aaaqeay eaudao5 cajbifq ydiob4x ibceqtc qkrmfym ydenbwh a5dypqs")
/// print(id)              // canonical upper-case form
/// ```
public struct PeerID: Hashable, Sendable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// The 32 bytes of the SHA-256 digest.
    public let digest: [UInt8]

    /// Wraps a digest; nil unless it is exactly 32 bytes.
    public init?(digest: some Collection<UInt8>) {
        guard digest.count == 32 else { return nil }
        self.digest = Array(digest)
    }

    /// The peer id of a public key, from its DER SubjectPublicKeyInfo.
    public init(subjectPublicKeyInfo der: some Collection<UInt8>) {
        self.digest = Array(SHA256.hash(data: Array(der)))
    }

    /// Parses the text form.
    ///
    /// - Throws: `PeerError.Code.invalidPeerID` with what is wrong (length, a character outside the alphabet, a
    ///   failed check character).
    public init(parsing text: String) throws {
        var characters: [UInt8] = []
        for scalar in text.unicodeScalars {
            switch scalar {
            case "-", " ", "\t": continue
            case "0": characters.append(UInt8(ascii: "O"))
            case "1": characters.append(UInt8(ascii: "I"))
            case "8": characters.append(UInt8(ascii: "B"))
            case "a"..."z": characters.append(UInt8(scalar.value) - 32)
            case "A"..."Z", "2"..."7": characters.append(UInt8(scalar.value))
            default:
                throw PeerError(
                    .invalidPeerID, "a peer id has only letters, the digits 2-7 and dashes; '\(scalar)' is not one")
            }
        }
        guard characters.count == Self.checkedLength else {
            throw PeerError(
                .invalidPeerID,
                "a peer id has \(Self.checkedLength) letters and digits (8 groups of 7); this one has \(characters.count)"
            )
        }
        var data: [UInt8] = []
        for group in 0..<Self.groups {
            let start = group * (Self.groupLength + 1)
            let body = Array(characters[start..<start + Self.groupLength])
            guard Self.luhn32(body) == characters[start + Self.groupLength] else {
                throw PeerError(
                    .invalidPeerID,
                    "peer id check failed in characters \(start + 1)-\(start + Self.groupLength + 1): a typo?")
            }
            data += body
        }
        guard let digest = Self.base32Decode(data), digest.count == 32 else {
            throw PeerError(.invalidPeerID, "not a peer id: its letters do not encode 32 bytes")
        }
        self.digest = digest
    }

    /// Parses the text form; nil when it is invalid.
    public init?(_ description: String) {
        guard let id = try? PeerID(parsing: description) else { return nil }
        self = id
    }

    /// The canonical text form: 8 groups of 7 upper-case characters separated by dashes.
    public var description: String {
        let data = Self.base32Encode(digest)
        var checked: [UInt8] = []
        for group in 0..<Self.groups {
            let body = Array(data[group * Self.groupLength..<(group + 1) * Self.groupLength])
            checked += body
            checked.append(Self.luhn32(body))
        }
        var text = ""
        for (index, character) in checked.enumerated() {
            if index > 0 && index % 7 == 0 { text.append("-") }
            text.append(Character(Unicode.Scalar(character)))
        }
        return text
    }

    /// The first group of the text form, for logs.
    public var shortDescription: String { String(description.prefix(7)) }

    /// Orders peer ids by their digest bytes.
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool {
        lhs.digest.lexicographicallyPrecedes(rhs.digest)
    }

    // MARK: - Encoding

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
    static let groups = 4
    static let groupLength = 13
    static let checkedLength = groups * (groupLength + 1)

    static func value(of character: UInt8) -> Int? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(character - UInt8(ascii: "A"))
        case UInt8(ascii: "2")...UInt8(ascii: "7"): Int(character - UInt8(ascii: "2")) + 26
        default: nil
        }
    }

    /// RFC 4648 base32 without padding.
    static func base32Encode(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                result.append(alphabet[(buffer >> bits) & 31])
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { result.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return result
    }

    /// Decodes unpadded base32; nil when a character is outside the alphabet or the trailing bits are not zero.
    static func base32Decode(_ characters: [UInt8]) -> [UInt8]? {
        var result: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in characters {
            guard let value = value(of: character) else { return nil }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                result.append(UInt8((buffer >> bits) & 0xFF))
            }
            buffer &= (1 << bits) - 1
        }
        guard buffer == 0 else { return nil }
        return result
    }

    /// The Luhn mod 32 check character of `characters` (every one in the alphabet).
    ///
    /// From the rightmost character leftwards, code points are multiplied by 2, 1, 2, 1, …; each product `p`
    /// contributes `p / 32 + p % 32`; the check character's code point is `(32 - sum % 32) % 32`.
    static func luhn32(_ characters: [UInt8]) -> UInt8 {
        var factor = 2
        var sum = 0
        for character in characters.reversed() {
            let product = factor * (value(of: character) ?? 0)
            sum += product / 32 + product % 32
            factor = factor == 2 ? 1 : 2
        }
        return alphabet[(32 - sum % 32) % 32]
    }
}

extension PeerID: Codable {
    /// Decodes the text form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    /// Encodes the canonical text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
