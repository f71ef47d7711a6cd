import Foundation
@testable import SPIProtocol
import SPIReplication
import SPITestSupport
import Testing

/// What these tests read of any event's action: the failure it carries, and the messages it sends.
private protocol InspectedAction {
    var failure: SyncSession.Failure? { get }
    var messages: [SyncMessage] { get }
}

extension SyncSession.Failure: InspectedAction {
    var failure: SyncSession.Failure? { self }
    var messages: [SyncMessage] { report.map { [.error($0)] } ?? [] }
}

extension SyncSession.ReceiveAction: InspectedAction {
    var failure: SyncSession.Failure? { if case .fail(let failure) = self { failure } else { nil } }
    var messages: [SyncMessage] {
        switch self {
        case .sendHelloAck(let ack, .send(let knowledge)): [.helloAck(ack), .knowledge(knowledge)]
        case .sendHelloAck(let ack, .read): [.helloAck(ack)]
        case .beginExchange(.send(let knowledge)): [.knowledge(knowledge)]
        case .fail(let failure): failure.messages
        case .beginExchange(.read), .startDelta, .apply, .produceBatch, .complete: []
        }
    }
}

extension SyncSession.KnowledgeReadAction: InspectedAction {
    var failure: SyncSession.Failure? { if case .fail(let failure) = self { failure } else { nil } }
    var messages: [SyncMessage] {
        switch self {
        case .sendKnowledge(let knowledge), .sendKnowledgeAndStartDelta(let knowledge, _): [.knowledge(knowledge)]
        case .fail(let failure): failure.messages
        }
    }
}

extension SyncSession.BatchProducedAction: InspectedAction {
    var failure: SyncSession.Failure? { if case .fail(let failure) = self { failure } else { nil } }
    var messages: [SyncMessage] {
        switch self {
        case .sendBatch(let batch), .sendBatchAndProduceNext(let batch): [.batch(batch)]
        case .sendDone(let done), .sendDoneAndComplete(let done, _): [.done(done)]
        case .fail(let failure): failure.messages
        }
    }
}

extension SyncSession.BatchAppliedAction: InspectedAction {
    var failure: SyncSession.Failure? { if case .fail(let failure) = self { failure } else { nil } }
    var messages: [SyncMessage] {
        switch self {
        case .sendBatchAck(let ack), .sendBatchAckAndComplete(let ack, _): [.batchAck(ack)]
        case .fail(let failure): failure.messages
        }
    }
}

/// The error an action fails the session with, if it does.
private func failure<Action: InspectedAction>(_ action: Action?) -> SyncError? {
    action?.failure?.error
}

/// The `Error` message an action sends, if it sends one.
private func sentError<Action: InspectedAction>(_ action: Action?) -> SyncMessage.ErrorReport? {
    action?.failure?.report
}

private func sent<Action: InspectedAction>(_ action: Action?) -> [SyncMessage] {
    action?.messages ?? []
}

/// A responder that has answered the fixture Hello.
private func handshakenResponder(window: UInt32 = 4) -> SyncSession {
    var session = SyncSession(
        role: .responder, configuration: Fixtures.configuration(Fixtures.responderSite, name: "org", window: window),
        localKnowledge: Knowledge())
    _ = session.start()
    _ = session.receive(Fixtures.hello)
    return session
}

/// An initiator that has received the fixture HelloAck.
private func handshakenInitiator(peerWindow: UInt32 = 4, window: UInt32 = 4) -> SyncSession {
    var session = SyncSession(
        role: .initiator,
        configuration: Fixtures.configuration(Fixtures.initiatorSite, name: "provider-a", window: window),
        localKnowledge: Fixtures.knowledge)
    _ = session.start()
    var ack = Fixtures.helloAckPayload
    ack.receiveWindow = peerWindow
    _ = session.receive(.helloAck(ack))
    return session
}

