import NIOConcurrencyHelpers
import SPIProtocol
import SPIReplication
@testable import SPITransport
import Testing

@Suite("Replica sync store")
struct ReplicaSyncStoreTests {
    /// Runs `work` while another session holds `turn`: the holder lets go when `work` ends, or after `patience`.
    /// Returns what `work` returned and whether the holder had to run out of patience (`work` waited for the turn).
    private static func whileTurnHeld<T>(
        _ turn: TurnQueue, patience: Duration, _ work: () async throws -> T
    ) async throws -> (result: T, waited: Bool) {
        let (done, signal) = AsyncStream.makeStream(of: Void.self)
        let holding = NIOLockedValueBox(false)
        let waited = NIOLockedValueBox(false)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await turn.run {
                    holding.withLockedValue { $0 = true }
                    // Lets go when `work` is done, or when patience runs out first.
                    let outcome = await withTaskGroup(of: Bool.self) { race in
                        race.addTask {
                            for await _ in done { return true }
                            return true
                        }
                        race.addTask {
                            try? await Task.sleep(for: patience)
                            return false
                        }
                        let first = await race.next() ?? false
                        race.cancelAll()
                        return first
                    }
                    waited.withLockedValue { $0 = !outcome }
                }
            }
            while !holding.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            let result = try await work()
            signal.yield()
            signal.finish()
            try await group.waitForAll()
            return (result, waited.withLockedValue { $0 })
        }
    }

    @Test(
        "a batch that signs the replica's own changes waits for the store's turn at writing; one that only reads does not"
    )
    func signingBatchTakesItsTurn() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        // The org's own changes, not signed yet: the first batch of a delta to a peer that lacks them signs them.
        try pair.insert(20, prefix: "o", into: pair.orgPath, transactions: 4)
        let turn = TurnQueue(permits: 1)
        let store = try await ReplicaSyncStore.open(path: pair.orgPath, logger: quietLogger, writeTurn: turn)
        try await store.startDelta(for: Knowledge())
        let signing = try await Self.whileTurnHeld(turn, patience: .milliseconds(500)) {
            try await store.nextBatch()
        }
        #expect(signing.waited, "the batch that signs did not wait for the turn at writing")
        let carried = try #require(signing.result)
        #expect(carried.rowCount == 20)

        // Everything is signed now: a second delta's batch only reads, and does not wait for the held turn.
        let reading = try await ReplicaSyncStore.open(path: pair.orgPath, logger: quietLogger, writeTurn: turn)
        try await reading.startDelta(for: Knowledge())
        let again = try await Self.whileTurnHeld(turn, patience: .seconds(20)) { try await reading.nextBatch() }
        #expect(!again.waited, "a batch that only reads waited for the turn at writing")
        #expect(try #require(again.result).rowCount == 20)

        // The signed batch is accepted by the peer, proofs and all.
        let provider = try Replica(path: pair.providerPath, logger: quietLogger)
        let report = try provider.apply(carried, from: "org")
        #expect(report.refusals.isEmpty)
        #expect(try pair.notes(in: pair.providerPath).count == 20)
    }
}
