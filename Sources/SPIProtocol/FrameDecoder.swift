public import NIOCore

/// Splits a byte stream into sync frames and decodes each into a ``SyncMessage``.
///
/// A frame is a 4-byte big-endian length followed by that many bytes of a serialized envelope
/// (protocol/sync.md, "Framing"). The decoder checks the length prefix as soon as its 4 bytes arrive: a length over
/// ``maximumFrameSize`` throws `SyncError.Code.frameTooLarge` before a single payload byte is buffered, unlike
/// NIO's `LengthFieldBasedFrameDecoder`, which has no maximum. A payload that is not an envelope holding one known
/// message throws `SyncError.Code.malformedMessage`. After an error, `ByteToMessageHandler` drops everything that follows.
///
/// ```swift
/// try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
/// ```
public struct FrameDecoder: ByteToMessageDecoder {
    /// Each frame becomes one message.
    public typealias InboundOut = SyncMessage

    /// The largest payload accepted, in bytes.
    public let maximumFrameSize: Int

    /// Creates a decoder that accepts payloads of at most `maximumFrameSize` bytes.
    public init(maximumFrameSize: Int = SyncProtocol.maximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Emits every whole frame in `buffer`; throws on an oversized prefix or an undecodable payload.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try decodeFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }

    /// At the end of the stream: emits the whole frames left; a partial one is dropped.
    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        // A partial frame at the end of the stream is dropped: the session was cut, and the state machine reports
        // the closed connection.
        try decode(context: context, buffer: &buffer)
    }

    /// Reads one whole frame from the front of `buffer`; nil (and nothing consumed) when it is not all there yet.
    ///
    /// - Throws: ``SyncError`` with `SyncError.Code.frameTooLarge` or `SyncError.Code.malformedMessage`.
    public func decodeFrame(from buffer: inout ByteBuffer) throws -> SyncMessage? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return nil
        }
        guard Int(length) <= maximumFrameSize else {
            throw SyncError(
                .frameTooLarge,
                "a frame announced \(length) bytes; the maximum is \(maximumFrameSize)")
        }
        guard buffer.readableBytes >= SyncProtocol.lengthPrefixSize + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: SyncProtocol.lengthPrefixSize)
        let payload = buffer.readBytes(length: Int(length))!
        return try Self.decodeMessage(payload)
    }

    /// Decodes one frame's payload.
    ///
    /// - Throws: `SyncError.Code.malformedMessage` when the bytes are not an envelope, or an envelope with no known
    ///   message in it.
    public static func decodeMessage(_ payload: [UInt8]) throws -> SyncMessage {
        try SyncMessage.decode(payload: payload)
    }
}