@Suite("Sync session: handshake")
struct SyncSessionHandshakeTests {
    @Test("the initiator opens with Hello announcing its versions, register, schema, site, name and window")
    func initiatorHello() {
        var session = SyncSession(role: .initiator, configuration: Fixtures.initiator, localKnowledge: Knowledge())
        #expect(session.start() == .sendHello(Fixtures.helloPayload))
        guard case .awaitingHelloAck = session.state else {
            Issue.record("state \(session.state)")
            return
        }
        #expect(session.start() == nil) // starting twice does nothing
    }

    @Test("the responder answers an acceptable Hello with HelloAck and its Knowledge")
    func responderAccepts() {
        var session = SyncSession(
            role: .responder, configuration: Fixtures.responder, localKnowledge: Fixtures.knowledge)
        #expect(session.start() == nil)
        let action = session.receive(Fixtures.hello)
        #expect(action == .sendHelloAck(Fixtures.helloAckPayload, then: .send(.init(Fixtures.knowledge))))
        #expect(session.peer?.siteID == Fixtures.initiatorSite)
        #expect(session.peer?.name == "provider-a")
        #expect(session.isHandshakeDone)
    }

    @Test("the initiator answers HelloAck with its Knowledge")
    func initiatorAccepts() {
        var session = SyncSession(
            role: .initiator, configuration: Fixtures.initiator, localKnowledge: Fixtures.knowledge)
        _ = session.start()
        #expect(session.receive(Fixtures.helloAck) == .beginExchange(.send(.init(Fixtures.knowledge))))
        #expect(session.peer?.protocolVersion == 1)
        #expect(session.peer?.siteID == Fixtures.responderSite)
    }

    @Test("the responder chooses the highest version both sides speak")
    func versionNegotiation() {
        var session = SyncSession(
            role: .responder,
            configuration: Fixtures.configuration(Fixtures.responderSite, name: "org", versions: [1, 2]),
            localKnowledge: Knowledge())
        _ = session.start()
        var hello = Fixtures.helloPayload
        hello.protocolVersions = [3, 2, 1]
        let action = session.receive(.hello(hello))
        guard case .helloAck(let ack)? = sent(action).first else {
            Issue.record("no HelloAck in \(action)")
            return
        }
        #expect(ack.protocolVersion == 2)
    }

    @Test("no version in common is refused with UNSUPPORTED_VERSION on both sides")
    func noCommonVersion() {
        var session = SyncSession(role: .responder, configuration: Fixtures.responder, localKnowledge: Knowledge())
        _ = session.start()
        var hello = Fixtures.helloPayload
        hello.protocolVersions = [2, 3]
        let action = session.receive(.hello(hello))
        #expect(sentError(action)?.code == .unsupportedVersion)
        #expect(failure(action)?.code == .unsupportedVersion)
        #expect(failure(action)?.message.contains("[2, 3]") == true)

        var initiator = SyncSession(role: .initiator, configuration: Fixtures.initiator, localKnowledge: Knowledge())
        _ = initiator.start()
        var ack = Fixtures.helloAckPayload
        ack.protocolVersion = 7
        #expect(failure(initiator.receive(.helloAck(ack)))?.code == .unsupportedVersion)
    }

    @Test("a peer of another register is refused with REGISTER_MISMATCH, naming both registers")
    func registerMismatch() {
        var session = SyncSession(
            role: .responder,
            configuration: Fixtures.configuration(
                Fixtures.responderSite, name: "org", register: Fixtures.otherRegister),
            localKnowledge: Knowledge())
        _ = session.start()
        let action = session.receive(Fixtures.hello)
        #expect(sentError(action)?.code == .registerMismatch)
        let error = failure(action)
        #expect(error?.code == .registerMismatch)
        #expect(error?.message.contains(Fixtures.register.description) == true)
        #expect(error?.message.contains(Fixtures.otherRegister.description) == true)
        #expect(error?.isReportedByPeer == false)

        // The initiator checks the HelloAck the same way.
        var initiator = SyncSession(
            role: .initiator,
            configuration: Fixtures.configuration(
                Fixtures.initiatorSite, name: "a", register: Fixtures.otherRegister),
            localKnowledge: Knowledge())
        _ = initiator.start()
        let initiatorAction = initiator.receive(Fixtures.helloAck)
        #expect(sentError(initiatorAction)?.code == .registerMismatch)
    }

