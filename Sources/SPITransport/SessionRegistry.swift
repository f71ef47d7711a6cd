import Foundation
import NIOCore
import SPIProtocol

/// The open connections of a server, so that a graceful shutdown can end the sessions still running after the
/// grace period (with an `Error` of code `SHUTTING_DOWN`; what they committed stays committed).
///
/// `@unchecked Sendable`: the dictionary is accessed only under `lock`; `Channel` is `Sendable`.
final class SessionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var nextID = 0
    private var channels: [Int: any Channel] = [:]

    func add(_ channel: any Channel) -> Int {
        lock.withLock {
            nextID += 1
            channels[nextID] = channel
            return nextID
        }
    }

    func remove(_ id: Int) { _ = lock.withLock { channels.removeValue(forKey: id) } }

    /// Ends every session still open: the session sends `Error(SHUTTING_DOWN)`; the connection closes a second later
    /// at the latest.
    func shutDownAll() {
        let open = lock.withLock { Array(channels.values) }
        for channel in open {
            channel.pipeline.fireErrorCaught(SyncError(.shuttingDown, "the server is shutting down"))
            channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
    }
}
