import NIOCore
import NIOEmbedded
import NIOTestUtils
import SPIProtocol
import Testing

@Suite("Framing")
struct FrameCodecTests {
    private func frame(_ message: SyncMessage) throws -> ByteBuffer {
        ByteBuffer(bytes: try FrameEncoder.frame(message))
    }

    @Test("the decoder yields the same messages fed one byte at a time, all at once, and in between")
    func decoderVerifier() throws {
        let messages = Fixtures.vectors.map(\.1)
        var all = ByteBuffer()
        for message in messages { try FrameEncoder.encode(message, into: &all) }
        let pairs: [(ByteBuffer, [SyncMessage])] =
            try messages.map { (try frame($0), [$0]) } + [(all, messages)]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder() }
    }

    @Test("a frame is a 4-byte big-endian length, then the envelope")
    func layout() throws {
        let bytes = try FrameEncoder.frame(.done(.init(batches: 1)))
        // Envelope field 6 (Done), length 2, Done field 1 = 1.
        #expect(bytes == [0, 0, 0, 4, 0x32, 0x02, 0x08, 0x01])
    }

    @Test("a length prefix over the maximum is refused as soon as its 4 bytes arrive, before any payload")
    func oversizedPrefix() throws {
        let decoder = FrameDecoder()
        var buffer = ByteBuffer(bytes: [0x01, 0x00, 0x00, 0x01]) // 16 MiB + 1
        #expect(throws: SyncError.self) { _ = try decoder.decodeFrame(from: &buffer) }
        do {
            _ = try decoder.decodeFrame(from: &buffer)
        } catch let error as SyncError {
            #expect(error.code == .frameTooLarge)
        }
        var maximum = ByteBuffer(bytes: [0x01, 0x00, 0x00, 0x00]) // exactly 16 MiB: waits for the payload
        #expect(try decoder.decodeFrame(from: &maximum) == nil)
        #expect(maximum.readableBytes == 4)
    }

    @Test("an oversized prefix in a pipeline raises frameTooLarge and the rest of the stream is ignored")
    func oversizedInPipeline() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        buffer.writeBytes([UInt8](repeating: 0xAB, count: 1000))
        #expect {
            try channel.writeInbound(buffer)
        } throws: { ($0 as? SyncError)?.code == .frameTooLarge }
        #expect(try channel.readInbound(as: SyncMessage.self) == nil)
        _ = try? channel.finish()
    }

    @Test(
        "a payload that is not an envelope is malformed",
        arguments: [
            [UInt8](), // an empty envelope: no message
            [0x0A, 0x05, 0x01], // a field claiming 5 bytes with only 1
            [0xF8, 0x06, 0x01], // only an unknown field (number 111)
            [0x0F], // wire type 7 does not exist
            [0x3A, 0x02, 0x08, 0xFF], // Error.code whose varint never ends
        ])
    func malformed(payload: [UInt8]) throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeBytes(payload)
        do {
            _ = try FrameDecoder().decodeFrame(from: &buffer)
            Issue.record("decoded \(payload) as a message")
        } catch let error as SyncError {
            #expect(error.code == .malformedMessage)
        }
    }

    @Test("random bytes never crash the decoder: each stream decodes, waits, or fails with a SyncError")
    func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let count = Int.random(in: 0..<64, using: &generator)
            var buffer = ByteBuffer(bytes: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            do {
                while try FrameDecoder(maximumFrameSize: 1 << 20).decodeFrame(from: &buffer) != nil {}
            } catch let error as SyncError {
                #expect(error.code == .malformedMessage || error.code == .frameTooLarge)
            }
        }
    }

    @Test("a partial frame waits for more bytes without consuming any")
    func partial() throws {
        let bytes = try FrameEncoder.frame(Fixtures.hello)
        var buffer = ByteBuffer(bytes: bytes.dropLast())
        #expect(try FrameDecoder().decodeFrame(from: &buffer) == nil)
        #expect(buffer.readableBytes == bytes.count - 1)
        buffer.writeInteger(bytes.last!)
        #expect(try FrameDecoder().decodeFrame(from: &buffer) == Fixtures.hello)
    }

    @Test("the encoder refuses a message larger than its maximum frame size")
    func encoderLimit() throws {
        var buffer = ByteBuffer()
        #expect {
            try FrameEncoder.encode(Fixtures.hello, into: &buffer, maximumFrameSize: 16)
        } throws: { ($0 as? SyncError)?.code == .frameTooLarge }
        #expect(buffer.readableBytes == 0)
    }

    @Test("the encoder handler writes framed messages")
    func encoderHandler() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(FrameEncoder()))
        try channel.writeOutbound(Fixtures.helloAck)
        let written = try channel.readOutbound(as: ByteBuffer.self)
        #expect(written == (try frame(Fixtures.helloAck)))
        _ = try channel.finish()
    }
}
