import Crypto
import Foundation
@testable import SPITransport
import Testing
import SPIIdentity

@Suite("Peer ids")
struct PeerIDTests {
    /// The peer id whose digest is the bytes 0, 1, …, 31: the example of protocol/sync.md §3.2.
    static let vectorDigest = (0..<32).map { UInt8($0) }
    static let vectorText = "AAAQEAY-EAUDAO5-CAJBIFQ-YDIOB4X-IBCEQTC-QKRMFYM-YDENBWH-A5DYPQS"

    @Test("the text form is 8 groups of 7 characters and parses back to the same digest")
    func roundTrip() throws {
        for seed in 0..<50 {
            let digest = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ seed &* 101) }
            let id = try #require(PeerID(digest: digest))
            let text = id.description
            #expect(text.count == 63)
            #expect(text.split(separator: "-").allSatisfy { $0.count == 7 })
            #expect(try PeerID(parsing: text) == id)
        }
    }

    @Test("the documented vector: digest 00 01 … 1f")
    func vector() throws {
        let id = try #require(PeerID(digest: Self.vectorDigest))
        #expect(id.description == Self.vectorText)
        #expect(try PeerID(parsing: Self.vectorText).digest == Self.vectorDigest)
    }

    @Test("parsing ignores case, dashes and spaces, and reads 0, 1 and 8 as O, I and B")
    func lenient() throws {
        let id = try #require(PeerID(digest: Self.vectorDigest))
        let sloppy = id.description.lowercased().replacingOccurrences(of: "-", with: " ")
        #expect(try PeerID(parsing: sloppy) == id)
        let digits = id.description.replacingOccurrences(of: "O", with: "0").replacingOccurrences(of: "I", with: "1")
            .replacingOccurrences(of: "B", with: "8")
        #expect(try PeerID(parsing: digits) == id)
    }

    @Test("every single-character typo is caught by a check character")
    func typos() throws {
        let id = try #require(PeerID(digest: Array(SHA256.hash(data: Array("typo".utf8)))))
        let characters = Array(id.description.filter { $0 != "-" })
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var caught = 0
        var total = 0
        for position in characters.indices {
            for replacement in alphabet where replacement != characters[position] {
                var typo = characters
                typo[position] = replacement
                total += 1
                if (try? PeerID(parsing: String(typo))) == nil { caught += 1 }
            }
        }
        #expect(caught == total)
    }

    @Test(
        "invalid text is refused with invalidPeerID",
        arguments: ["", "ABC", "AAAQEAY-EAUDAO5-CAJBIFQ-YDIOB4X-IBCEQTC-QKRMFYM-YDENBWH-A5DYPQSA", "AAAQEAY+CEUDAOC"])
    func invalid(text: String) {
        #expect {
            try PeerID(parsing: text)
        } throws: { ($0 as? PeerError)?.code == .invalidPeerID }
    }

    @Test("peer ids encode to and decode from JSON as their text form")
    func codable() throws {
        let id = try #require(PeerID(digest: Self.vectorDigest))
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(Self.vectorText)\"]")
        #expect(try JSONDecoder().decode([PeerID].self, from: data) == [id])
    }
}

@Suite("Peer addresses")
struct PeerAddressTests {
    @Test(
        "HOST:PORT forms parse",
        arguments: [
            ("127.0.0.1:7373", "127.0.0.1", 7373), ("org.example.net:1", "org.example.net", 1),
            ("[::1]:7000", "::1", 7000), ("[fe80::1]:65535", "fe80::1", 65535),
        ])
    func valid(text: String, host: String, port: Int) throws {
        let address = try PeerAddress(parsing: text)
        #expect(address.host == host && address.port == port)
        #expect(address.description == text)
    }

    @Test("a host alone takes the default port when one is given")
    func defaultPort() throws {
        #expect(try PeerAddress(parsing: "localhost", defaultPort: 7373).port == 7373)
        #expect(throws: PeerError.self) { try PeerAddress(parsing: "localhost") }
    }

    @Test(
        "bad addresses are refused with invalidAddress",
        arguments: ["", ":7373", "host:0", "host:70000", "::1:7373", "[::1", "a b:1"])
    func invalid(text: String) {
        #expect {
            try PeerAddress(parsing: text)
        } throws: { ($0 as? PeerError)?.code == .invalidAddress }
    }

    @Test("port 0 is allowed for a listen address")
    func anyPort() throws {
        #expect(try PeerAddress(parsing: "127.0.0.1:0", allowsAnyPort: true).port == 0)
    }
}
