import Foundation
import Logging
import NIOSSL
import SPIReplication
import SPISQLite
@testable import SPITransport
import Testing

@Suite("Peer identity")
struct PeerIdentityTests {
    let logger = quietLogger

    @Test("the first use creates <db>.key (mode 0600) and <db>.crt; later uses load the same identity")
    func createAndLoad() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("r.db")
        let created = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        #expect(created.keyPath == path + ".key" && created.certificatePath == path + ".crt")
        let attributes = try FileManager.default.attributesOfItem(atPath: created.keyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let loaded = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        #expect(loaded.peerID == created.peerID)
        #expect(loaded.certificatePEM == created.certificatePEM)
    }

    @Test("the peer id is the SHA-256 of the certificate's full SubjectPublicKeyInfo, as TLS peers compute it")
    func peerIDMatchesCertificate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let identity = try PeerIdentity.loadOrCreate(forReplicaAt: directory.file("r.db"), logger: logger)
        let certificate = try NIOSSLCertificate(bytes: Array(identity.certificatePEM.utf8), format: .pem)
        #expect(try SyncTLS.peerID(of: certificate) == identity.peerID)
        #expect(!identity.certificatePEM.contains("PRIVATE"))
    }

    @Test("a lost certificate is re-made from the key, with the same peer id")
    func remakeCertificate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("r.db")
        let first = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        try FileManager.default.removeItem(atPath: first.certificatePath)
        let second = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        #expect(second.peerID == first.peerID)
        #expect(FileManager.default.fileExists(atPath: second.certificatePath))
    }

    @Test("a key file readable by others gets its permissions tightened to 0600")
    func tighten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("r.db")
        let identity = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: identity.keyPath)
        _ = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        let attributes = try FileManager.default.attributesOfItem(atPath: identity.keyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("a missing key whose certificate is still there is an error, never silently regenerated")
    func missingKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("r.db")
        let identity = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        try FileManager.default.removeItem(atPath: identity.keyPath)
        #expect {
            try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        } throws: { ($0 as? PeerError)?.code == .identityMissing }
        #expect(!FileManager.default.fileExists(atPath: identity.keyPath))
    }

    @Test(
        "an existing replica's key is never made again: a missing key (certificate gone too) is an error, and another replica's key is refused"
    )
    func loadNeverCreates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("r.db")
        let identity = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        let site = identity.peerID.siteID
        #expect(try PeerIdentity.load(forReplicaAt: path, site: site, logger: logger).peerID == identity.peerID)
        let other = try PeerIdentity.loadOrCreate(forReplicaAt: directory.file("other.db"), logger: logger)
        #expect {
            try PeerIdentity.load(forReplicaAt: path, site: other.peerID.siteID, logger: logger)
        } throws: { ($0 as? PeerError)?.code == .identityMismatch }
        for file in [identity.keyPath, identity.certificatePath] { try FileManager.default.removeItem(atPath: file) }
        #expect {
            try PeerIdentity.load(forReplicaAt: path, site: site, logger: logger)
        } throws: { error in
            guard let error = error as? PeerError else { return false }
            return error.code == .identityMissing && error.message.contains("spi key rotate")
        }
        #expect(!FileManager.default.fileExists(atPath: identity.keyPath))
    }

    @Test("an interrupted rotation is finished when the replica took the new site, and dropped when it did not")
    func interruptedRotation() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("r.db")
        let old = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        let nextPath = PeerIdentity.nextKeyPath(forReplicaAt: path)
        // Stopped before the replica took the site: the next key is dropped, the old one stays.
        let dropped = try PeerIdentity.prepareRotation(forReplicaAt: path, logger: logger)
        #expect(dropped.peerID != old.peerID && FileManager.default.fileExists(atPath: nextPath))
        #expect(try PeerIdentity.load(forReplicaAt: path, site: old.peerID.siteID, logger: logger).peerID == old.peerID)
        #expect(!FileManager.default.fileExists(atPath: nextPath))
        // Stopped after: loading with the new site puts the next key in place, with a certificate for it.
        let next = try PeerIdentity.prepareRotation(forReplicaAt: path, logger: logger)
        #expect(try PeerIdentity.prepareRotation(forReplicaAt: path, logger: logger).peerID == next.peerID)
        let loaded = try PeerIdentity.load(forReplicaAt: path, site: next.peerID.siteID, logger: logger)
        #expect(loaded.peerID == next.peerID && loaded.keyPath == path + ".key")
        #expect(!FileManager.default.fileExists(atPath: nextPath))
        let certificate = try NIOSSLCertificate(bytes: Array(loaded.certificatePEM.utf8), format: .pem)
        #expect(try SyncTLS.peerID(of: certificate) == next.peerID)
    }

    @Test("an unreadable key is reported, never replaced")
    func corruptKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("r.db")
        try "not a key".write(toFile: path + ".key", atomically: true, encoding: .utf8)
        #expect {
            try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: logger)
        } throws: { ($0 as? PeerError)?.code == .identityUnreadable }
        #expect(try String(contentsOfFile: path + ".key", encoding: .utf8) == "not a key")
    }
}

