/// One message of the sync protocol (protocol/sync.md §4.2), as plain Swift values: what one frame carries.
///
/// The session state machine (``SyncSession``) reads and writes these; ``FrameDecoder`` and ``FrameEncoder`` turn
/// them into frames and back, and the protobuf mapping between them stays inside this module.
///
/// Each payload holds the message's fields as the sender put them. Decoding a frame checks only that it holds one
/// known message; the session judges the fields, in the order protocol/sync.md §5 gives (a peer of a newer protocol
/// version hears `UNSUPPORTED_VERSION`, not `MALFORMED_MESSAGE`). The replication layer's own messages (the
/// knowledge and the change batch) travel in their wire form, ``KnowledgeMessage`` and `ChangeBatch`, which
/// that layer reads and validates.
///
/// ```swift
/// let message = SyncMessage.done(SyncMessage.Done(batches: 3))
/// let frame = try FrameEncoder.frame(message)   // [0, 0, 0, 4, 0x32, 0x02, 0x08, 0x03]
/// ```
public enum SyncMessage: Sendable, Hashable {
    /// The initiator's first message: the versions it speaks and the replica it is.
    case hello(Hello)
    /// The responder's acceptance of a `Hello`: the version chosen and the replica it is.
    case helloAck(HelloAck)
    /// What the sender's replica holds, per origin site (sent once, right after the handshake).
    case knowledge(KnowledgeMessage)
    /// A numbered batch of changes the receiver lacks.
    case batch(Batch)
    /// The receiver of a batch applied and committed it: its sequence and what applying did.
    case batchAck(BatchAck)
    /// The sender has sent all its batches.
    case done(Done)
    /// The session ends early: a code and a message for people. The sender closes the connection after it.
    case error(ErrorReport)
    /// The responder's answer to a `Hello` when it serves too many sessions.
    case busy(Busy)

    /// The message's name as the spec writes it (`Hello`, `BatchAck`, …), for logs and errors.
    public var kindName: String {
        switch self {
        case .hello: "Hello"
        case .helloAck: "HelloAck"
        case .knowledge: "Knowledge"
        case .batch: "Batch"
        case .batchAck: "BatchAck"
        case .done: "Done"
        case .error: "Error"
        case .busy: "Busy"
        }
    }
}
