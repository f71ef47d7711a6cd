public import SPISQLite

/// One row of a register table: its id and the values of its columns.
///
/// ```swift
/// let fab = try register.read { try $0.record("party", "FAB") }
/// fab["name"]            // .text("Fabrikam Service Desk")
/// fab.json.canonicalText // {"code":"FAB","id":"…","internal":0,"kind":"provider","name":"…","notes":null}
/// ```
public struct Record: Sendable, Hashable {
    /// The table the row belongs to.
    public let table: String
    /// The row's id: a lowercase text UUID.
    public let id: String
    /// The values of every column except `id`.
    public let values: [String: DatabaseValue]

    /// Creates a record.
    public init(table: String, id: String, values: [String: DatabaseValue]) {
        self.table = table
        self.id = id
        self.values = values
    }

    /// The value of `column` (`id` included); `.null` for a column the row does not have.
    public subscript(column: String) -> DatabaseValue {
        column == "id" ? .text(id) : values[column] ?? .null
    }

    /// The row as a JSON object with every column, `id` included, as the canonical export writes it.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["id": .string(id)]
        for (column, value) in values { object[column] = JSONValue(value) }
        return .object(object)
    }
}

extension JSONValue {
    /// The JSON form of a SQLite value: NULL as `null`, integers and reals as numbers, text as a string, and a blob
    /// as an object with one member, `{"$blob": "<lowercase hex>"}`.
    public init(_ value: DatabaseValue) {
        switch value {
        case .null: self = .null
        case .integer(let i): self = .integer(i)
        case .real(let d): self = .real(d)
        case .text(let s): self = .string(s)
        case .blob(let bytes):
            let digits = Array("0123456789abcdef")
            var hex = ""
            hex.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                hex.append(digits[Int(byte >> 4)])
                hex.append(digits[Int(byte & 0xF)])
            }
            self = .object(["$blob": .string(hex)])
        }
    }

    /// The SQLite value this JSON stands for (the inverse of ``init(_:)``); `true` and `false` become 1 and 0.
    ///
    /// - Throws: `RegisterError.Code.malformedExport` for an array, or an object that is not a `$blob`.
    public func databaseValue() throws(RegisterError) -> DatabaseValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .integer(b ? 1 : 0)
        case .integer(let i): return .integer(i)
        case .real(let d): return .real(d)
        case .string(let s): return .text(s)
        case .array:
            throw RegisterError(.malformedExport, "an array is not a column value")
        case .object(let members):
            guard members.count == 1, let hex = members["$blob"]?.stringValue, let bytes = Self.bytes(hex: hex) else {
                throw RegisterError(.malformedExport, "an object column value must be {\"$blob\": \"<hex>\"}")
            }
            return .blob(bytes)
        }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }
}
