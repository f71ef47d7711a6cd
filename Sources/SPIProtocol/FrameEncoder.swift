public import NIOCore

/// Encodes a ``SyncMessage`` as one sync frame: a 4-byte big-endian length, then the serialized envelope that
/// carries it (protocol/spi_sync.proto).
///
/// A message whose encoding exceeds ``maximumFrameSize`` throws `SyncError.Code.frameTooLarge`: a peer would
/// refuse it, so it never reaches the wire.
///
/// ```swift
/// try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
/// ```
public struct FrameEncoder: MessageToByteEncoder {
    /// Each message becomes one frame.
    public typealias OutboundIn = SyncMessage

    /// The largest payload written, in bytes.
    public let maximumFrameSize: Int

    /// Creates an encoder that refuses payloads over `maximumFrameSize` bytes.
    public init(maximumFrameSize: Int = SyncProtocol.maximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Writes the frame of `data` to `out`.
    public func encode(data: SyncMessage, out: inout ByteBuffer) throws {
        try Self.encode(data, into: &out, maximumFrameSize: maximumFrameSize)
    }

    /// Appends the frame for `message` to `buffer`.
    ///
    /// - Throws: `SyncError.Code.frameTooLarge` when the payload exceeds `maximumFrameSize`.
    public static func encode(
        _ message: SyncMessage, into buffer: inout ByteBuffer,
        maximumFrameSize: Int = SyncProtocol.maximumFrameSize
    ) throws {
        let payload = try message.serializedPayload()
        guard payload.count <= maximumFrameSize else {
            throw SyncError(
                .frameTooLarge, "a message of \(payload.count) bytes exceeds the maximum frame size \(maximumFrameSize)"
            )
        }
        buffer.reserveCapacity(minimumWritableBytes: SyncProtocol.lengthPrefixSize + payload.count)
        buffer.writeInteger(UInt32(payload.count), endianness: .big)
        buffer.writeBytes(payload)
    }

    /// The frame for `message`, as bytes (for test vectors and tools).
    public static func frame(_ message: SyncMessage) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try encode(message, into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes)!
    }
}
