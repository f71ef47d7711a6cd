import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `spi serve` gives back what hostile or careless clients take: every connection it accepts is closed on every path,
/// and silent or flooding clients cannot lock trusted peers out. Load tests: `scripts/test` runs this suite alone, after
/// the others, so that its hundreds of sockets and processes cannot make their timing flaky.
@Suite("server resources", .serialized)
struct ServerResourceTests {
    /// Opens a plain TCP connection to `port` on loopback that says nothing; returns its descriptor (-1 on failure).
    static func silentConnection(port: UInt16) -> Int32 {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return -1 }
        // A connect the server's backlog cannot take yet gives up after 2 s instead of retrying for minutes.
        var limit = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    /// The number of open descriptors of a process (Linux).
    static func openDescriptors(of pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Waits up to 30 s for a process's open descriptors to come back within 10 of `baseline`; returns the last count.
    static func descriptorsSettle(of pid: Int32, baseline: Int) -> Int {
        let deadline = Date().addingTimeInterval(30)
        var open = openDescriptors(of: pid)
        while open > baseline + 10 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            open = openDescriptors(of: pid)
        }
        return open
    }

    @Test(
        "400 silent connections, then closed: the server's open descriptors return to their baseline",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")), .timeLimit(.minutes(2)))
    func silentConnectionsAreClosed() throws {
        try withCommandFixture(.basics) { f in
            let port = try SyncEndToEndTests.freePort()
            let server = try SyncServerProcess(db: f.db, listen: "127.0.0.1:\(port)", directory: f.directory)
            defer { server.stop() }
            try server.waitUntilServing()
            let pid = server.process.processIdentifier
            let baseline = Self.openDescriptors(of: pid)
            try #require(baseline > 0)
            for round in 0..<2 {
                var sockets: [Int32] = []
                for _ in 0..<400 {
                    let fd = Self.silentConnection(port: port)
                    if fd >= 0 { sockets.append(fd) }
                }
                #expect(sockets.count >= 300, "round \(round): only \(sockets.count) connections were accepted")
                Thread.sleep(forTimeInterval: 0.5)
                for fd in sockets { close(fd) }
                // The server notices each close (or its handshake timeout) and closes its side.
                let open = Self.descriptorsSettle(of: pid, baseline: baseline)
                #expect(open <= baseline + 10, "round \(round): \(open) descriptors open, \(baseline) before")
            }
            // And it still serves.
            #expect(server.process.isRunning)
            let probe = Self.silentConnection(port: port)
            #expect(probe >= 0)
            if probe >= 0 { close(probe) }
        }
    }

    @Test(
        "200 silent sockets that reconnect whenever closed, for 30 s: trusted peers still sync, each within 5 s",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")), .timeLimit(.minutes(3)))
    func slowLoris() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let port = try SyncEndToEndTests.freePort()
            let server = try SyncServerProcess(db: org.db, listen: "127.0.0.1:\(port)", directory: directory)
            defer { server.stop() }
            try server.waitUntilServing()
            let baseline = Self.openDescriptors(of: server.process.processIdentifier)
            let swarm = SilentSwarm(port: port, size: 200)
            let thread = Thread { swarm.run() }
            thread.start()
            defer { swarm.stop() }
            let started = Date()
            Thread.sleep(forTimeInterval: 2)
            var outcomes: [(ok: Bool, seconds: Double, detail: String)] = []
            for attempt in 0..<10 {
                // Spread over the 30 s the swarm runs.
                let due = started.addingTimeInterval(2 + Double(attempt) * 2.7)
                if due > Date() { Thread.sleep(until: due) }
                let provider = providers[["FAB", "CON", "TAIL"][attempt % 3]]!
                let begin = Date()
                let run = try provider.spi("sync", "127.0.0.1:\(port)", "--json")
                let seconds = Date().timeIntervalSince(begin)
                outcomes.append((run.status == 0 && seconds < 5, seconds, run.status == 0 ? "" : run.stderr))
            }
            if Date() < started.addingTimeInterval(30) { Thread.sleep(until: started.addingTimeInterval(30)) }
            swarm.stop()
            let succeeded = outcomes.filter(\.ok).count
            #expect(succeeded >= 9, "\(succeeded) of 10 syncs succeeded within 5 s: \(outcomes)")
            // The swarm really held the server at its limits: its sockets were closed and reopened over and over.
            #expect(swarm.reconnects >= 200, "the server closed only \(swarm.reconnects) silent sockets")
            #expect(server.stderr.contains("at a connection limit"), "the refusals are not logged")
            #expect(server.process.isRunning)
            let open = Self.descriptorsSettle(of: server.process.processIdentifier, baseline: baseline)
            #expect(open <= baseline + 10, "\(open) descriptors open after the swarm, \(baseline) before")
        }
    }

