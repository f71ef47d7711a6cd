extension JSONValue {
    /// The canonical, compact JSON text of this value: deterministic bytes for equal values.
    ///
    /// - Object keys are sorted by their UTF-8 bytes; no whitespace is written.
    /// - Integers are written in decimal; reals in the shortest form that reads back to the same double, always
    ///   with a `.` or an exponent (`5.0`, `1e-05`); infinities as `1e999` and `-1e999`; NaN as `null`.
    /// - Strings escape `"`, `\` and the control characters below U+0020 (as `\b \f \n \r \t` or `\u00XX`), per
    ///   RFC 8259; everything else is written as UTF-8.
    public var canonicalText: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Appends the canonical text of this value to `out`.
    public func write(to out: inout String) {
        switch self {
        case .null:
            out += "null"
        case .bool(let b):
            out += b ? "true" : "false"
        case .integer(let i):
            out += String(i)
        case .real(let d):
            out += Self.canonicalReal(d)
        case .string(let s):
            Self.writeString(s, to: &out)
        case .array(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                element.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, key) in Self.sortedKeys(members).enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                members[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    /// Keys in canonical order: bytewise by UTF-8.
    public static func sortedKeys(_ members: [String: JSONValue]) -> [String] {
        members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The canonical text of a double: shortest round-trip digits, always marked as a real. Negative zero prints as
    /// `0.0`: SQLite treats -0.0 and 0.0 as one value (an update from one to the other changes nothing it can see,
    /// so it is not captured), and replicas must export the same text for it.
    static func canonicalReal(_ d: Double) -> String {
        if d.isNaN { return "null" }
        if d == 0 { return "0.0" }
        if d.isInfinite { return d < 0 ? "-1e999" : "1e999" }
        var text = d.description // Swift prints the shortest digits that read back exactly.
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { text += ".0" }
        return text
    }

    /// Writes `s` as a JSON string literal with RFC 8259 escapes.
    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
