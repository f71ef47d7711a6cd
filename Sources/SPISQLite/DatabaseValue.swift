/// One SQLite value: the five storage classes.
///
/// The register's tables, the change sets and the merge all speak in these values. Their total order (see
/// `DatabaseValue+Ordering.swift`) is what breaks ties deterministically when two writes carry the same clock.
///
/// ```swift
/// let v: DatabaseValue = .text("SPI-INC-FAB")
/// ```
public enum DatabaseValue: Hashable, Sendable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double. SQLite stores NaN as NULL.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])

    /// Whether this is SQL NULL.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as text, when it is text.
    public var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// The value as an integer, when it is an integer.
    public var integerValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// The value's bytes, when it is a blob.
    public var blobValue: [UInt8]? {
        if case .blob(let b) = self { return b }
        return nil
    }

    /// The SQLite storage class name: `null`, `integer`, `real`, `text` or `blob`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .blob: "blob"
        }
    }
}

extension DatabaseValue: CustomStringConvertible {
    /// A human-readable rendering: NULL, numbers, text as is, blobs as `x'…'` hex.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let i): String(i)
        case .real(let d): String(d)
        case .text(let s): s
        case .blob(let b): "x'" + b.map { String(format2hex: $0) }.joined() + "'"
        }
    }
}

extension String {
    init(format2hex byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self.init([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

// No ExpressibleByNilLiteral: `nil` must always mean "no value" (an Optional), never SQL NULL; write `.null`.
extension DatabaseValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
}
