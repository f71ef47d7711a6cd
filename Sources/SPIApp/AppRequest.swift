/// One HTTP request as the app sees it: the NIO shell (``AppServer``) builds it from the wire, and ``WebApp`` answers
/// it without any I/O of its own, so that every page and rule can be tested as a plain function.
public struct AppRequest: Sendable, Hashable {
    /// The method, upper case (`GET`, `POST`).
    public var method: String
    /// The path, percent-decoded, without the query (`/spis/SPI-INC-FAB`).
    public var path: String
    /// The query's parameters, decoded (the last of a repeated name wins).
    public var query: [String: String]
    /// The headers, by lower-case name (the last of a repeated name wins).
    public var headers: [String: String]
    /// The body, as received.
    public var body: [UInt8]

    /// A request for `target` (a path with an optional query), as it appears on the request line.
    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = Self.percentDecoded(String(parts.first ?? "/"), plusIsSpace: false) ?? "/"
        self.query = parts.count > 1 ? Self.form(String(parts[1])) : [:]
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }

    /// A header's value, by name (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body's fields, when it is `application/x-www-form-urlencoded` (what a form posts); empty otherwise.
    public var form: [String: String] {
        guard header("content-type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return [:]
        }
        return Self.form(String(decoding: body, as: UTF8.self))
    }

    /// The cookies the request carries, by name.
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for pair in (header("cookie") ?? "").split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            result[parts[0].trimmingWhitespace()] = parts[1].trimmingWhitespace()
        }
        return result
    }

    /// Decodes `name=value&…` (form encoding: `+` is a space).
    static func form(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // A pair whose name or value is not well encoded is left out.
            guard let name = percentDecoded(String(parts[0]), plusIsSpace: true), !name.isEmpty,
                let value = parts.count > 1 ? percentDecoded(String(parts[1]), plusIsSpace: true) : ""
            else { continue }
            result[name] = value
        }
        return result
    }

    /// `text` with `%XX` escapes decoded, or nil when an escape is malformed or the bytes are not UTF-8.
    static func percentDecoded(_ text: String, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Self.hexValue),
                    let low = iterator.next().flatMap(Self.hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
