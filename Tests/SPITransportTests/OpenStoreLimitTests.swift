import Foundation
import SPIProtocol
import SPIReplication
@testable import SPITransport
import Testing

/// A server's sessions hold its replica open at most `maximumOpenStores` at a time (``OpenStoreLimit``).
@Suite("Open stores over loopback TLS", .serialized)
struct OpenStoreLimitTests {
    /// A provider replica of `pair`'s register, trusting the organization and trusted by it.
    static func makeProvider(_ number: Int, of pair: Pair) throws -> String {
        let path = pair.directory.file("provider-\(number).db")
        try Pair.makeReplica(at: path, register: pair.register)
        let identity = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: quietLogger)
        try pair.trust(identity.peerID, as: "provider-\(number)", in: pair.orgPath)
        try pair.trust(pair.org.peerID, as: "org", in: path)
        return path
    }

    @Test(
        "with one open store, a second session waits after its HelloAck, is not timed out for the wait, and syncs once the first ends",
        .timeLimit(.minutes(1)))
    func waitsItsTurn() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        try pair.insert(20, prefix: "org", into: pair.orgPath)
        try pair.insert(30, prefix: "provider", into: pair.providerPath)
        var configuration = pair.serverConfiguration(idleTimeout: .seconds(2))
        configuration.maximumOpenStores = 1
        try await withServer(configuration) { server, address in
            // The first session opens the only store and keeps it: it says Hello and then little.
            let holder = try await RawClient.connect(to: address, identity: pair.provider)
            try await holder.send(hello(from: pair))
            #expect(try await holder.frames(2).map(\.kindName) == ["HelloAck", "Knowledge"])
            #expect(server.openStores.open == 1)

            // The second session waits for it, past the server's idle timeout of 2 s.
            let waiter = Task { try await pair.client().sync(with: address) }
            for _ in 0..<500 where server.activeSessions < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.activeSessions == 2)
            try await Task.sleep(for: .seconds(1))
            #expect(server.openStores.open == 1)
            // The holder is alive, so the store stays taken; its silence then ends its session (its own fault).
            try await holder.send(.knowledge(.init(Knowledge())))
            let report = try await waiter.value
            #expect(report.changesReceived == 40 && report.changesSent == 60)
            #expect(try pair.notes(in: pair.orgPath) == (try pair.notes(in: pair.providerPath)))
            let held = try await holder.framesUntilClosed()
            #expect(held.last?.errorCode == .timeout)
            #expect(server.openStores.peak == 1)
        }
    }

    @Test(
        "six providers sync at once through a few open stores, never more open than the limit, and all converge",
        .timeLimit(.minutes(2)), arguments: [1, 2])
    func manySessions(maximumOpenStores: Int) async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        let providers = try (1...6).map { try Self.makeProvider($0, of: pair) }
        try pair.insert(100, prefix: "org", into: pair.orgPath)
        for (index, path) in providers.enumerated() {
            try pair.insert(300, prefix: "provider\(index + 1)", into: path, transactions: 3)
        }
        var configuration = pair.serverConfiguration()
        configuration.maximumOpenStores = maximumOpenStores
        try await withServer(configuration) { server, address in
            try await withThrowingTaskGroup(of: SyncReport.self) { group in
                for path in providers {
                    group.addTask { try await pair.client(path: path).sync(with: address) }
                }
                for try await report in group {
                    #expect(report.changesSent == 600)
                    #expect(report.changesAppliedByPeer == 600)
                }
            }
            #expect(server.openStores.peak <= maximumOpenStores)
            #expect(server.openStores.peak >= 1)
            // A client is done before the server's side of its session ends: then its store closes.
            for _ in 0..<500 where server.activeSessions > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.openStores.open == 0)
            // Each provider's notes are on the hub; a second round brings everyone's to everyone.
            #expect(try pair.notes(in: pair.orgPath).count == 100 + 6 * 300)
            for path in providers { _ = try await pair.client(path: path).sync(with: address) }
            let hub = try pair.notes(in: pair.orgPath)
            #expect(hub.count == 100 + 6 * 300)
            for path in providers { #expect(try pair.notes(in: path) == hub) }
        }
    }

    @Test(
        "sessions beyond the limit get their HelloAck and wait; one whose peer left while it waited opens nothing",
        .timeLimit(.minutes(1)))
    func peerLeavesWhileWaiting() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        var configuration = pair.serverConfiguration()
        configuration.maximumOpenStores = 2
        try await withServer(configuration) { server, address in
            var holders: [RawClient] = []
            for _ in 0..<3 {
                let client = try await RawClient.connect(to: address, identity: pair.provider)
                try await client.send(hello(from: pair))
                holders.append(client)
            }
            // Two sessions have their store: HelloAck and Knowledge; the third has its HelloAck and waits.
            var kinds: [[String]] = []
            for holder in holders { kinds.append(try await holder.frames(2, timeout: .seconds(2)).map(\.kindName)) }
            #expect(kinds.filter { $0 == ["HelloAck", "Knowledge"] }.count == 2, "\(kinds)")
            #expect(kinds.filter { $0 == ["HelloAck"] }.count == 1, "\(kinds)")
            #expect(server.openStores.open == 2)
            // The waiting peer leaves; then a holder does: the turn passes to the session whose peer left, which
            // gives it back without opening the replica; and the server still serves.
            guard let waiting = kinds.firstIndex(of: ["HelloAck"]),
                let holding = kinds.firstIndex(of: ["HelloAck", "Knowledge"])
            else { return }
            await holders[waiting].close()
            try await Task.sleep(for: .seconds(1))
            await holders[holding].close()
            for _ in 0..<500 where server.activeSessions > 1 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.activeSessions == 1)
            #expect(server.openStores.open == 1)
            #expect(server.openStores.openings == 2)
            _ = try await pair.client().sync(with: address)
            #expect(server.openStores.openings == 3)
            #expect(server.openStores.peak == 2)
            for holder in holders { await holder.close() }
        }
    }

    @Test(
        "a session whose access cannot be determined fails with INTERNAL after its HelloAck and gives its store back",
        .timeLimit(.minutes(1)))
    func accessFails() async throws {
        struct Unreadable: Error {}
        struct FailingAccess: SyncAccessControl {
            func access(for peer: PeerID, replica: Replica) throws -> SessionAccess { throw Unreadable() }
        }
        let pair = try Pair()
        defer { pair.directory.remove() }
        var configuration = pair.serverConfiguration()
        configuration.maximumOpenStores = 1
        configuration.accessControl = FailingAccess()
        try await withServer(configuration) { server, address in
            for attempt in 1...2 {
                do {
                    _ = try await pair.client().sync(with: address)
                    Issue.record("attempt \(attempt): the session was served")
                } catch let error as SyncError {
                    #expect(error.code == .internalError)
                    #expect(error.isReportedByPeer)
                    #expect(error.message.contains("cannot determine what peer provider may do"))
                }
                for _ in 0..<500 where server.activeSessions > 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(server.openStores.open == 0)
                #expect(server.openStores.openings == attempt)
            }
        }
    }
}
