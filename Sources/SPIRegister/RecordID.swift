import Crypto
public import Foundation

/// Row ids for the register: lowercase text UUIDs.
///
/// - Records get time-ordered UUIDv7 ids, created locally and never reused.
/// - Reference data and pure link rows get UUIDv5 ids derived from their natural key, so that two parties who create
///   the same thing offline end up with one row rather than a clash.
///
/// ```swift
/// let id = RecordID.v7()                                  // "0193a4…-…"
/// let incident = RecordID.v5("practice:INC")             // the same on every replica
/// ```
public enum RecordID {
    /// The namespace of all derived (UUIDv5) ids in SPI registers.
    public static let namespace = UUID(uuidString: "6f1c2b1e-4d0a-4c55-9a5e-53504952e601")!

    /// A new time-ordered UUIDv7, as lowercase text.
    public static func v7(now: Date = Date()) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        var random = SystemRandomNumberGenerator()
        for i in 6..<16 { bytes[i] = UInt8.random(in: 0...255, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return format(bytes)
    }

    /// The UUIDv5 of `name` in ``namespace``, as lowercase text: the same input gives the same id everywhere.
    public static func v5(_ name: String) -> String {
        var input = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        input.append(contentsOf: Array(name.utf8))
        var bytes = Array(Insecure.SHA1.hash(data: input).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return format(bytes)
    }

    /// Whether `text` is a UUID in canonical lowercase form (`8-4-4-4-12` hex digits).
    public static func isCanonical(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return false }
        for (i, c) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
                return false
            }
        }
        return true
    }

    static func format(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { String(format2: $0) }.joined()
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-"
            + String(h[20..<32])
    }
}

extension String {
    fileprivate init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self.init([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
