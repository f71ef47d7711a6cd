import SPIProtocol
import SPIReplication
import SPITestSupport

/// An in-memory store for the state machine: a fixed list of batches to send, and the batches applied.
struct ScriptedStore {
    var outgoing: [ChangeBatch]
    var position = 0
    var applied: [ChangeBatch] = []
    var deltaStartedFor: Knowledge?

    init(batches: Int, site: SiteID) {
        outgoing = (0..<batches).map { Fixtures.changeBatch(body: "change \($0) of \(site)", site: site) }
    }

    mutating func next() -> ChangeBatch? {
        guard position < outgoing.count else { return nil }
        defer { position += 1 }
        return outgoing[position]
    }
}

/// Runs two sessions against each other with no I/O: messages travel through two FIFO queues, one per direction,
/// delivered in an order a seeded generator picks (each direction stays in order, as on TCP).
///
/// With `readsKnowledgeLate`, both sessions read their knowledge after the handshake (`.readKnowledge`), and each read
/// completes at a step the generator picks too, as a store that waits for its turn would.
struct SessionSimulator {
    var initiator: SyncSession
    var responder: SyncSession
    var initiatorStore: ScriptedStore
    var responderStore: ScriptedStore
    var toResponder: [SyncMessage] = []
    var toInitiator: [SyncMessage] = []
    var initiatorOutcome: SyncSession.Action?
    var responderOutcome: SyncSession.Action?
    var messages = 0
    /// Whether a `.readKnowledge` of the initiator, and of the responder, waits to be completed.
    var initiatorReading = false
    var responderReading = false

    init(
        initiatorBatches: Int, responderBatches: Int, initiator: SyncSession.Configuration = Fixtures.initiator,
        responder: SyncSession.Configuration = Fixtures.responder, readsKnowledgeLate: Bool = false
    ) {
        if readsKnowledgeLate {
            self.initiator = SyncSession(role: .initiator, configuration: initiator)
            self.responder = SyncSession(role: .responder, configuration: responder)
        } else {
            self.initiator = SyncSession(role: .initiator, configuration: initiator, localKnowledge: Knowledge())
            self.responder = SyncSession(role: .responder, configuration: responder, localKnowledge: Knowledge())
        }
        initiatorStore = ScriptedStore(batches: initiatorBatches, site: initiator.siteID)
        responderStore = ScriptedStore(batches: responderBatches, site: responder.siteID)
    }

    /// Runs until both queues are empty; returns false if a step limit was hit (a livelock).
    mutating func run(seed: UInt64, limit: Int = 100_000) -> Bool {
        var random = SplitMix64(seed: seed)
        perform(initiator.start(), onInitiator: true)
        perform(responder.start(), onInitiator: false)
        var steps = 0
        while !toResponder.isEmpty || !toInitiator.isEmpty || initiatorReading || responderReading {
            steps += 1
            if steps > limit { return false }
            // A pending knowledge read completes now or later, whatever arrives meanwhile.
            if initiatorReading && (toInitiator.isEmpty || Int.random(in: 0..<3, using: &random) == 0) {
                initiatorReading = false
                perform(initiator.knowledgeRead(Knowledge()), onInitiator: true)
                continue
            }
            if responderReading && (toResponder.isEmpty || Int.random(in: 0..<3, using: &random) == 0) {
                responderReading = false
                perform(responder.knowledgeRead(Knowledge()), onInitiator: false)
                continue
            }
            if toResponder.isEmpty && toInitiator.isEmpty { continue }
            let deliverToResponder =
                toInitiator.isEmpty || (!toResponder.isEmpty && Bool.random(using: &random))
            messages += 1
            if deliverToResponder {
                let message = toResponder.removeFirst()
                perform(responder.receive(message), onInitiator: false)
            } else {
                let message = toInitiator.removeFirst()
                perform(initiator.receive(message), onInitiator: true)
            }
        }
        return true
    }

    mutating func perform(_ actions: [SyncSession.Action], onInitiator: Bool) {
        var queue = actions
        while !queue.isEmpty {
            let action = queue.removeFirst()
            var next: [SyncSession.Action] = []
            switch action {
            case .send(let message):
                if onInitiator { toResponder.append(message) } else { toInitiator.append(message) }
            case .readKnowledge:
                if onInitiator { initiatorReading = true } else { responderReading = true }
            case .startDelta(let knowledge):
                if onInitiator {
                    initiatorStore.deltaStartedFor = knowledge
                } else {
                    responderStore.deltaStartedFor = knowledge
                }
            case .produceBatch:
                if onInitiator {
                    next = initiator.batchProduced(initiatorStore.next())
                } else {
                    next = responder.batchProduced(responderStore.next())
                }
            case .apply(let batch, let sequence):
                var report = ApplyReport()
                report.applied = batch.changeCount
                report.batches = 1
                if onInitiator {
                    initiatorStore.applied.append(batch)
                    next = initiator.batchApplied(sequence: sequence, report: report)
                } else {
                    responderStore.applied.append(batch)
                    next = responder.batchApplied(sequence: sequence, report: report)
                }
            case .complete, .fail:
                if onInitiator { initiatorOutcome = action } else { responderOutcome = action }
            }
            queue += next
        }
    }
}