    @Test("a peer on another schema version is refused with SCHEMA_MISMATCH")
    func schemaMismatch() {
        var session = SyncSession(
            role: .responder, configuration: Fixtures.configuration(Fixtures.responderSite, name: "org", schema: 2),
            localKnowledge: Knowledge())
        _ = session.start()
        let action = session.receive(Fixtures.hello)
        #expect(sentError(action)?.code == .schemaMismatch)
        #expect(failure(action)?.message.contains("upgrade spi for 'provider-a'") == true)
    }

    @Test("a peer with this replica's own site id is refused with SITE_CONFLICT")
    func siteConflict() {
        var session = SyncSession(
            role: .responder, configuration: Fixtures.configuration(Fixtures.initiatorSite, name: "copy"),
            localKnowledge: Knowledge())
        _ = session.start()
        #expect(sentError(session.receive(Fixtures.hello))?.code == .siteConflict)
    }

    @Test(
        "invalid Hello fields are MALFORMED_MESSAGE",
        arguments: ["register", "site", "name", "window"])
    func malformedHello(field: String) {
        var hello = Fixtures.helloPayload
        switch field {
        case "register": hello.registerID = [1, 2, 3]
        case "site": hello.siteID = []
        case "name": hello.peerName = String(repeating: "x", count: 257)
        default: hello.receiveWindow = 65
        }
        var session = SyncSession(role: .responder, configuration: Fixtures.responder, localKnowledge: Knowledge())
        _ = session.start()
        let action = session.receive(.hello(hello))
        #expect(sentError(action)?.code == .malformedMessage)
        #expect(failure(action)?.code == .malformedMessage)
    }

    @Test("a receive window of 0 means the default of 4")
    func defaultWindow() {
        var hello = Fixtures.helloPayload
        hello.receiveWindow = 0
        var session = SyncSession(role: .responder, configuration: Fixtures.responder, localKnowledge: Knowledge())
        _ = session.start()
        _ = session.receive(.hello(hello))
        #expect(session.peer?.receiveWindow == 4)
    }

    @Test("Busy ends the initiator's session with a busy error carrying the retry delay, and nothing is sent")
    func busy() {
        var session = SyncSession(role: .initiator, configuration: Fixtures.initiator, localKnowledge: Knowledge())
        _ = session.start()
        let action = session.receive(.busy(.init(retryAfter: .milliseconds(5000), message: "busy: 8 sessions")))
        #expect(sent(action).isEmpty)
        let error = failure(action)
        #expect(error?.code == .busy)
        #expect(error?.retryAfter == .seconds(5))
        #expect(error?.isReportedByPeer == true)
        #expect(error?.message == "busy: 8 sessions")
    }

    @Test("an Error from the peer ends the session without an answer")
    func peerError() {
        var session = SyncSession(role: .initiator, configuration: Fixtures.initiator, localKnowledge: Knowledge())
        _ = session.start()
        let action = session.receive(.error(.init(code: .registerMismatch, message: "register mismatch: …")))
        #expect(sent(action).isEmpty)
        #expect(failure(action)?.code == .registerMismatch)
        #expect(failure(action)?.isReportedByPeer == true)
        #expect(session.receive(Fixtures.helloAck) == nil) // nothing after failure
    }

