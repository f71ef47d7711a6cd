import Foundation
import Logging
import SPIRegister
@testable import SPIReplication
import SPISQLite
import SPITransport
import Testing

/// Origins cannot be forged: a provider's modified replica that relays a change claiming the organization as its
/// origin, in a provider-to-provider session over real TLS, gets it refused (it carries no signature by the
/// organization's key). Write rules judged per origin.
@Suite("relay forgery", .serialized)
struct RelayForgeryTests {
    /// The organization with the Northwind demo, Fabrikam and Contoso bound to their parties and synced with it,
    /// and every pair trusting each other.
    struct Ecosystem {
        let org: Register
        let fabrikam: Register
        let contoso: Register
    }

    func withEcosystem(_ body: (URL, Ecosystem) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let org = try Register.create(
            at: directory.appendingPathComponent("org.db").path, name: "Northwind", kind: .organization,
            registerID: nil,
            logger: quietLogger)
        try org.replica.write { db in try NorthwindDemo.populate(db, today: "2026-11-29") }
        let fabrikam = try Register.create(
            at: directory.appendingPathComponent("fab.db").path, name: "Fabrikam", kind: .provider,
            registerID: org.replica.registerID, logger: quietLogger)
        let contoso = try Register.create(
            at: directory.appendingPathComponent("con.db").path, name: "Contoso", kind: .provider,
            registerID: org.replica.registerID, logger: quietLogger)
        let registers = [("org", org), ("fab", fabrikam), ("con", contoso)]
        var ids: [String: PeerID] = [:]
        for (name, register) in registers {
            ids[name] = try PeerIdentity.loadOrCreate(forReplicaAt: register.replica.path, logger: quietLogger).peerID
        }
        for (name, register) in registers {
            let store = try TrustedPeerStore(replica: register.replica)
            for (other, id) in ids where other != name { try store.add(name: other, peerID: id, ownPeerID: ids[name]) }
        }
        try org.write { store in
            try PartyBinding.bind(party: "FAB", peer: ids["fab"]!, store)
            try PartyBinding.bind(party: "CON", peer: ids["con"]!, store)
        }
        let ecosystem = Ecosystem(org: org, fabrikam: fabrikam, contoso: contoso)
        try await withServer(org, accessControl: RegisterAccessControl()) { address in
            _ = try await sync(fabrikam, address)
            _ = try await sync(contoso, address)
        }
        try await body(directory, ecosystem)
    }

    func withServer(
        _ register: Register, accessControl: (any SyncAccessControl)?, _ body: (PeerAddress) async throws -> Void
    ) async throws {
        let server = try SyncServer(
            configuration: .init(
                replicaPath: register.replica.path, schemaVersion: UInt32(RegisterSchema.currentVersion),
                listen: PeerAddress(host: "127.0.0.1", port: 0), name: register.name,
                // Generous: the whole suite shares two cores and the NIO thread pool with these sessions.
                handshakeTimeout: .seconds(60), idleTimeout: .seconds(60), accessControl: accessControl),
            logger: quietLogger)
        let task = Task { try await server.run() }
        defer { task.cancel() }
        try await body(try await server.listeningAddress)
    }

    func sync(_ register: Register, _ address: PeerAddress) async throws -> SyncReport {
        let client = SyncClient(
            configuration: .init(
                replicaPath: register.replica.path, schemaVersion: UInt32(RegisterSchema.currentVersion),
                name: register.name, handshakeTimeout: .seconds(60), idleTimeout: .seconds(60),
                accessControl: RegisterAccessControl()),
            logger: quietLogger)
        return try await client.sync(with: address)
    }

