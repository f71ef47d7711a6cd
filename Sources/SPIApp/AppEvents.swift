import Logging
import NIOConcurrencyHelpers
import SPIRegister
import SPIReplication

/// The live-update feed of open pages: it watches the replica, and when changes land (from a sync in this process or
/// another, from `spi` on the same file, or from the app itself) it tells every subscriber how many changes came
/// from whom, such as `3 changes from FAB` (`own` when this replica made them: pages refresh without a toast). ``AppServer`` streams each message to the browsers as server-sent events;
/// the pages then fetch what they show again and mark what changed.
public final class AppEvents: Sendable {
    private struct State {
        var subscribers: [UInt64: @Sendable (String) -> Void] = [:]
        var nextID: UInt64 = 0
        var dataVersion: Int64?
        var knowledge: Knowledge?
        var localChange = false
    }

    private let state = NIOLockedValueBox(State())
    private let queue: SerialOwner<Register>
    private let logger: Logger

    init(queue: SerialOwner<Register>, logger: Logger) {
        self.queue = queue
        self.logger = logger
    }

    /// Adds a subscriber; `send` gets each frame of the event stream (`event: changes` with a JSON object as its
    /// `data`, or a comment that keeps the connection alive). Returns its id.
    func subscribe(_ send: @escaping @Sendable (String) -> Void) -> UInt64 {
        state.withLockedValue { state in
            state.nextID += 1
            state.subscribers[state.nextID] = send
            return state.nextID
        }
    }

    /// Removes a subscriber.
    func unsubscribe(_ id: UInt64) {
        state.withLockedValue { _ = $0.subscribers.removeValue(forKey: id) }
    }

    /// How many pages are subscribed.
    var subscriberCount: Int { state.withLockedValue { $0.subscribers.count } }

    /// Sends every subscriber a comment, so that a connection whose browser went away is noticed and closed.
    func heartbeat() {
        for send in state.withLockedValue({ Array($0.subscribers.values) }) { send(": ping\n\n") }
    }

    /// Notes that the app itself wrote: the next ``poll()`` looks, even though no other connection committed.
    func localChange() {
        state.withLockedValue { $0.localChange = true }
    }

    /// Looks for changes once, and tells the subscribers what arrived since the last look. ``AppServer`` calls it
    /// about twice a second.
    func poll() async {
        let (previousVersion, previousKnowledge, local) = state.withLockedValue { state in
            defer { state.localChange = false }
            return (state.dataVersion, state.knowledge, state.localChange)
        }
        do {
            let found = try await queue.run { register -> (Int64, Knowledge?, [String]) in
                let replica = register.replica
                // Commits by other connections (a sync service, `spi`) change the data version; the app's own
                // writes set `localChange`.
                let version = try replica.read { db in try db.scalar("PRAGMA data_version")?.integerValue ?? 0 }
                guard previousKnowledge == nil || version != previousVersion || local else {
                    return (version, nil, [])
                }
                let knowledge = try replica.knowledge()
                guard let previousKnowledge else { return (version, knowledge, []) }
                var messages: [String] = []
                let own = replica.siteID, registerID = replica.registerID
                for (site, clock) in knowledge.clocks.sorted(by: { $0.key.description < $1.key.description })
                where clock > previousKnowledge[site] {
                    let count = try replica.changeCount(of: site, after: previousKnowledge[site], through: clock)
                    guard count > 0 else { continue }
                    let who = try register.read { store in try store.siteName(site, own: own, registerID: registerID) }
                    messages.append(
                        JSONValue.object([
                            "message": .string("\(count) change\(count == 1 ? "" : "s") from \(who)"),
                            "count": .integer(Int64(count)), "from": .string(who), "own": .bool(site == own),
                        ]).canonicalText)
                }
                return (version, knowledge, messages)
            }
            let subscribers = state.withLockedValue { state in
                state.dataVersion = found.0
                if let knowledge = found.1 { state.knowledge = knowledge }
                return Array(state.subscribers.values)
            }
            for message in found.2 {
                logger.debug("live update", metadata: ["app.event": "\(message)"])
                for send in subscribers { send("event: changes\ndata: \(message)\n\n") }
            }
        } catch {
            logger.warning("the app could not look for changes", metadata: ["app.error": "\(error)"])
        }
    }
}
