import Foundation
import NIOCore
import SwiftProtobuf
@testable import SPIProtocol
import Testing

/// The test vectors of protocol/vectors/: each file holds comment lines (`#`) and the hex dump of one frame.
@Suite("Test vectors")
struct VectorTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/vectors")

    static func hex(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: bytes.count, by: 16).map { start in
            bytes[start..<min(start + 16, bytes.count)].map { String(format: "%02x", $0) }.joined(separator: " ")
        }.joined(separator: "\n")
    }

    static func parse(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            for token in line.split(whereSeparator: \.isWhitespace) {
                guard let byte = UInt8(token, radix: 16) else { return nil }
                bytes.append(byte)
            }
        }
        return bytes
    }

    @Test(
        "encoding each message gives exactly the vector's bytes, and decoding the vector gives the message",
        arguments: Fixtures.vectors.map(\.0))
    func vector(name: String) throws {
        let message = Fixtures.vectors.first { $0.0 == name }!.1
        let url = Self.directory.appendingPathComponent("\(name).hex")
        let encoded = try FrameEncoder.frame(message)
        if ProcessInfo.processInfo.environment["SPI_WRITE_VECTORS"] == "1" {
            let text =
                "# \(name): \(message.kindName), \(encoded.count) bytes (4-byte length + envelope)\n"
                + "# " + message.envelope.textFormatString().split(separator: "\n").joined(separator: "\n# ") + "\n"
                + Self.hex(encoded) + "\n"
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        let bytes = try #require(Self.parse(text))
        #expect(encoded == bytes)
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try FrameDecoder().decodeFrame(from: &buffer) == message)
        #expect(buffer.readableBytes == 0)
    }
}
