import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SPIProtocol

/// The open connections of a server, so that a graceful shutdown can end the sessions still running after the
/// grace period (with an `Error` of code `SHUTTING_DOWN`; what they committed stays committed).
final class SessionRegistry: Sendable {
    private let channels = NIOLockedValueBox<(nextID: Int, open: [Int: any Channel])>((0, [:]))

    func add(_ channel: any Channel) -> Int {
        channels.withLockedValue { channels in
            channels.nextID += 1
            channels.open[channels.nextID] = channel
            return channels.nextID
        }
    }

    func remove(_ id: Int) { _ = channels.withLockedValue { $0.open.removeValue(forKey: id) } }

    /// Ends every session still open: the session sends `Error(SHUTTING_DOWN)`; the connection closes a second later
    /// at the latest.
    func shutDownAll() {
        let open = channels.withLockedValue { Array($0.open.values) }
        for channel in open {
            channel.pipeline.fireErrorCaught(SyncError(.shuttingDown, "the server is shutting down"))
            channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
    }
}