@Suite("Trusted peers")
struct TrustedPeerStoreTests {
    @Test("peers are added, listed by name, found by id, and removed; the table does not replicate")
    func lifecycle() throws {
        let pair = try Pair(trustEachOther: false)
        defer { pair.directory.remove() }
        let replica = try SPIReplication.Replica(path: pair.orgPath, logger: pair.logger)
        let store = try TrustedPeerStore(replica: replica)
        #expect(try store.list().isEmpty)
        try store.add(name: "zeta", peerID: pair.provider.peerID, address: try PeerAddress(parsing: "10.1.2.3:7373"))
        try store.add(name: "alpha", peerID: pair.org.peerID)
        #expect(try store.list().map(\.name) == ["alpha", "zeta"])
        #expect(try store.peer(withID: pair.provider.peerID)?.address?.description == "10.1.2.3:7373")
        #expect(try store.remove(name: "zeta").peerID == pair.provider.peerID)
        #expect(try store.list().map(\.name) == ["alpha"])
        // Local settings: nothing of it replicates (the delta for a peer that knows nothing is empty).
        var cursor = try replica.deltaCursor(for: Knowledge())
        #expect(try replica.nextBatch(&cursor, maxCells: 100) == nil)
        #expect(try replica.knowledge().clocks.isEmpty)
    }

