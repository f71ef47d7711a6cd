import Foundation

/// The address a server listens on, once it is bound; awaited by ``SyncServer/listeningAddress``.
///
/// `@unchecked Sendable`: `result` and `waiters` are accessed only under `lock`.
final class ListeningAddress: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<PeerAddress, any Error>?
    private var waiters: [CheckedContinuation<PeerAddress, any Error>] = []

    func resolve(_ result: Result<PeerAddress, any Error>) {
        let waiting: [CheckedContinuation<PeerAddress, any Error>] = lock.withLock {
            guard self.result == nil else { return [] }
            self.result = result
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiting { waiter.resume(with: result) }
    }

    var value: PeerAddress {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let known: Result<PeerAddress, any Error>? = lock.withLock {
                    if let result { return result }
                    waiters.append(continuation)
                    return nil
                }
                if let known { continuation.resume(with: known) }
            }
        }
    }
}
