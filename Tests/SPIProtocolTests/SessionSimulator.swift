import SPIProtocol
import SPIReplication
import SPITestSupport
import Testing

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

/// How a simulated session ended.
enum SimulatedOutcome {
    case complete(SyncSummary)
    case fail(SyncError)
}

/// Runs two sessions against each other with no I/O: messages travel through two FIFO queues, one per direction,
/// delivered in an order a seeded generator picks (each direction stays in order, as on TCP).
///
/// With `readsKnowledgeLate`, both sessions read their knowledge after the handshake (`KnowledgeStep.read`), and each
/// read completes at a step the generator picks too, as a store that waits for its turn would.
struct SessionSimulator {
    var initiator: SyncSession
    var responder: SyncSession
    var initiatorStore: ScriptedStore
    var responderStore: ScriptedStore
    var toResponder: [SyncMessage] = []
    var toInitiator: [SyncMessage] = []
    var initiatorOutcome: SimulatedOutcome?
    var responderOutcome: SimulatedOutcome?
    var messages = 0
    /// Whether a knowledge read of the initiator, and of the responder, waits to be completed.
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

    mutating func perform(_ action: SyncSession.StartAction?, onInitiator: Bool) {
        if case .sendHello(let hello)? = action { send(.hello(hello), onInitiator: onInitiator) }
    }

    mutating func perform(_ action: SyncSession.ReceiveAction?, onInitiator: Bool) {
        switch action {
        case nil:
            break
        case .sendHelloAck(let ack, let then)?:
            send(.helloAck(ack), onInitiator: onInitiator)
            perform(then, onInitiator: onInitiator)
        case .beginExchange(let knowledge)?:
            perform(knowledge, onInitiator: onInitiator)
        case .startDelta(let knowledge)?:
            startDelta(knowledge, onInitiator: onInitiator)
        case .apply(let batch, let sequence)?:
            apply(batch, sequence: sequence, onInitiator: onInitiator)
        case .produceBatch?:
            produceBatch(onInitiator: onInitiator)
        case .complete(let summary)?:
            finish(.complete(summary), onInitiator: onInitiator)
        case .fail(let failure)?:
            perform(failure, onInitiator: onInitiator)
        }
    }

    mutating func perform(_ knowledge: SyncSession.KnowledgeStep, onInitiator: Bool) {
        switch knowledge {
        case .send(let message):
            send(.knowledge(message), onInitiator: onInitiator)
        case .read:
            if onInitiator { initiatorReading = true } else { responderReading = true }
        }
    }

    mutating func perform(_ action: SyncSession.KnowledgeReadAction?, onInitiator: Bool) {
        switch action {
        case nil:
            break
        case .sendKnowledge(let message)?:
            send(.knowledge(message), onInitiator: onInitiator)
        case .sendKnowledgeAndStartDelta(let message, let peerKnowledge)?:
            send(.knowledge(message), onInitiator: onInitiator)
            startDelta(peerKnowledge, onInitiator: onInitiator)
        case .fail(let failure)?:
            perform(failure, onInitiator: onInitiator)
        }
    }

    mutating func perform(_ action: SyncSession.BatchProducedAction?, onInitiator: Bool) {
        switch action {
        case nil:
            break
        case .sendBatch(let batch)?:
            send(.batch(batch), onInitiator: onInitiator)
        case .sendBatchAndProduceNext(let batch)?:
            send(.batch(batch), onInitiator: onInitiator)
            produceBatch(onInitiator: onInitiator)
        case .sendDone(let done)?:
            send(.done(done), onInitiator: onInitiator)
        case .sendDoneAndComplete(let done, let summary)?:
            send(.done(done), onInitiator: onInitiator)
            finish(.complete(summary), onInitiator: onInitiator)
        case .fail(let failure)?:
            perform(failure, onInitiator: onInitiator)
        }
    }

    mutating func perform(_ action: SyncSession.BatchAppliedAction?, onInitiator: Bool) {
        switch action {
        case nil:
            break
        case .sendBatchAck(let ack)?:
            send(.batchAck(ack), onInitiator: onInitiator)
        case .sendBatchAckAndComplete(let ack, let summary)?:
            send(.batchAck(ack), onInitiator: onInitiator)
            finish(.complete(summary), onInitiator: onInitiator)
        case .fail(let failure)?:
            perform(failure, onInitiator: onInitiator)
        }
    }

