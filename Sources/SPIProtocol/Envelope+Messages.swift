import Foundation
public import SPIReplication

extension Spi_Sync_V1_Envelope {
    /// An envelope holding `message`.
    public init(_ kind: OneOf_Kind) {
        self.init()
        self.kind = kind
    }

    /// An `Error` message; the text is cut to the protocol's limit.
    public static func error(_ code: Spi_Sync_V1_ErrorCode, _ message: String) -> Self {
        var error = Spi_Sync_V1_Error()
        error.code = code
        error.message = message.truncatedUTF8(to: SyncProtocol.maximumErrorMessageLength)
        return Self(.error(error))
    }

    /// A `Busy` message.
    public static func busy(retryAfterMilliseconds: UInt32, _ message: String) -> Self {
        var busy = Spi_Sync_V1_Busy()
        busy.retryAfterMs = retryAfterMilliseconds
        busy.message = message.truncatedUTF8(to: SyncProtocol.maximumErrorMessageLength)
        return Self(.busy(busy))
    }

    /// A `Batch` message.
    public static func batch(_ sequence: UInt64, _ changes: Spi_V1_ChangeBatch) -> Self {
        var batch = Spi_Sync_V1_Batch()
        batch.sequence = sequence
        batch.changes = changes
        return Self(.batch(batch))
    }

    /// A `BatchAck` message reporting what applying the batch did.
    public static func batchAck(_ sequence: UInt64, _ report: ApplyReport) -> Self {
        var ack = Spi_Sync_V1_BatchAck()
        ack.sequence = sequence
        ack.applied = UInt64(max(0, report.applied))
        ack.alreadyKnown = UInt64(max(0, report.alreadyKnown))
        ack.lost = UInt64(max(0, report.lost))
        ack.refused = UInt64(max(0, report.refused))
        ack.refusals = report.refusals.prefix(SyncProtocol.maximumRefusalsPerAck).map { refusal in
            var entry = Spi_Sync_V1_RefusedChange()
            entry.table = refusal.table
            entry.rowID = refusal.id
            entry.origin = Data(refusal.origin.bytes)
            entry.columns = refusal.columns
            entry.reason = String(refusal.reason.prefix(512))
            entry.count = UInt32(clamping: refusal.count)
            return entry
        }
        return Self(.batchAck(ack))
    }

    /// A `Done` message.
    public static func done(batches: UInt64) -> Self {
        var done = Spi_Sync_V1_Done()
        done.batches = batches
        return Self(.done(done))
    }

    /// A `Knowledge` message.
    public static func knowledge(_ knowledge: Knowledge) -> Self {
        Self(.knowledge(knowledge.proto))
    }

    /// The message's name as the spec writes it (`Hello`, `BatchAck`, …), for logs and errors.
    public var kindName: String {
        switch kind {
        case .hello: "Hello"
        case .helloAck: "HelloAck"
        case .knowledge: "Knowledge"
        case .batch: "Batch"
        case .batchAck: "BatchAck"
        case .done: "Done"
        case .error: "Error"
        case .busy: "Busy"
        case nil: "an empty envelope"
        }
    }
}

extension String {
    /// The longest prefix of whole characters whose UTF-8 fits in `limit` bytes.
    func truncatedUTF8(to limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var result = ""
        var size = 0
        for character in self {
            let length = character.utf8.count
            if size + length > limit { break }
            result.append(character)
            size += length
        }
        return result
    }
}
