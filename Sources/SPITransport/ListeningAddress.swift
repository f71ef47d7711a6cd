import Foundation
import NIOConcurrencyHelpers

/// The address a server listens on, once it is bound; awaited by ``SyncServer/listeningAddress``.
final class ListeningAddress: Sendable {
    private struct State {
        var result: Result<PeerAddress, any Error>?
        var waiters: [CheckedContinuation<PeerAddress, any Error>] = []
    }
    private let state = NIOLockedValueBox(State())

    func resolve(_ result: Result<PeerAddress, any Error>) {
        let waiting: [CheckedContinuation<PeerAddress, any Error>] = state.withLockedValue { state in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiting { waiter.resume(with: result) }
    }

    var value: PeerAddress {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let known: Result<PeerAddress, any Error>? = state.withLockedValue { state in
                    if let result = state.result { return result }
                    state.waiters.append(continuation)
                    return nil
                }
                if let known { continuation.resume(with: known) }
            }
        }
    }
}
