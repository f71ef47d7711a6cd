import Foundation
import SPIProtocol
import SPIReplication
import Testing

/// An in-memory store: batches to send, and the batches applied (optionally refusing one).
///
/// `@unchecked Sendable`: one driver uses it at a time, and the test reads it after that driver finished.
final class MemoryStore: SyncStore, @unchecked Sendable {
    var progressCalls = 0
    var outgoing: [ChangeBatch]
    var position = 0
    var applied: [ChangeBatch] = []
    var refuse: ((ChangeBatch) -> SyncError?)?
    var deltaFor: Knowledge?

    init(batches: Int, site: SiteID) {
        outgoing = (0..<batches).map { Fixtures.changeBatch(body: "change \($0)", site: site) }
    }

    func knowledge() async throws -> Knowledge { Knowledge() }
    func startDelta(for peer: Knowledge) async throws { deltaFor = peer }
    func nextBatch() async throws -> ChangeBatch? {
        guard position < outgoing.count else { return nil }
        defer { position += 1 }
        return outgoing[position]
    }
    func apply(_ batch: ChangeBatch) async throws -> ApplyReport {
        if let error = refuse?(batch) { throw error }
        applied.append(batch)
        var report = ApplyReport()
        report.applied = batch.changeCount
        return report
    }
}

/// One direction of an in-memory connection.
struct Pipe: Sendable {
    let stream: AsyncStream<SyncMessage>
    let continuation: AsyncStream<SyncMessage>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: SyncMessage.self)
    }
}

@Suite("Sync session driver")
struct SyncSessionDriverTests {
    private static let mapError: @Sendable (any Error) -> SyncError = { SyncError(.connectionClosed, "\($0)") }

    /// Runs one side until it ends; finishes its outgoing pipe afterwards, as closing a connection would.
    private static func run(
        _ role: SyncSession.Role, _ configuration: SyncSession.Configuration, store: MemoryStore, inbound: Pipe,
        outbound: Pipe
    ) async -> Result<SyncSummary, SyncError> {
        var driver = SyncSessionDriver(role: role, configuration: configuration, store: store)
        driver.onProgress = { _ in store.progressCalls += 1 }
        defer { outbound.continuation.finish() }
        do {
            return .success(
                try await driver.run(
                    inbound: inbound.stream, write: { outbound.continuation.yield($0) },
                    close: { outbound.continuation.finish() }, mapError: mapError))
        } catch {
            return .failure(error as! SyncError)
        }
    }

    @Test("two drivers over in-memory pipes exchange every batch both ways and complete")
    func converse() async throws {
        let toResponder = Pipe()
        let toInitiator = Pipe()
        let initiatorStore = MemoryStore(batches: 25, site: Fixtures.initiatorSite)
        let responderStore = MemoryStore(batches: 7, site: Fixtures.responderSite)
        async let responded = Self.run(
            .responder, Fixtures.responder, store: responderStore, inbound: toResponder, outbound: toInitiator)
        let initiated = try await Self.run(
            .initiator, Fixtures.initiator, store: initiatorStore, inbound: toInitiator, outbound: toResponder
        ).get()
        let responderSummary = try await responded.get()
        #expect(initiated.batchesSent == 25 && initiated.batchesReceived == 7)
        #expect(responderSummary.batchesSent == 7 && responderSummary.batchesReceived == 25)
        #expect(responderStore.applied == initiatorStore.outgoing)
        #expect(initiatorStore.applied == responderStore.outgoing)
        #expect(initiatorStore.progressCalls >= 25 + 7)
        #expect(initiated.peer.name == "org")
    }

    @Test("a refused batch sends INVALID_BATCH; the peer fails with the reported error; nothing after it applies")
    func refusedBatch() async throws {
        let toResponder = Pipe()
        let toInitiator = Pipe()
        let initiatorStore = MemoryStore(batches: 5, site: Fixtures.initiatorSite)
        let responderStore = MemoryStore(batches: 0, site: Fixtures.responderSite)
        responderStore.refuse = { batch in
            batch.message.rows.first?.cells.first?.text == "change 2" ? SyncError(.invalidBatch, "value refused") : nil
        }
        async let responded = Self.run(
            .responder, Fixtures.responder, store: responderStore, inbound: toResponder, outbound: toInitiator)
        let initiated = await Self.run(
            .initiator, Fixtures.initiator, store: initiatorStore, inbound: toInitiator, outbound: toResponder)
        guard case .failure(let initiatorError) = initiated, case .failure(let responderError) = await responded else {
            Issue.record("a session did not fail")
            return
        }
        #expect(initiatorError.code == .invalidBatch)
        #expect(initiatorError.isReportedByPeer)
        #expect(responderError.code == .invalidBatch)
        #expect(!responderError.isReportedByPeer)
        #expect(responderStore.applied.count == 2)
    }

    @Test("a peer that sends a valid frame out of order gets PROTOCOL_VIOLATION and the session ends")
    func hostilePeer() async throws {
        let toResponder = Pipe()
        let toInitiator = Pipe()
        let store = MemoryStore(batches: 3, site: Fixtures.responderSite)
        toResponder.continuation.yield(Fixtures.hello)
        // A batch before its Knowledge.
        toResponder.continuation.yield(.batch(.init(sequence: 1, changes: Fixtures.changeBatch())))
        let outcome = await Self.run(
            .responder, Fixtures.responder, store: store, inbound: toResponder, outbound: toInitiator)
        #expect(throws: SyncError.self) { try outcome.get() }
        if case .failure(let error) = outcome { #expect(error.code == .protocolViolation) }
        var received: [SyncMessage] = []
        for await message in toInitiator.stream { received.append(message) }
        #expect(received.map(\.kindName) == ["HelloAck", "Knowledge", "Error"])
        #expect(received.last?.errorCode == .protocolViolation)
        #expect(store.applied.isEmpty)
    }

    @Test("a connection that ends mid-session is connectionClosed, and what was applied stays applied")
    func cutConnection() async throws {
        let toResponder = Pipe()
        let toInitiator = Pipe()
        let store = MemoryStore(batches: 0, site: Fixtures.responderSite)
        toResponder.continuation.yield(Fixtures.hello)
        toResponder.continuation.yield(.knowledge(.init(Knowledge())))
        toResponder.continuation.yield(.batch(.init(sequence: 1, changes: Fixtures.changeBatch())))
        toResponder.continuation.finish()
        let outcome = await Self.run(
            .responder, Fixtures.responder, store: store, inbound: toResponder, outbound: toInitiator)
        if case .failure(let error) = outcome {
            #expect(error.code == .connectionClosed)
        } else {
            Issue.record("the session completed")
        }
        #expect(store.applied.count == 1)
    }

    @Test("an error thrown by the transport fails the session with the transport's meaning")
    func transportError() async throws {
        struct Reset: Error {}
        let stream = AsyncThrowingStream<SyncMessage, any Error> { continuation in
            continuation.yield(Fixtures.hello)
            continuation.finish(throwing: Reset())
        }
        var responder = SyncSessionDriver(
            role: .responder, configuration: Fixtures.responder,
            store: MemoryStore(batches: 0, site: Fixtures.responderSite))
        do {
            _ = try await responder.run(
                inbound: stream, write: { _ in }, close: {},
                mapError: { _ in SyncError(.connectionClosed, "reset by peer") })
            Issue.record("the session completed")
        } catch let error as SyncError {
            #expect(error.message == "reset by peer")
        }
    }
}