    @Test("an unknown error code from a newer peer becomes 'unspecified' with its message kept")
    func unknownErrorCode() {
        var session = handshakenResponder()
        var error = Spi_Sync_V1_Error()
        error.code = .UNRECOGNIZED(42)
        error.message = "something new"
        let action = session.receive(SyncMessage(envelope: Spi_Sync_V1_Envelope.with { $0.error = error })!)
        #expect(failure(action)?.code == .unspecified)
        #expect(failure(action)?.message == "something new")
    }

    @Test("an Error with no text names its wire code, known or not")
    func errorWithoutText() {
        for (code, expected) in [
            (Spi_Sync_V1_ErrorCode.UNRECOGNIZED(42), SyncError.Code.unspecified),
            (.registerMismatch, .registerMismatch),
        ] {
            var session = handshakenResponder()
            var error = Spi_Sync_V1_Error()
            error.code = code
            let action = session.receive(SyncMessage(envelope: Spi_Sync_V1_Envelope.with { $0.error = error })!)
            #expect(failure(action)?.code == expected)
            #expect(failure(action)?.message == "the peer gave no explanation (error code \(code.rawValue))")
        }
    }

    @Test(
        "a message other than Hello first is a PROTOCOL_VIOLATION",
        arguments: ["hello_ack", "knowledge", "batch", "batch_ack", "done", "busy"])
    func responderOutOfOrder(vector: String) {
        let message = Fixtures.vectors.first { $0.0 == vector }!.1
        var session = SyncSession(role: .responder, configuration: Fixtures.responder, localKnowledge: Knowledge())
        _ = session.start()
        let action = session.receive(message)
        #expect(sentError(action)?.code == .protocolViolation)
        #expect(failure(action)?.code == .protocolViolation)
    }

    @Test(
        "a message other than HelloAck, Busy or Error after Hello is a PROTOCOL_VIOLATION",
        arguments: ["hello", "knowledge", "batch", "batch_ack", "done"])
    func initiatorOutOfOrder(vector: String) {
        let message = Fixtures.vectors.first { $0.0 == vector }!.1
        var session = SyncSession(role: .initiator, configuration: Fixtures.initiator, localKnowledge: Knowledge())
        _ = session.start()
        #expect(failure(session.receive(message))?.code == .protocolViolation)
    }

    @Test("a message before start() is a protocol violation, not a crash")
    func beforeStart() {
        var session = SyncSession(role: .responder, configuration: Fixtures.responder, localKnowledge: Knowledge())
        #expect(failure(session.receive(Fixtures.hello))?.code == .protocolViolation)
    }

    @Test("the connection closing before the handshake is a connectionClosed error, and nothing is sent")
    func closedDuringHandshake() {
        var session = SyncSession(role: .initiator, configuration: Fixtures.initiator, localKnowledge: Knowledge())
        _ = session.start()
        // Nothing is sent: the event returns the error alone, so the type says so.
        let error = session.connectionClosed()
        #expect(error?.code == .connectionClosed)
        #expect(error?.message.contains("HelloAck") == true)
    }
}

@Suite("Sync session: exchange")
struct SyncSessionExchangeTests {
    @Test("the peer's Knowledge starts the delta and the first batch read")
    func knowledgeStartsDelta() {
        var session = handshakenResponder()
        let action = session.receive(.knowledge(.init(Fixtures.knowledge)))
        #expect(action == .startDelta(Fixtures.knowledge))
    }

    @Test("with nothing to send, the side sends Done(0) and completes when the peer is done too")
    func emptySession() {
        var session = handshakenInitiator()
        _ = session.receive(.knowledge(.init(Knowledge())))
        #expect(session.batchProduced(nil) == .sendDone(.init(batches: 0)))
        let action = session.receive(.done(.init(batches: 0)))
        guard case .complete(let summary)? = action else {
            Issue.record("not complete: \(action)")
            return
        }
        #expect(summary.batchesSent == 0 && summary.batchesReceived == 0)
        #expect(session.isFinished)
        #expect(session.connectionClosed() == nil) // a close after completion is normal
    }