    @Test("a list an older version kept in its own table (_spi_peer) moves into the local settings, once")
    func legacyTableMoves() throws {
        let pair = try Pair(trustEachOther: false)
        defer { pair.directory.remove() }
        // The table and rows exactly as the previous version of TrustedPeerStore wrote them.
        try SPIReplication.Replica(path: pair.orgPath, logger: pair.logger).read { _ in }
        let db = try Connection(path: pair.orgPath)
        try db.execute(
            """
            CREATE TABLE _spi_peer (
                name TEXT PRIMARY KEY NOT NULL, peer_id TEXT NOT NULL UNIQUE, address TEXT, created TEXT NOT NULL) STRICT
            """)
        try db.execute(
            "INSERT INTO _spi_peer VALUES ('contoso', ?, '10.0.0.5:7373', '2026-01-02T03:04:05Z'), ('alpha', ?, NULL, 'x')",
            [.text(pair.provider.peerID.description), .text(pair.org.peerID.description)])
        // Read-only: listed from the old table, which stays (the file is not written).
        let readOnly = try SPIReplication.Replica(path: pair.orgPath, readOnly: true, logger: pair.logger)
        #expect(try TrustedPeerStore(replica: readOnly).list().map(\.name) == ["alpha", "contoso"])
        #expect(try db.scalar("SELECT count(*) FROM _spi_peer") == .integer(2))

        let store = try TrustedPeerStore(replica: SPIReplication.Replica(path: pair.orgPath, logger: pair.logger))
        let peers = try store.list()
        #expect(peers.map(\.name) == ["alpha", "contoso"])
        #expect(peers[1].peerID == pair.provider.peerID)
        #expect(peers[1].address?.description == "10.0.0.5:7373")
        #expect(peers[1].created == "2026-01-02T03:04:05Z")
        #expect(peers[0].address == nil)
        #expect(try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = '_spi_peer'") == .integer(0))
        // Opened again: the same list, from the settings alone.
        #expect(
            try TrustedPeerStore(replica: SPIReplication.Replica(path: pair.orgPath, logger: pair.logger)).list()
                == peers)
    }

    @Test("duplicates, bad names, unknown peers and the replica's own id are refused with clear errors")
    func validation() throws {
        let pair = try Pair(trustEachOther: false)
        defer { pair.directory.remove() }
        let store = try TrustedPeerStore(replica: SPIReplication.Replica(path: pair.orgPath, logger: pair.logger))
        try store.add(name: "contoso", peerID: pair.provider.peerID)
        #expect {
            try store.add(name: "contoso", peerID: pair.org.peerID)
        } throws: { ($0 as? PeerError)?.code == .duplicateName }
        #expect {
            try store.add(name: "other", peerID: pair.provider.peerID)
        } throws: { ($0 as? PeerError)?.code == .duplicatePeerID }
        for name in ["", "-x", "has space", String(repeating: "a", count: 65), "ünïcode"] {
            #expect(throws: PeerError.self) { try store.add(name: name, peerID: pair.org.peerID) }
        }
        #expect {
            try store.remove(name: "nobody")
        } throws: { ($0 as? PeerError)?.code == .unknownPeer }
        #expect {
            try store.add(name: "me", peerID: pair.org.peerID, ownPeerID: pair.org.peerID)
        } throws: { ($0 as? PeerError)?.code == .ownPeerID }
    }

    @Test("the server's cache reads the peers while another connection holds the write lock (it opens read-only)")
    func cacheReadsUnderWriteLock() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        let writer = try Connection(path: pair.orgPath)
        try writer.execute("BEGIN IMMEDIATE")
        defer { try? writer.execute("ROLLBACK") }
        let cache = TrustedPeerCache(replicaPath: pair.orgPath, threadPool: .singleton, logger: quietLogger)
        // A read-write open would wait out the busy timeout (10 s) and throw "database is locked".
        #expect(try await cache.peer(withID: pair.provider.peerID) != nil)
    }

    @Test("a reading that fails keeps the list read before in use; with none read before, the error is thrown")
    func cacheKeepsLastListOnFailure() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        let cache = TrustedPeerCache(
            replicaPath: pair.orgPath, threadPool: .singleton, logger: quietLogger, maximumAge: .milliseconds(1))
        #expect(try await cache.peer(withID: pair.provider.peerID) != nil)
        try FileManager.default.moveItem(atPath: pair.orgPath, toPath: pair.orgPath + ".away")
        try await Task.sleep(for: .milliseconds(20))
        // The file cannot be read now: the list read before still answers, for trusted and untrusted ids alike.
        #expect(try await cache.peer(withID: pair.provider.peerID) != nil)
        #expect(try await cache.peer(withID: PeerID(subjectPublicKeyInfo: [1, 2, 3])) == nil)
        let fresh = TrustedPeerCache(replicaPath: pair.orgPath, threadPool: .singleton, logger: quietLogger)
        await #expect(throws: (any Error).self) { try await fresh.peer(withID: pair.provider.peerID) }
        // Readable again: a new reading is used.
        try FileManager.default.moveItem(atPath: pair.orgPath + ".away", toPath: pair.orgPath)
        #expect(try await fresh.peer(withID: pair.provider.peerID) != nil)
    }

    @Test("a failed reading's warning says what happens next: the list read before is used, or connections are refused")
    func cacheFailureWarningTellsTheTruth() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        let withList = LogRecorder()
        let cache = TrustedPeerCache(
            replicaPath: pair.orgPath, threadPool: .singleton, logger: withList.logger, maximumAge: .milliseconds(1))
        #expect(try await cache.peer(withID: pair.provider.peerID) != nil)
        try FileManager.default.moveItem(atPath: pair.orgPath, toPath: pair.orgPath + ".away")
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await cache.peer(withID: pair.provider.peerID) != nil)
        let warned = withList.all.filter { $0.level == .warning }.map(\.message)
        #expect(warned == ["cannot read the trusted peers; using the list read before"])

        let withoutList = LogRecorder()
        let fresh = TrustedPeerCache(replicaPath: pair.orgPath, threadPool: .singleton, logger: withoutList.logger)
        await #expect(throws: (any Error).self) { try await fresh.peer(withID: pair.provider.peerID) }
        #expect(
            withoutList.all.filter { $0.level == .warning }.map(\.message) == [
                "cannot read the trusted peers; connections are refused until a reading succeeds"
            ])
    }
}
