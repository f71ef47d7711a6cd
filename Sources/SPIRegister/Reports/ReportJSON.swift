/// A JSON value with ordered object keys, written deterministically: reports list keys in their documented order.
///
/// ```swift
/// ReportJSON.object([("report", "raci"), ("rows", .array([]))]).rendered()
/// ```
enum ReportJSON: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ReportJSON])
    case object([(String, ReportJSON)])

    static func == (lhs: ReportJSON, rhs: ReportJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    /// Text or null.
    static func text(_ value: String?) -> ReportJSON {
        value.map { .string($0) } ?? .null
    }

    /// A number or null.
    static func number(_ value: Double?) -> ReportJSON {
        value.map { .number($0) } ?? .null
    }

    /// An array of strings.
    static func strings(_ values: [String]) -> ReportJSON {
        .array(values.map { .string($0) })
    }

    /// The value as it appears in a CSV field: text as is, numbers without a needless `.0`, lists joined with `; `.
    var csvField: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .number(let d): RegisterCheck.format(d)
        case .string(let s): s
        case .array(let items): items.map(\.csvField).joined(separator: "; ")
        case .object(let pairs): pairs.map { "\($0.0)=\($0.1.csvField)" }.joined(separator: " ")
        }
    }

    /// Pretty-printed JSON (two-space indent, a newline at the end).
    func rendered() -> String {
        var out = ""
        write(to: &out, indent: 0)
        return out + "\n"
    }

    private func write(to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += d.isFinite ? RegisterCheck.format(d) : "null"
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.write(to: &out, indent: indent + 1)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += closing + "]"
        case .object(let pairs):
            guard !pairs.isEmpty else {
                out += "{}"
                return
            }
            out += "{\n"
            for (i, (key, value)) in pairs.enumerated() {
                out += pad
                JSONValue.writeString(key, to: &out)
                out += ": "
                value.write(to: &out, indent: indent + 1)
                out += i == pairs.count - 1 ? "\n" : ",\n"
            }
            out += closing + "}"
        }
    }
}