    @Test("batches stop at the peer's receive window and resume as acknowledgements arrive")
    func flowControl() {
        var session = handshakenInitiator(peerWindow: 2)
        _ = session.receive(.knowledge(.init(Knowledge())))
        let batch = Fixtures.changeBatch()
        #expect(session.batchProduced(batch) == .sendBatchAndProduceNext(.init(sequence: 1, changes: batch)))
        // The window is full: no more reads.
        #expect(session.batchProduced(batch) == .sendBatch(.init(sequence: 2, changes: batch)))
        #expect(session.receive(.batchAck(.init(sequence: 1, report: Fixtures.report))) == .produceBatch)
        #expect(session.batchProduced(nil) == .sendDone(.init(batches: 2)))
        // The peer is not done yet.
        #expect(session.receive(.batchAck(.init(sequence: 2, report: Fixtures.report))) == nil)
        guard case .complete(let summary)? = session.receive(.done(.init(batches: 0))) else {
            Issue.record("not complete")
            return
        }
        #expect(summary.batchesSent == 2)
        #expect(summary.batchesAcknowledged == 2)
        #expect(summary.changesSent == 4)
        #expect(summary.peerReport.applied == 4)
    }

    @Test("the session does not complete before every batch sent is acknowledged")
    func completionWaitsForAcks() {
        var session = handshakenInitiator()
        _ = session.receive(.knowledge(.init(Knowledge())))
        _ = session.batchProduced(Fixtures.changeBatch())
        _ = session.batchProduced(nil)
        #expect(session.receive(.done(.init(batches: 0))) == nil)
        #expect(!session.isFinished)
        #expect(
            session.receive(.batchAck(.init(sequence: 1, report: Fixtures.report))).map {
                if case .complete = $0 { true } else { false }
            }
                == true)
    }

    @Test("each batch received is applied, then acknowledged with what applying did")
    func applyThenAck() {
        var session = handshakenResponder()
        _ = session.receive(.knowledge(.init(Knowledge())))
        let batch = Fixtures.changeBatch()
        #expect(session.receive(.batch(.init(sequence: 1, changes: batch))) == .apply(batch, sequence: 1))
        #expect(
            session.batchApplied(sequence: 1, report: Fixtures.report)
                == .sendBatchAck(.init(sequence: 1, report: Fixtures.report)))
    }

    @Test("a batch that fails validation is refused with INVALID_BATCH")
    func invalidBatch() {
        var session = handshakenResponder()
        _ = session.receive(.knowledge(.init(Knowledge())))
        _ = session.receive(.batch(.init(sequence: 1, changes: Fixtures.changeBatch())))
        let action = session.batchRejected(sequence: 1, error: SyncError(.invalidBatch, "unknown table 'x'"))
        #expect(sentError(action)?.code == .invalidBatch)
        #expect(sentError(action)?.message == "unknown table 'x'")
        #expect(failure(action)?.code == .invalidBatch)
    }

    @Test(
        "out-of-order and inconsistent messages after the handshake are PROTOCOL_VIOLATIONs",
        arguments: [
            "batch before knowledge", "second knowledge", "batch skips a sequence", "batch repeats a sequence",
            "ack for nothing", "ack out of order", "done before knowledge", "done miscounts", "second done",
            "batch after done", "hello again", "hello ack again", "busy",
        ])
    func violations(scenario: String) {
        var session = handshakenResponder()
        let batch = Fixtures.changeBatch()
        var last: SyncSession.ReceiveAction?
        func send(_ message: SyncMessage) { last = session.receive(message) }
        switch scenario {
        case "batch before knowledge": send(.batch(.init(sequence: 1, changes: batch)))
        case "second knowledge":
            send(.knowledge(.init(Knowledge())))
            send(.knowledge(.init(Knowledge())))
        case "batch skips a sequence":
            send(.knowledge(.init(Knowledge())))
            send(.batch(.init(sequence: 2, changes: batch)))
        case "batch repeats a sequence":
            send(.knowledge(.init(Knowledge())))
            send(.batch(.init(sequence: 1, changes: batch)))
            _ = session.batchApplied(sequence: 1, report: ApplyReport())
            send(.batch(.init(sequence: 1, changes: batch)))
        case "ack for nothing":
            send(.knowledge(.init(Knowledge())))
            send(.batchAck(.init(sequence: 1, report: ApplyReport())))
        case "ack out of order":
            send(.knowledge(.init(Knowledge())))
            _ = session.batchProduced(batch)
            _ = session.batchProduced(batch)
            send(.batchAck(.init(sequence: 2, report: ApplyReport())))
        case "done before knowledge": send(.done(.init(batches: 0)))
        case "done miscounts":
            send(.knowledge(.init(Knowledge())))
            send(.done(.init(batches: 3)))
        case "second done":
            send(.knowledge(.init(Knowledge())))
            send(.done(.init(batches: 0)))
            send(.done(.init(batches: 0)))
        case "batch after done":
            send(.knowledge(.init(Knowledge())))
            send(.done(.init(batches: 0)))
            send(.batch(.init(sequence: 1, changes: batch)))
        case "hello again": send(Fixtures.hello)
        case "hello ack again": send(Fixtures.helloAck)
        default: send(.busy(.init(retryAfter: .milliseconds(1), message: "busy")))
        }
        #expect(sentError(last)?.code == .protocolViolation, "\(scenario): \(last)")
        #expect(failure(last)?.code == .protocolViolation)
        guard case .failed = session.state else {
            Issue.record("\(scenario): state \(session.state)")
            return
        }
    }

    @Test("a peer that exceeds our receive window is a PROTOCOL_VIOLATION")
    func windowExceeded() {
        var session = handshakenResponder(window: 2)
        _ = session.receive(.knowledge(.init(Knowledge())))
        let batch = Fixtures.changeBatch()
        _ = session.receive(.batch(.init(sequence: 1, changes: batch)))
        _ = session.receive(.batch(.init(sequence: 2, changes: batch)))
        let action = session.receive(.batch(.init(sequence: 3, changes: batch)))
        #expect(failure(action)?.code == .protocolViolation)
        #expect(failure(action)?.message.contains("window") == true)
    }

    @Test("Knowledge naming a site id of the wrong size is MALFORMED_MESSAGE")
    func malformedKnowledge() {
        var session = handshakenResponder()
        var knowledge = Spi_V1_Knowledge()
        var entry = Spi_V1_Coverage()
        entry.site = Data([1, 2, 3])
        knowledge.entries = [entry]
        let action = session.receive(.knowledge(.init(knowledge)))
        #expect(sentError(action)?.code == .malformedMessage)
    }

    @Test("events the shell should not send become an internal error, never a crash")
    func misuse() {
        var session = handshakenResponder()
        #expect(failure(session.batchProduced(Fixtures.changeBatch()))?.code == .internalError)
        var other = handshakenResponder()
        _ = other.receive(.knowledge(.init(Knowledge())))
        #expect(failure(other.batchApplied(sequence: 1, report: ApplyReport()))?.code == .internalError)
        var idle = SyncSession(role: .initiator, configuration: Fixtures.initiator, localKnowledge: Knowledge())
        #expect(failure(idle.batchApplied(sequence: 1, report: ApplyReport()))?.code == .internalError)
    }

    @Test("a local failure (timeout, decoding) sends an Error; connection-level failures send nothing")
    func localFailures() {
        var session = handshakenResponder()
        let timeout = session.fail(SyncError(.timeout, "no message for 60 seconds"))
        #expect(sentError(timeout)?.code == .timeout)
        #expect(session.fail(SyncError(.timeout, "again")) == nil)

        var other = handshakenResponder()
        let closed = other.fail(SyncError(.tlsFailure, "tls"))
        #expect(sent(closed).isEmpty)
        #expect(failure(closed)?.code == .tlsFailure)
    }

    @Test("a failure's Error message is its own error's code and text, whichever event failed; none for the peer's")
    func failureCarriesItsReport() {
        var timedOut = handshakenResponder()
        let timeout = timedOut.fail(SyncError(.timeout, "no message for 60 seconds"))
        #expect(timeout?.report == SyncMessage.ErrorReport(code: .timeout, message: "no message for 60 seconds"))

        var refusing = handshakenResponder()
        _ = refusing.receive(.knowledge(.init(Knowledge())))
        _ = refusing.receive(.batch(.init(sequence: 1, changes: Fixtures.changeBatch())))
        let refused = refusing.batchRejected(sequence: 1, error: SyncError(.internalError, "disk full"))
        #expect(refused?.report == SyncMessage.ErrorReport(code: .internalError, message: "disk full"))

        var misused = handshakenResponder()
        let misuse = misused.batchApplied(sequence: 1, report: ApplyReport())
        let error = failure(misuse)
        #expect(error?.code == .internalError)
        #expect(sentError(misuse) == error.map { SyncMessage.ErrorReport(code: $0.code, message: $0.message) })

        var told = handshakenResponder()
        let reported = told.receive(.error(.init(code: .schemaMismatch, message: "upgrade spi")))
        #expect(failure(reported)?.code == .schemaMismatch)
        #expect(sentError(reported) == nil) // the peer's own error is never sent back
    }

    @Test(
        "two sessions exchange every batch both ways and complete, under any delivery interleaving",
        arguments: [
            (0, 0, UInt32(4), UInt32(4)), (1, 0, 4, 4), (0, 1, 4, 4), (5, 3, 1, 1), (17, 9, 2, 3), (40, 40, 4, 64),
        ])
    func simulatedSessions(initiatorBatches: Int, responderBatches: Int, windowA: UInt32, windowB: UInt32) {
        SessionSimulator.exchangeBothWays(
            initiatorBatches: initiatorBatches, responderBatches: responderBatches, windowA: windowA, windowB: windowB,
            seeds: 1...20)
    }

    @Test("any message dropped from a session leaves both sides unfinished or failed, never complete with a loss")
    func droppedMessage() {
        // Drop the k-th message of a session: the side that misses it never completes with batches missing.
        for drop in 0..<26 { // the session has 26 messages: 2 Hello, 2 Knowledge, 10 Batch, 10 BatchAck, 2 Done
            var simulator = SessionSimulator(initiatorBatches: 6, responderBatches: 4)
            var random = SplitMix64(seed: UInt64(drop))
            simulator.perform(simulator.initiator.start(), onInitiator: true)
            simulator.perform(simulator.responder.start(), onInitiator: false)
            var index = 0
            while !simulator.toResponder.isEmpty || !simulator.toInitiator.isEmpty {
                let toResponder =
                    simulator.toInitiator.isEmpty || (!simulator.toResponder.isEmpty && Bool.random(using: &random))
                let message = toResponder ? simulator.toResponder.removeFirst() : simulator.toInitiator.removeFirst()
                defer { index += 1 }
                if index == drop { continue }
                if toResponder {
                    simulator.perform(simulator.responder.receive(message), onInitiator: false)
                } else {
                    simulator.perform(simulator.initiator.receive(message), onInitiator: true)
                }
            }
            if case .complete? = simulator.responderOutcome {
                #expect(simulator.responderStore.applied == simulator.initiatorStore.outgoing, "drop \(drop)")
            }
            if case .complete? = simulator.initiatorOutcome {
                #expect(simulator.initiatorStore.applied == simulator.responderStore.outgoing, "drop \(drop)")
            }
            let bothComplete: Bool = {
                if case .complete? = simulator.responderOutcome, case .complete? = simulator.initiatorOutcome {
                    return true
                }
                return false
            }()
            #expect(!bothComplete, "drop \(drop): both sides completed although a message was lost")
        }
    }
}

