import Foundation

/// Counts a server's connections and sessions against its limits.
///
/// Connections (TCP accepted, TLS maybe not done) beyond `maximumConnections` are closed at once; authenticated
/// sessions beyond `maximumSessions` are answered `Busy`.
///
/// `@unchecked Sendable`: the counters are accessed only under `lock`.
final class SessionLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var connections = 0
    private var sessions = 0
    let maximumConnections: Int
    let maximumSessions: Int

    init(maximumConnections: Int, maximumSessions: Int) {
        self.maximumConnections = maximumConnections
        self.maximumSessions = maximumSessions
    }

    func acquireConnection() -> Bool {
        lock.withLock {
            guard connections < maximumConnections else { return false }
            connections += 1
            return true
        }
    }

    func releaseConnection() { lock.withLock { connections -= 1 } }

    func acquireSession() -> Bool {
        lock.withLock {
            guard sessions < maximumSessions else { return false }
            sessions += 1
            return true
        }
    }

    func releaseSession() { lock.withLock { sessions -= 1 } }

    var activeSessions: Int { lock.withLock { sessions } }
}