    mutating func perform(_ failure: SyncSession.Failure?, onInitiator: Bool) {
        guard let failure else { return }
        if let report = failure.report { send(.error(report), onInitiator: onInitiator) }
        finish(.fail(failure.error), onInitiator: onInitiator)
    }

    private mutating func send(_ message: SyncMessage, onInitiator: Bool) {
        if onInitiator { toResponder.append(message) } else { toInitiator.append(message) }
    }

    /// Prepares the delta, then reads its first batch.
    private mutating func startDelta(_ knowledge: Knowledge, onInitiator: Bool) {
        if onInitiator {
            initiatorStore.deltaStartedFor = knowledge
        } else {
            responderStore.deltaStartedFor = knowledge
        }
        produceBatch(onInitiator: onInitiator)
    }

    private mutating func produceBatch(onInitiator: Bool) {
        if onInitiator {
            perform(initiator.batchProduced(initiatorStore.next()), onInitiator: true)
        } else {
            perform(responder.batchProduced(responderStore.next()), onInitiator: false)
        }
    }

    private mutating func apply(_ batch: ChangeBatch, sequence: UInt64, onInitiator: Bool) {
        var report = ApplyReport()
        report.applied = batch.changeCount
        report.batches = 1
        if onInitiator {
            initiatorStore.applied.append(batch)
            perform(initiator.batchApplied(sequence: sequence, report: report), onInitiator: true)
        } else {
            responderStore.applied.append(batch)
            perform(responder.batchApplied(sequence: sequence, report: report), onInitiator: false)
        }
    }

    private mutating func finish(_ outcome: SimulatedOutcome, onInitiator: Bool) {
        if onInitiator { initiatorOutcome = outcome } else { responderOutcome = outcome }
    }
}

extension SessionSimulator {
    /// Runs two simulated sessions under every seed of `seeds` and checks that both complete with every batch
    /// exchanged both ways, each applied once and acknowledged.
    static func exchangeBothWays(
        initiatorBatches: Int, responderBatches: Int, windowA: UInt32, windowB: UInt32, seeds: ClosedRange<UInt64>,
        readsKnowledgeLate: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for seed in seeds {
            var simulator = SessionSimulator(
                initiatorBatches: initiatorBatches, responderBatches: responderBatches,
                initiator: Fixtures.configuration(Fixtures.initiatorSite, name: "a", window: windowA),
                responder: Fixtures.configuration(Fixtures.responderSite, name: "b", window: windowB),
                readsKnowledgeLate: readsKnowledgeLate)
            let finished = simulator.run(seed: seed)
            #expect(finished, "seed \(seed)", sourceLocation: sourceLocation)
            guard case .complete(let a)? = simulator.initiatorOutcome,
                case .complete(let b)? = simulator.responderOutcome
            else {
                let outcomes = (simulator.initiatorOutcome, simulator.responderOutcome)
                Issue.record("seed \(seed): \(String(describing: outcomes))", sourceLocation: sourceLocation)
                return
            }
            #expect(
                simulator.responderStore.applied == simulator.initiatorStore.outgoing, "seed \(seed)",
                sourceLocation: sourceLocation)
            #expect(
                simulator.initiatorStore.applied == simulator.responderStore.outgoing, "seed \(seed)",
                sourceLocation: sourceLocation)
            #expect(
                a.batchesSent == initiatorBatches && a.batchesReceived == responderBatches, "seed \(seed)",
                sourceLocation: sourceLocation)
            #expect(
                b.batchesSent == responderBatches && b.batchesReceived == initiatorBatches, "seed \(seed)",
                sourceLocation: sourceLocation)
            #expect(a.batchesAcknowledged == initiatorBatches, "seed \(seed)", sourceLocation: sourceLocation)
            #expect(a.received.applied == responderBatches * 2, "seed \(seed)", sourceLocation: sourceLocation)
            #expect(a.peerReport.applied == initiatorBatches * 2, "seed \(seed)", sourceLocation: sourceLocation)
        }
    }
}
