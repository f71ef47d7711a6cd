import Foundation
import SPIProtocol
import SPIIdentity

/// A `HOST:PORT` network address: a name, an IPv4 address, or an IPv6 address in brackets (`[::1]:7373`).
///
/// ```swift
/// let address = try PeerAddress(parsing: "org.example.net:7373")
/// let local = try PeerAddress(parsing: "127.0.0.1", defaultPort: 7373)
/// ```
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The host name or IP address (IPv6 without brackets).
    public var host: String
    /// The TCP port (1–65535; 0 only for a listen address, meaning "any free port").
    public var port: Int

    /// The default listen address: loopback only, on the default port.
    public static let defaultListen = PeerAddress(host: "127.0.0.1", port: SyncProtocol.defaultPort)

    /// An address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT`, or `HOST` alone when `defaultPort` is given.
    ///
    /// - Throws: `PeerError.Code.invalidAddress`.
    public init(parsing text: String, defaultPort: Int? = nil, allowsAnyPort: Bool = false) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var host: Substring
        var portText: Substring?
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw PeerError(.invalidAddress, "'\(text)' opens an IPv6 bracket without closing it")
            }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else {
                    throw PeerError(.invalidAddress, "'\(text)' is not [IPV6]:PORT")
                }
                portText = rest.dropFirst()
            }
        } else if let colon = trimmed.lastIndex(of: ":") {
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            if host.contains(":") {
                throw PeerError(.invalidAddress, "'\(text)': write an IPv6 address in brackets, as [::1]:7373")
            }
        } else {
            host = Substring(trimmed)
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw PeerError(.invalidAddress, "'\(text)' has no valid host; expected HOST:PORT")
        }
        let port: Int
        if let portText {
            guard let value = Int(portText), value >= (allowsAnyPort ? 0 : 1), value <= 65535 else {
                throw PeerError(.invalidAddress, "'\(text)': the port must be a number from 1 to 65535")
            }
            port = value
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw PeerError(.invalidAddress, "'\(text)' has no port; expected HOST:PORT")
        }
        self.host = String(host)
        self.port = port
    }

    /// Parses `HOST:PORT`; nil when invalid.
    public init?(_ description: String) {
        guard let address = try? PeerAddress(parsing: description) else { return nil }
        self = address
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether the host is a loopback address (`127.x.x.x`, `::1` or `localhost`).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

extension PeerAddress: Codable {
    /// Decodes `HOST:PORT`.
    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes `HOST:PORT`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
