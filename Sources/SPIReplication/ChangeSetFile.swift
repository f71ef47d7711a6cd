import Foundation

/// The framing of change-set and knowledge files (normative text: protocol/changes.md).
///
/// A file is an 8-byte magic, then frames: a 4-byte big-endian payload length, the payload (a protobuf message),
/// and the payload's 4-byte big-endian CRC-32. A change-set file's frames are a header, any number of batches and a
/// trailer; a file without its trailer was cut short.
public enum ChangeSetFile {
    /// The magic of a change-set file: `SPICHG` + format version 1.
    public static let changeSetMagic: [UInt8] = Array("SPICHG".utf8) + [0x0D, 0x01]
    /// The magic of a knowledge file: `SPIKNW` + format version 1.
    public static let knowledgeMagic: [UInt8] = Array("SPIKNW".utf8) + [0x0D, 0x01]
    /// The format version this build writes and reads.
    public static let formatVersion: UInt32 = 1
    /// The largest frame a reader accepts (64 MiB); a larger length prefix means a corrupt file.
    public static let maximumFrameSize = 64 << 20

    /// Encodes one frame.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(payload.count + 8)
        append(UInt32(payload.count), to: &out)
        out.append(contentsOf: payload)
        append(CRC32.checksum(payload), to: &out)
        return out
    }

    static func append(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(value >> 24))
        out.append(UInt8((value >> 16) & 0xFF))
        out.append(UInt8((value >> 8) & 0xFF))
        out.append(UInt8(value & 0xFF))
    }
}

/// Reads frames from a file one at a time, so that a large change set never has to fit in memory.
public final class FrameReader {
    private let handle: FileHandle
    private let path: String
    /// Bytes consumed so far.
    public private(set) var offset = 0

    /// Opens a file and checks its magic.
    ///
    /// - Throws: `ReplicationError.Code.malformed` when the file does not start with `magic`.
    public init(path: String, magic: [UInt8], kind: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReplicationError(.malformed, "cannot open \(path) for reading")
        }
        self.handle = handle
        self.path = path
        let head = try Self.read(handle, count: magic.count)
        offset = head.count
        if head.count < magic.count && Array(magic.prefix(head.count)) == head {
            throw ReplicationError(.truncated, "\(path) is cut short: it ends inside the file's first bytes")
        }
        guard head == magic else {
            throw ReplicationError(.malformed, "\(path) is not \(kind) (wrong magic bytes)")
        }
    }

    deinit { try? handle.close() }

    private static func read(_ handle: FileHandle, count: Int) throws -> [UInt8] {
        var out = [UInt8]()
        while out.count < count {
            guard let data = try handle.read(upToCount: count - out.count), !data.isEmpty else { break }
            out.append(contentsOf: data)
        }
        return out
    }

    /// The next frame's payload, nil at a clean end of file.
    ///
    /// - Throws: `ReplicationError.Code.truncated` when the file ends inside a frame,
    ///   `ReplicationError.Code.malformed` on a checksum mismatch or an impossible length.
    public func next() throws -> [UInt8]? {
        let prefix = try Self.read(handle, count: 4)
        if prefix.isEmpty { return nil }
        guard prefix.count == 4 else { throw truncated() }
        let length = Int(prefix[0]) << 24 | Int(prefix[1]) << 16 | Int(prefix[2]) << 8 | Int(prefix[3])
        guard length <= ChangeSetFile.maximumFrameSize else {
            throw ReplicationError(
                .malformed,
                "\(path) has a frame of \(length) bytes at offset \(offset), over the 64 MiB limit: the file is corrupt"
            )
        }
        let payload = try Self.read(handle, count: length)
        guard payload.count == length else { throw truncated() }
        let check = try Self.read(handle, count: 4)
        guard check.count == 4 else { throw truncated() }
        let expected = UInt32(check[0]) << 24 | UInt32(check[1]) << 16 | UInt32(check[2]) << 8 | UInt32(check[3])
        guard CRC32.checksum(payload) == expected else {
            throw ReplicationError(.malformed, "\(path) is corrupt: the frame at offset \(offset) fails its checksum")
        }
        offset += 8 + length
        return payload
    }

    private func truncated() -> ReplicationError {
        ReplicationError(.truncated, "\(path) is cut short: it ends inside the frame at offset \(offset)")
    }
}
