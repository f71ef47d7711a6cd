import Foundation
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
///
/// `@unchecked Sendable`: every stored property is accessed under `lock`.
final class ConnectionLimiter: @unchecked Sendable {
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

    private let lock = NSLock()
    private var entries: [UInt64: Entry] = [:]
    private var nextTicket: UInt64 = 0
    private var sessions = 0
    private var refusedSinceReport = 0
    private var evictedSinceReport = 0
    private var lastReport: ContinuousClock.Instant?
    let limits: Limits

    init(_ limits: Limits) {
        self.limits = limits
    }

    /// Admits a new connection from `address`, closing a stalled handshake to make room when a limit is reached.
    func admit(
        address: String, connection: ConnectionContext, channel: any Channel, now: ContinuousClock.Instant = .now
    ) -> Admission {
        lock.withLock {
            let handshakes = entries.filter { !$0.value.connection.isTLSDone }
            let fromAddress = handshakes.filter { $0.value.address == address }
            var pool: [UInt64: Entry]?
            if fromAddress.count >= limits.maximumHandshakesPerAddress {
                pool = fromAddress
            } else if handshakes.count >= limits.maximumHandshakes || entries.count >= limits.maximumConnections {
                pool = handshakes
            }
            var evicted: (any Channel)?
            if let pool {
                guard let victim = Self.victim(in: pool, now: now, stalledAfter: limits.stalledHandshake) else {
                    refusedSinceReport += 1
                    return .refused
                }
                evicted = entries.removeValue(forKey: victim)?.channel
                evictedSinceReport += 1
            }
            nextTicket += 1
            entries[nextTicket] = Entry(address: address, accepted: now, connection: connection, channel: channel)
            return .admitted(nextTicket, evicted: evicted)
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
        _ = lock.withLock { entries.removeValue(forKey: ticket) }
    }

    func acquireSession() -> Bool {
        lock.withLock {
            guard sessions < limits.maximumSessions else { return false }
            sessions += 1
            return true
        }
    }

    func releaseSession() { lock.withLock { sessions -= 1 } }

    var activeSessions: Int { lock.withLock { sessions } }

    /// Connections open now, handshakes included.
    var openConnections: Int { lock.withLock { entries.count } }

    /// The connections refused and the handshakes closed to make room since the last report, at most once per
    /// `interval` (nil otherwise, and when there is nothing to report): the server logs them without flooding.
    func refusalReport(now: ContinuousClock.Instant = .now, interval: Duration = .seconds(10)) -> (refused: Int, evicted: Int)? {
        lock.withLock {
            guard refusedSinceReport + evictedSinceReport > 0 else { return nil }
            if let lastReport, now - lastReport < interval { return nil }
            defer {
                refusedSinceReport = 0
                evictedSinceReport = 0
                lastReport = now
            }
            return (refusedSinceReport, evictedSinceReport)
        }
    }
}
