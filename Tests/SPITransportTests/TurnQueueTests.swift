import NIOConcurrencyHelpers
@testable import SPITransport
import Testing

@Suite("Turn queues")
struct TurnQueueTests {
    @Test("bodies run one at a time, even when they suspend, and every one runs")
    func oneAtATime() async throws {
        let turn = TurnQueue(permits: 1)
        let inside = NIOLockedValueBox((now: 0, most: 0, done: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await turn.run {
                        inside.withLockedValue {
                            $0.now += 1
                            $0.most = max($0.most, $0.now)
                        }
                        await Task.yield()
                        try await Task.sleep(for: .microseconds(100))
                        inside.withLockedValue {
                            $0.now -= 1
                            $0.done += 1
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let final = inside.withLockedValue { $0 }
        #expect(final.most == 1)
        #expect(final.done == 100)
    }

    @Test("with three permits, at most three bodies run at once, and they do run side by side")
    func permits() async throws {
        let turn = TurnQueue(permits: 3)
        let inside = NIOLockedValueBox((now: 0, most: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    try await turn.run {
                        inside.withLockedValue {
                            $0.now += 1
                            $0.most = max($0.most, $0.now)
                        }
                        try await Task.sleep(for: .milliseconds(2))
                        inside.withLockedValue { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inside.withLockedValue { $0.most } == 3)
    }

    @Test("waiting bodies take their turns in the order they asked, and an error ends only its own turn")
    func firstComeFirstServed() async throws {
        struct Failed: Error {}
        let turn = TurnQueue(permits: 1)
        let order = NIOLockedValueBox<[Int]>([])
        let (release, gate) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The first holds the turn until released; the others queue behind it, one after another.
            group.addTask { try await turn.run { for await _ in release { break } } }
            try await Task.sleep(for: .milliseconds(50))
            for i in 1...5 {
                group.addTask {
                    try? await turn.run {
                        order.withLockedValue { $0.append(i) }
                        if i == 3 { throw Failed() }
                    }
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            gate.yield()
            try await group.waitForAll()
        }
        #expect(order.withLockedValue { $0 } == [1, 2, 3, 4, 5])
    }
}
