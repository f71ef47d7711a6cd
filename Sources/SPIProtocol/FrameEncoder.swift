public import NIOCore
import SwiftProtobuf

/// Encodes an `Spi_Sync_V1_Envelope` as one sync frame: a 4-byte big-endian length, then the serialized envelope.
///
/// An envelope whose encoding exceeds ``maximumFrameSize`` throws `SyncError.Code.frameTooLarge`: a peer would
/// refuse it, so it never reaches the wire.
///
/// ```swift
/// try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
/// ```
public struct FrameEncoder: MessageToByteEncoder {
    /// Each envelope becomes one frame.
    public typealias OutboundIn = Spi_Sync_V1_Envelope

    /// The largest payload written, in bytes.
    public let maximumFrameSize: Int

    /// Creates an encoder that refuses payloads over `maximumFrameSize` bytes.
    public init(maximumFrameSize: Int = SyncProtocol.maximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Writes the frame of `data` to `out`.
    public func encode(data: Spi_Sync_V1_Envelope, out: inout ByteBuffer) throws {
        try Self.encode(data, into: &out, maximumFrameSize: maximumFrameSize)
    }

    /// Appends the frame for `envelope` to `buffer`.
    ///
    /// - Throws: `SyncError.Code.frameTooLarge` when the payload exceeds `maximumFrameSize`.
    public static func encode(
        _ envelope: Spi_Sync_V1_Envelope, into buffer: inout ByteBuffer,
        maximumFrameSize: Int = SyncProtocol.maximumFrameSize
    ) throws {
        let payload: [UInt8] = try envelope.serializedBytes()
        guard payload.count <= maximumFrameSize else {
            throw SyncError(
                .frameTooLarge, "a message of \(payload.count) bytes exceeds the maximum frame size \(maximumFrameSize)"
            )
        }
        buffer.reserveCapacity(minimumWritableBytes: SyncProtocol.lengthPrefixSize + payload.count)
        buffer.writeInteger(UInt32(payload.count), endianness: .big)
        buffer.writeBytes(payload)
    }

    /// The frame for `envelope`, as bytes (for test vectors and tools).
    public static func frame(_ envelope: Spi_Sync_V1_Envelope) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try encode(envelope, into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes)!
    }
}