@Suite("Sync session: knowledge read after the handshake")
struct SyncSessionLateKnowledgeTests {
    @Test("the responder answers Hello with HelloAck alone and asks for its knowledge; Knowledge goes out when read")
    func responderAsks() {
        var session = SyncSession(role: .responder, configuration: Fixtures.responder)
        #expect(session.start() == nil)
        #expect(session.receive(Fixtures.hello) == .sendHelloAck(Fixtures.helloAckPayload, then: .read))
        #expect(session.isHandshakeDone)
        #expect(session.knowledgeRead(Fixtures.knowledge) == .sendKnowledge(.init(Fixtures.knowledge)))
        #expect(session.localKnowledge == Fixtures.knowledge)
        #expect(session.receive(.knowledge(.init(Knowledge()))) == .startDelta(Knowledge()))
    }

    @Test("the initiator asks for its knowledge on HelloAck")
    func initiatorAsks() {
        var session = SyncSession(role: .initiator, configuration: Fixtures.initiator)
        _ = session.start()
        #expect(session.receive(Fixtures.helloAck) == .beginExchange(.read))
        #expect(session.knowledgeRead(Fixtures.knowledge) == .sendKnowledge(.init(Fixtures.knowledge)))
    }

    @Test("a peer's Knowledge that arrives first waits: no batch is read before this side's Knowledge is sent")
    func peerKnowledgeWaits() {
        var session = SyncSession(role: .responder, configuration: Fixtures.responder)
        _ = session.start()
        _ = session.receive(Fixtures.hello)
        #expect(session.receive(.knowledge(.init(Fixtures.knowledge))) == nil)
        // The peer's batches may come meanwhile (it has this side's HelloAck): they are applied as usual.
        let batch = Fixtures.changeBatch()
        #expect(session.receive(.batch(.init(sequence: 1, changes: batch))) == .apply(batch, sequence: 1))
        #expect(
            session.knowledgeRead(Knowledge())
                == .sendKnowledgeAndStartDelta(.init(Knowledge()), peerKnowledge: Fixtures.knowledge))
        // A second Knowledge from the peer is still a violation.
        #expect(failure(session.receive(.knowledge(.init(Knowledge()))))?.code == .protocolViolation)
    }

    @Test("knowledgeRead without a pending knowledge read is the shell's error, not the peer's")
    func misuse() {
        var early = SyncSession(role: .responder, configuration: Fixtures.responder, localKnowledge: Knowledge())
        _ = early.start()
        _ = early.receive(Fixtures.hello)
        let action = early.knowledgeRead(Knowledge())
        #expect(failure(action)?.code == .internalError)

        var late = SyncSession(role: .responder, configuration: Fixtures.responder)
        _ = late.start()
        #expect(failure(late.knowledgeRead(Knowledge()))?.code == .internalError) // before the handshake
        var twice = SyncSession(role: .responder, configuration: Fixtures.responder)
        _ = twice.start()
        _ = twice.receive(Fixtures.hello)
        _ = twice.knowledgeRead(Knowledge())
        #expect(failure(twice.knowledgeRead(Knowledge()))?.code == .internalError)
    }

    @Test(
        "two sessions that read their knowledge late exchange every batch both ways, under any interleaving of reads and deliveries",
        arguments: [(0, 0, UInt32(4), UInt32(4)), (1, 0, 4, 4), (0, 1, 4, 4), (5, 3, 1, 1), (17, 9, 2, 3)])
    func simulatedSessions(initiatorBatches: Int, responderBatches: Int, windowA: UInt32, windowB: UInt32) {
        SessionSimulator.exchangeBothWays(
            initiatorBatches: initiatorBatches, responderBatches: responderBatches, windowA: windowA, windowB: windowB,
            seeds: 1...40, readsKnowledgeLate: true)
    }
}
