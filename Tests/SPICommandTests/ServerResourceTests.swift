import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `spi serve` gives back what hostile or careless clients take: every connection it accepts is closed on every path.
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
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
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

    @Test("400 silent connections, then closed: the server's open descriptors return to their baseline",
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
                let deadline = Date().addingTimeInterval(30)
                var open = Self.openDescriptors(of: pid)
                while open > baseline + 10 && Date() < deadline {
                    Thread.sleep(forTimeInterval: 0.2)
                    open = Self.openDescriptors(of: pid)
                }
                #expect(open <= baseline + 10, "round \(round): \(open) descriptors open, \(baseline) before")
            }
            // And it still serves.
            #expect(server.process.isRunning)
            let probe = Self.silentConnection(port: port)
            #expect(probe >= 0)
            if probe >= 0 { close(probe) }
        }
    }
}
