import Foundation
import SPIReplication
import SwiftProtobuf

/// The one mapping between ``SyncMessage`` and its protobuf form, `Spi_Sync_V1_Envelope` (protocol/spi_sync.proto).
///
/// Only the framing (``FrameEncoder``, ``FrameDecoder``) and tests use it: the generated types are internal to this
/// module. Decoding checks what makes a payload a message (it parses, within a nesting depth of 32, and holds one
/// known message) and throws `SyncError.Code.malformedMessage` otherwise; the fields are judged by the session.
/// Encoding applies the limits a sender keeps (protocol/sync.md §4.2): messages of `Error` and `Busy` cut to 1,024
/// bytes, at most 64 refusals per `BatchAck`, each reason cut to 512 characters.
extension SyncMessage {
    /// Decodes one frame's payload.
    ///
    /// - Throws: `SyncError.Code.malformedMessage` when the bytes are not an envelope, or an envelope with no known
    ///   message in it.
    static func decode(payload: [UInt8]) throws(SyncError) -> SyncMessage {
        let envelope: Spi_Sync_V1_Envelope
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 32
            envelope = try Spi_Sync_V1_Envelope(serializedBytes: payload, options: options)
        } catch {
            throw SyncError(
                .malformedMessage, "a frame of \(payload.count) bytes is not a sync message", underlying: error)
        }
        guard let message = SyncMessage(envelope: envelope) else {
            throw SyncError(.malformedMessage, "a frame of \(payload.count) bytes holds no known message")
        }
        return message
    }

    /// The payload of this message's frame: the serialized envelope.
    func serializedPayload() throws(SyncError) -> [UInt8] {
        do {
            return try envelope.serializedBytes()
        } catch {
            throw SyncError(.internalError, "cannot encode a \(kindName) message", underlying: error)
        }
    }

    /// The message an envelope holds; nil when it holds none this build knows.
    init?(envelope: Spi_Sync_V1_Envelope) {
        switch envelope.kind {
        case .hello(let hello):
            self = .hello(
                Hello(
                    protocolVersions: hello.protocolVersions, registerID: [UInt8](hello.registerID),
                    schemaVersion: hello.schemaVersion, siteID: [UInt8](hello.siteID), peerName: hello.peerName,
                    receiveWindow: hello.receiveWindow, software: hello.software))
        case .helloAck(let ack):
            self = .helloAck(
                HelloAck(
                    protocolVersion: ack.protocolVersion, registerID: [UInt8](ack.registerID),
                    schemaVersion: ack.schemaVersion, siteID: [UInt8](ack.siteID), peerName: ack.peerName,
                    receiveWindow: ack.receiveWindow, software: ack.software))
        case .knowledge(let knowledge):
            self = .knowledge(KnowledgeMessage(knowledge))
        case .batch(let batch):
            self = .batch(Batch(sequence: batch.sequence, changes: ChangeBatch(batch.changes)))
        case .batchAck(let ack):
            // The counts are for reports only: a refusal naming an invalid origin is dropped, and over-long text is
            // cut, rather than failing the session.
            let refusals = ack.refusals.prefix(SyncProtocol.maximumRefusalsPerAck).compactMap { entry -> Refusal? in
                guard let origin = SiteID(bytes: entry.origin) else { return nil }
                return Refusal(
                    table: String(entry.table.prefix(128)), id: String(entry.rowID.prefix(512)), origin: origin,
                    columns: entry.columns.prefix(64).map { String($0.prefix(128)) },
                    reason: String(entry.reason.prefix(512)), count: Int(entry.count))
            }
            self = .batchAck(
                BatchAck(
                    sequence: ack.sequence, applied: ack.applied, alreadyKnown: ack.alreadyKnown, lost: ack.lost,
                    refused: ack.refused, refusals: refusals))
        case .done(let done):
            self = .done(Done(batches: done.batches))
        case .error(let error):
            // An empty text from a peer still names its code: an unknown one becomes `unspecified` here, and its
            // number would be lost.
            let text = error.message.isEmpty ? ErrorReport.unexplained(wireCode: error.code.rawValue) : error.message
            self = .error(ErrorReport(code: SyncError.Code(wireCode: error.code), message: text))
        case .busy(let busy):
            self = .busy(Busy(retryAfter: .milliseconds(Int64(busy.retryAfterMs)), message: busy.message))
        case nil:
            return nil
        }
    }

    /// The envelope that carries this message.
    var envelope: Spi_Sync_V1_Envelope {
        var envelope = Spi_Sync_V1_Envelope()
        switch self {
        case .hello(let hello):
            var message = Spi_Sync_V1_Hello()
            message.protocolVersions = hello.protocolVersions
            message.registerID = Data(hello.registerID)
            message.schemaVersion = hello.schemaVersion
            message.siteID = Data(hello.siteID)
            message.peerName = hello.peerName
            message.receiveWindow = hello.receiveWindow
            message.software = hello.software
            envelope.hello = message
        case .helloAck(let ack):
            var message = Spi_Sync_V1_HelloAck()
            message.protocolVersion = ack.protocolVersion
            message.registerID = Data(ack.registerID)
            message.schemaVersion = ack.schemaVersion
            message.siteID = Data(ack.siteID)
            message.peerName = ack.peerName
            message.receiveWindow = ack.receiveWindow
            message.software = ack.software
            envelope.helloAck = message
        case .knowledge(let knowledge):
            envelope.knowledge = knowledge.message
        case .batch(let batch):
            var message = Spi_Sync_V1_Batch()
            message.sequence = batch.sequence
            message.changes = batch.changes.message
            envelope.batch = message
        case .batchAck(let ack):
            var message = Spi_Sync_V1_BatchAck()
            message.sequence = ack.sequence
            message.applied = ack.applied
            message.alreadyKnown = ack.alreadyKnown
            message.lost = ack.lost
            message.refused = ack.refused
            message.refusals = ack.refusals.prefix(SyncProtocol.maximumRefusalsPerAck).map { refusal in
                var entry = Spi_Sync_V1_RefusedChange()
                entry.table = refusal.table
                entry.rowID = refusal.id
                entry.origin = Data(refusal.origin.bytes)
                entry.columns = refusal.columns
                entry.reason = String(refusal.reason.prefix(512))
                entry.count = UInt32(clamping: refusal.count)
                return entry
            }
            envelope.batchAck = message
        case .done(let done):
            var message = Spi_Sync_V1_Done()
            message.batches = done.batches
            envelope.done = message
        case .error(let error):
            var message = Spi_Sync_V1_Error()
            message.code = error.code.wireCode
            message.message = error.message.truncatedUTF8(to: SyncProtocol.maximumErrorMessageLength)
            envelope.error = message
        case .busy(let busy):
            var message = Spi_Sync_V1_Busy()
            message.retryAfterMs = busy.retryAfter.wholeMilliseconds
            message.message = busy.message.truncatedUTF8(to: SyncProtocol.maximumErrorMessageLength)
            envelope.busy = message
        }
        return envelope
    }
}

extension Duration {
    /// The duration in whole milliseconds, clamped to what a `UInt32` holds (negative durations are 0).
    var wholeMilliseconds: UInt32 {
        let (seconds, attoseconds) = components
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? 0 : .max }
        let (total, overflowAgain) = milliseconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        guard !overflowAgain else { return .max }
        return UInt32(clamping: total)
    }
}