    @Test(
        "a provider relaying a change that claims the organization as origin gets it refused", .timeLimit(.minutes(1)))
    func relayedForgery() async throws {
        try await withEcosystem { directory, e in
            // The forgery: a scratch replica that pretends to be the organization's site writes a change that
            // Contoso would accept from the organization, and the compromised Fabrikam replica takes it in.
            let orgSite = e.org.replica.siteID
            let forger = try Replica.create(
                at: directory.appendingPathComponent("forger.db").path, registerID: e.org.replica.registerID,
                siteID: orgSite, logger: quietLogger)
            try forger.writeBaseline { db in
                try RegisterSchema.migrate(db)
                try ReferenceData.seed(db)
            }
            try forger.track(tables: RegisterSchema.tableNames)
            let conSPI = try e.contoso.read { try $0.record("interface", "SPI-INC-CON") }
            let forgedRow = try e.org.read { try AccessRules.row("interface", conSPI.id, $0.db) }
            try forger.write { db in
                let columns = try #require(forgedRow).keys.sorted()
                try db.execute(
                    "INSERT INTO interface(\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                    columns.map { forgedRow![$0]! })
                try db.execute(
                    "UPDATE interface SET status = 'retired', title = 'Forged by Fabrikam' WHERE id = ?",
                    [.text(conSPI.id)])
            }
            // Fabrikam takes the forgery in unchecked, with origin proofs it made with a key of its own (it has not
            // the organization's), so that it relays them as if they were genuine.
            var cursor = try forger.deltaCursor(for: Knowledge())
            let forgedKey = ChangeSetSigner()
            while let batch = try forger.nextBatch(&cursor)?.message {
                try e.fabrikam.replica.apply(batch)
                var groups: [OriginProofs.GroupKey: [(row: OriginProofs.RowRef, leaf: OriginProofs.Leaf)]] = [:]
                for entry in try OriginProofs.entryLeaves(of: batch) {
                    groups[entry.group, default: []].append((entry.row, entry.leaf))
                }
                let proofs = try groups.map { key, entries in
                    let chunks = OriginProofs.chunks(of: entries)
                    let digests = chunks.flatMap(\.digest)
                    let message = OriginProofs.groupMessage(
                        register: e.org.replica.registerID, group: key, chunkDigests: digests)
                    return VerifiedGroup(
                        key: key, signature: try forgedKey.sign(message), digests: digests,
                        chunks: Array(chunks.enumerated().map { ($0.offset, $0.element) }), publicKey: nil)
                }
                try e.fabrikam.replica.write { db in try e.fabrikam.replica.storeProofs(proofs, db) }
            }
            let knowledgeBefore = try e.contoso.replica.knowledge()

            // Fabrikam serves with no access control (a modified node relays everything); Contoso checks every
            // change's origin signature: the forgery's was not made by the organization's key, so the batch is
            // refused whole and the session fails with the reason.
            try await withServer(e.fabrikam, accessControl: nil) { address in
                do {
                    let report = try await sync(e.contoso, address)
                    Issue.record("Contoso accepted a session with a forged change: \(report)")
                } catch {
                    #expect("\(error)".contains("is not what that site signed"), "\(error)")
                }
            }
            let after = try e.contoso.read { try $0.record("interface", conSPI.id) }
            #expect(after.values["title"] == conSPI.values["title"])
            #expect(after.values["status"] == conSPI.values["status"])
            // Fabrikam could not raise Contoso's knowledge of the organization's changes either.
            #expect(try e.contoso.replica.knowledge()[orgSite] == knowledgeBefore[orgSite])
        }
    }

    @Test("write rules: a provider may write within its SPIs only, never governance columns or other tables")
    func writeRules() async throws {
        try await withEcosystem { _, e in
            let fab = try e.org.read { try $0.resolve("party", "FAB") }
            let fabSPI = try e.org.read { try $0.resolve("interface", "SPI-INC-FAB") }
            let conSPI = try e.org.read { try $0.resolve("interface", "SPI-INC-CON") }
            try e.org.read { store in
                func judge(_ table: String, _ id: String, _ kind: RowWrite.Kind, _ values: [String: DatabaseValue])
                    throws -> GateDecision
                {
                    try AccessRules.judge(
                        RowWrite(table: table, id: id, kind: kind, values: values), by: .party(fab), store.db)
                }
                #expect(try judge("interface", fabSPI, .update, ["description": .text("x")]) == .allow)
                if case .refuseColumns(let columns, _) = try judge(
                    "interface", fabSPI, .update, ["status": .text("approved"), "title": .text("t")])
                {
                    #expect(columns == ["status"])
                } else {
                    Issue.record("a status change was not refused")
                }
                #expect(try judge("interface", conSPI, .update, ["description": .text("x")]) != .allow)
                #expect(try judge("interface", RecordID.v7(), .create, ["provider_id": .text(fab)]) != .allow)
                #expect(try judge("raci_assignment", RecordID.v7(), .create, ["interface_id": .text(fabSPI)]) == .allow)
                #expect(try judge("raci_assignment", RecordID.v7(), .create, ["interface_id": .text(conSPI)]) != .allow)
                #expect(try judge("practice", RecordID.v7(), .create, ["code": .text("X")]) != .allow)
                #expect(try judge("person", RecordID.v7(), .create, ["party_id": .text(fab)]) == .allow)
                let con = try store.resolve("party", "CON")
                #expect(try judge("person", RecordID.v7(), .create, ["party_id": .text(con)]) != .allow)
                #expect(
                    try AccessRules.judge(
                        RowWrite(table: "practice", id: RecordID.v7(), kind: .create, values: [:]), by: .organization,
                        store.db) == .allow)
                #expect(
                    try AccessRules.judge(
                        RowWrite(table: "person", id: RecordID.v7(), kind: .create, values: ["party_id": .text(fab)]),
                        by: .unbound,
                        store.db) != .allow)
            }
        }
    }
}
