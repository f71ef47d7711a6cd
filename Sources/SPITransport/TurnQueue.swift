import NIOConcurrencyHelpers

/// Turns at something a server's sessions share, at most `permits` at a time, first come, first served.
///
/// ``SyncServer`` queues its sessions' writes to the replica here, with one permit. SQLite lets one connection write
/// at a time; the others wait in its busy handler, which polls and gives up after the busy timeout. With hundreds of
/// sessions applying batches at once (a hub), that wait is unfair and can run out, failing sessions with "database is
/// locked". The sessions therefore queue in the process, with no timeout, and take SQLite's lock only on their turn;
/// the busy timeout is left for other processes (`spi` commands on the same file).
///
/// ```swift
/// let writeTurns = TurnQueue(permits: 1)
/// let report = try await writeTurns.run { try await owner.run { try $0.replica.apply(batch) } }
/// ```
final class TurnQueue: Sendable {
    private struct State {
        var taken = 0
        /// The tasks waiting, oldest first.
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())
    /// How many bodies may run at once.
    let permits: Int

    /// A queue that lets `permits` bodies (at least one) run at once.
    init(permits: Int) { self.permits = max(1, permits) }

    /// Runs `body` on its turn: once fewer than `permits` bodies run and every body that asked before it has started.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Waits for a turn that lasts beyond one body: ``release()`` it exactly once, when done.
    ///
    /// ``OpenStoreLimit`` holds its turns this way, from a store's first use to its session's end.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLockedValue { state -> Bool in
                if state.taken < permits {
                    state.taken += 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Ends a turn taken with ``acquire()``: the oldest waiting task, if any, takes it over.
    func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.taken -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
