import Crypto

/// The bytes the replication core signs for files (protocol/changes.md, "Signed files").
extension ChangeSetSigner {
    /// The bytes a change-set file's signature covers: a domain tag, the SHA-256 of the SHA-256 of each frame payload
    /// before the trailer in order, and the trailer's counts.
    static func changeSetMessage(frameDigests: [[UInt8]], batches: UInt64, rows: UInt64, cells: UInt64) -> [UInt8] {
        var hasher = SHA256()
        for digest in frameDigests { hasher.update(data: digest) }
        var message = Array("SPICHG-SIGNED-1\n".utf8) + Array(hasher.finalize())
        for value in [batches, rows, cells] {
            for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
        }
        return message
    }

    /// The bytes a knowledge file's signature covers.
    static func knowledgeMessage(payload: [UInt8]) -> [UInt8] {
        Array("SPIKNW-SIGNED-1\n".utf8) + Array(SHA256.hash(data: payload))
    }
}