    @Test(
        "a flood of 2,000 connections held open: the server stays up, serves a trusted peer meanwhile, and gives every descriptor back",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")), .timeLimit(.minutes(3)))
    func flood() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let port = try SyncEndToEndTests.freePort()
            let server = try SyncServerProcess(db: org.db, listen: "127.0.0.1:\(port)", directory: directory)
            defer { server.stop() }
            try server.waitUntilServing()
            let pid = server.process.processIdentifier
            let baseline = Self.openDescriptors(of: pid)
            var sockets: [Int32] = []
            for _ in 0..<2_000 {
                let fd = Self.silentConnection(port: port)
                if fd >= 0 { sockets.append(fd) }
            }
            defer { for fd in sockets { close(fd) } }
            #expect(sockets.count >= 1_000, "only \(sockets.count) connections were made")
            #expect(server.process.isRunning)
            // The server holds a bounded number of them, not 2,000.
            #expect(Self.openDescriptors(of: pid) < baseline + 300, "\(Self.openDescriptors(of: pid)) descriptors open")
            let run = try providers["FAB"]!.spi("sync", "127.0.0.1:\(port)", "--json")
            #expect(run.status == 0, "a trusted peer could not sync during the flood: \(run)")
            for fd in sockets { close(fd) }
            sockets = []
            let open = Self.descriptorsSettle(of: pid, baseline: baseline)
            #expect(open <= baseline + 10, "\(open) descriptors open after the flood, \(baseline) before")
            #expect(server.process.isRunning)
        }
    }
}

/// Silent TCP connections to a port that reconnect as soon as the server closes them (a slow-loris attacker).
final class SilentSwarm: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var _reconnects = 0
    private var _finished = false
    let port: UInt16
    let size: Int

    init(port: UInt16, size: Int) {
        self.port = port
        self.size = size
    }

    /// How many times a socket was found closed and opened again.
    var reconnects: Int { lock.withLock { _reconnects } }

    /// Stops the swarm and waits until its sockets are closed.
    func stop() {
        lock.withLock { stopped = true }
        while !lock.withLock({ _finished }) { Thread.sleep(forTimeInterval: 0.01) }
    }

    /// Runs until ``stop()``: keeps `size` silent connections open, reopening each one the server closes.
    func run() {
        var sockets = (0..<size).map { _ in ServerResourceTests.silentConnection(port: port) }
        var buffer = [UInt8](repeating: 0, count: 64)
        while !lock.withLock({ stopped }) {
            var polled = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polled, nfds_t(polled.count), 20)
            for index in sockets.indices {
                var closed = sockets[index] < 0
                if !closed && polled[index].revents != 0 {
                    // Readable: the server closed it (or, never, sent something); either way, start again.
                    _ = recv(sockets[index], &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    close(sockets[index])
                    closed = true
                }
                if closed {
                    sockets[index] = ServerResourceTests.silentConnection(port: port)
                    lock.withLock { _reconnects += 1 }
                }
            }
        }
        for fd in sockets where fd >= 0 { close(fd) }
        lock.withLock { _finished = true }
    }
}
