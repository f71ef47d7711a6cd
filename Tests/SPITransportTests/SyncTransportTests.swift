import Foundation
import Logging
import NIOCore
import SPIProtocol
import SPIReplication
@testable import SPITransport
import Testing

@Suite("Sync over loopback TLS", .serialized)
struct SyncTransportTests {
    @Test(
        "two replicas with offline edits converge in one session, both ways; the next sessions send nothing but coverage, then nothing"
    )
    func converge() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        try pair.insert(300, prefix: "org", into: pair.orgPath)
        try pair.insert(5000, prefix: "provider", into: pair.providerPath, transactions: 10)
        try await withServer(pair.serverConfiguration()) { _, address in
            let progress = ProgressRecorder()
            let report = try await pair.client().sync(with: address) { progress.record($0) }
            // A new row is two changes: the row's creation and its body.
            #expect(report.changesReceived == 600)
            #expect(report.changesApplied == 600)
            #expect(report.changesSent == 10_000)
            #expect(report.changesAppliedByPeer == 10_000)
            #expect(report.batchesSent >= 2) // 10 transactions of 500 rows; a batch ends near 2048 cells
            #expect(report.peerName == "org")
            #expect(report.peerID == pair.org.peerID)
            #expect(report.bytesSent > 5000 * 10 && report.bytesReceived > 300 * 10)
            #expect(progress.count >= report.batchesSent)

            let org = try pair.notes(in: pair.orgPath)
            let provider = try pair.notes(in: pair.providerPath)
            #expect(org.count == 5300)
            #expect(org == provider)

            // The next session sends no change; each side at most tells the other that it holds all its own changes
            // up to its clock, raised by what it received (protocol/permissions.md §2.3). The one after sends nothing.
            let again = try await pair.client().sync(with: address)
            #expect(again.changesSent == 0 && again.changesReceived == 0)
            #expect(again.batchesSent <= 1 && again.batchesReceived <= 1)
            let quiet = try await pair.client().sync(with: address)
            #expect(quiet.batchesSent == 0 && quiet.batchesReceived == 0)

            // An edit on one side, then another session: only that edit travels.
            let replica = try Replica(path: pair.orgPath, logger: pair.logger)
            try replica.write { db in try db.execute("UPDATE note SET body = 'edited' WHERE id = 'provider-7'") }
            let third = try await pair.client().sync(with: address)
            #expect(third.changesReceived == 1 && third.changesSent == 0) // one cell
            #expect(try pair.notes(in: pair.providerPath)["provider-7"] == "edited")
        }
    }

    @Test("a client the server does not trust is refused with a clear error on both sides")
    func untrustedClient() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        let stranger = pair.directory.file("stranger.db")
        try Pair.makeReplica(at: stranger, register: pair.register)
        let strangerIdentity = try PeerIdentity.loadOrCreate(forReplicaAt: stranger, logger: pair.logger)
        try pair.trust(pair.org.peerID, as: "org", in: stranger)
        try pair.insert(3, prefix: "stranger", into: stranger)
        let log = LogRecorder()
        try await withServer(pair.serverConfiguration(), logger: log.logger) { _, address in
            do {
                _ = try await pair.client(path: stranger).sync(with: address)
                Issue.record("an untrusted client synced")
            } catch let error as SyncError {
                #expect(error.code == .notTrustedByPeer)
                #expect(error.message.contains(strangerIdentity.peerID.description))
                // The words are the whole message: no TLS library text after them.
                #expect(error.description == error.message, "\(error.description)")
            }
            let record = try await log.waitFor { $0.message == "session failed" }
            #expect(record?.metadata["sync.error"] == "untrustedPeer")
            #expect(record?.metadata["sync.reason"]?.contains(strangerIdentity.peerID.description) == true)
            #expect(try pair.notes(in: pair.orgPath).isEmpty)
            // The server still serves a trusted peer.
            _ = try await pair.client().sync(with: address)
        }
    }

    @Test("a server the client does not trust is refused before anything is sent")
    func untrustedServer() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        let replica = try Replica(path: pair.providerPath, logger: pair.logger)
        try TrustedPeerStore(replica: replica).remove(name: "org")
        try pair.insert(2, prefix: "provider", into: pair.providerPath)
        let log = LogRecorder()
        try await withServer(pair.serverConfiguration(), logger: log.logger) { _, address in
            do {
                _ = try await pair.client().sync(with: address)
                Issue.record("synced with an untrusted server")
            } catch let error as SyncError {
                #expect(error.code == .untrustedPeer)
                #expect(error.message.contains(pair.org.peerID.description))
            }
            let record = try await log.waitFor { $0.message == "session failed" }
            #expect(record?.metadata["sync.error"] == "notTrustedByPeer")
            #expect(try pair.notes(in: pair.orgPath).isEmpty)
        }
    }

    @Test("a trusted peer from another register is refused with REGISTER_MISMATCH on both sides")
    func wrongRegister() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        let foreign = pair.directory.file("foreign.db")
        try Pair.makeReplica(at: foreign, register: RegisterID())
        let foreignIdentity = try PeerIdentity.loadOrCreate(forReplicaAt: foreign, logger: pair.logger)
        try pair.trust(pair.org.peerID, as: "org", in: foreign)
        try pair.trust(foreignIdentity.peerID, as: "foreign", in: pair.orgPath)
        try pair.insert(2, prefix: "foreign", into: foreign)
        let log = LogRecorder()
        try await withServer(pair.serverConfiguration(), logger: log.logger) { _, address in
            do {
                _ = try await pair.client(path: foreign).sync(with: address)
                Issue.record("synced across registers")
            } catch let error as SyncError {
                #expect(error.code == .registerMismatch)
                #expect(error.isReportedByPeer)
            }
            let record = try await log.waitFor { $0.message == "session failed" }
            #expect(record?.metadata["sync.error"] == "registerMismatch")
            #expect(try pair.notes(in: pair.orgPath).isEmpty)
        }
    }

    @Test("beyond the session limit, a trusted peer gets a polite Busy")
    func busy() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        try await withServer(pair.serverConfiguration(maximumSessions: 1)) { server, address in
            // A first session that stays open: Hello sent, Knowledge withheld.
            let holder = try await RawClient.connect(to: address, identity: pair.provider)
            try await holder.send(hello(from: pair))
            for _ in 0..<100 where server.activeSessions == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.activeSessions == 1)
            do {
                _ = try await pair.client().sync(with: address)
                Issue.record("a second session was served")
            } catch let error as SyncError {
                #expect(error.code == .busy)
                #expect(error.retryAfter == .seconds(5))
            }
            await holder.close()
            for _ in 0..<100 where server.activeSessions > 0 { try await Task.sleep(for: .milliseconds(10)) }
            _ = try await pair.client().sync(with: address)
        }
    }
}

/// Counts progress callbacks.
final class ProgressRecorder: @unchecked Sendable {
    // `@unchecked Sendable`: `calls` is accessed only under `lock`.
    private let lock = NSLock()
    private var calls: [SyncProgress] = []
    func record(_ progress: SyncProgress) { lock.withLock { calls.append(progress) } }
    var count: Int { lock.withLock { calls.count } }
}
