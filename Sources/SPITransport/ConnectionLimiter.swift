import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Counts a server's connections and sessions against its limits, and makes room for new TLS handshakes by closing
/// the stalled ones, so that silent or slow connections cannot lock trusted peers out.
///
/// A connection is a **handshake** until its TLS handshake completes (the peer's key verified), then a session (or a
/// `Busy` answer). Limits:
/// - at most ``Limits/maximumConnections`` connections in all;
/// - at most ``Limits/maximumHandshakes`` handshakes, and ``Limits/maximumHandshakesPerAddress`` from one source
///   address;
/// - at most ``Limits/maximumSessions`` sessions (beyond it peers are answered `Busy`, by the server).
///
/// When a new connection would exceed a limit, the oldest handshake that has sent nothing yet is closed to make room
/// (of the same address, when its address is at its limit); failing that, the oldest handshake that has taken more
/// than ``Limits/stalledHandshake``; failing that, the new connection is closed. A real peer sends its first TLS
/// bytes as soon as it connects and completes the handshake in milliseconds, so it is never the oldest silent or
/// stalled one: whoever holds connections open without using them only pushes out its own.
final class ConnectionLimiter: Sendable {
    /// The limits; see the type's description.
    struct Limits: Sendable {
        var maximumConnections: Int
        var maximumHandshakes: Int
        var maximumHandshakesPerAddress: Int
        var maximumSessions: Int
        /// How long a handshake that has sent something may run before it counts as stalled.
        var stalledHandshake: Duration = .seconds(1)
    }

    /// What became of a new connection.
    enum Admission {
        /// Admitted, with its ticket for ``release(_:)``; `evicted` is a stalled handshake to close to make room.
        case admitted(UInt64, evicted: (any Channel)?)
        /// Refused: close it.
        case refused
    }

    private struct Entry {
        let address: String
        let accepted: ContinuousClock.Instant
        let connection: ConnectionContext
        let channel: any Channel
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextTicket: UInt64 = 0
        var sessions = 0
        var refusedSinceReport = 0
        var evictedSinceReport = 0
        var lastReport: ContinuousClock.Instant?
    }

    private let state = NIOLockedValueBox(State())
    let limits: Limits

    init(_ limits: Limits) {
        self.limits = limits
    }

    /// Admits a new connection from `address`, closing a stalled handshake to make room when a limit is reached.
    func admit(
        address: String, connection: ConnectionContext, channel: any Channel, now: ContinuousClock.Instant = .now
    ) -> Admission {
        let limits = limits
        return state.withLockedValue { state in
            let handshakes = state.entries.filter { !$0.value.connection.isTLSDone }
            let fromAddress = handshakes.filter { $0.value.address == address }
            var pool: [UInt64: Entry]?
            if fromAddress.count >= limits.maximumHandshakesPerAddress {
                pool = fromAddress
            } else if handshakes.count >= limits.maximumHandshakes || state.entries.count >= limits.maximumConnections {
                pool = handshakes
            }
            var evicted: (any Channel)?
            if let pool {
                guard let victim = Self.victim(in: pool, now: now, stalledAfter: limits.stalledHandshake) else {
                    state.refusedSinceReport += 1
                    return .refused
                }
                evicted = state.entries.removeValue(forKey: victim)?.channel
                state.evictedSinceReport += 1
            }
            state.nextTicket += 1
            state.entries[state.nextTicket] = Entry(
                address: address, accepted: now, connection: connection, channel: channel)
            return .admitted(state.nextTicket, evicted: evicted)
        }
    }

    /// The handshake to close to make room: the oldest silent one, else the oldest stalled one.
    private static func victim(
        in pool: [UInt64: Entry], now: ContinuousClock.Instant, stalledAfter: Duration
    ) -> UInt64? {
        let oldestFirst = pool.sorted { $0.value.accepted < $1.value.accepted }
        if let silent = oldestFirst.first(where: { $0.value.connection.bytesReceived == 0 }) { return silent.key }
        return oldestFirst.first { now - $0.value.accepted >= stalledAfter }?.key
    }

    /// Forgets a closed connection (a no-op for one closed to make room).
    func release(_ ticket: UInt64) {
        _ = state.withLockedValue { $0.entries.removeValue(forKey: ticket) }
    }

    func acquireSession() -> Bool {
        let maximum = limits.maximumSessions
        return state.withLockedValue { state in
            guard state.sessions < maximum else { return false }
            state.sessions += 1
            return true
        }
    }

    func releaseSession() { state.withLockedValue { $0.sessions -= 1 } }

    var activeSessions: Int { state.withLockedValue { $0.sessions } }

    /// Connections open now, handshakes included.
    var openConnections: Int { state.withLockedValue { $0.entries.count } }

    /// The connections refused and the handshakes closed to make room since the last report, at most once per
    /// `interval` (nil otherwise, and when there is nothing to report): the server logs them without flooding.
    func refusalReport(now: ContinuousClock.Instant = .now, interval: Duration = .seconds(10)) -> (
        refused: Int, evicted: Int
    )? {
        state.withLockedValue { state in
            guard state.refusedSinceReport + state.evictedSinceReport > 0 else { return nil }
            if let lastReport = state.lastReport, now - lastReport < interval { return nil }
            defer {
                state.refusedSinceReport = 0
                state.evictedSinceReport = 0
                state.lastReport = now
            }
            return (state.refusedSinceReport, state.evictedSinceReport)
        }
    }
}
