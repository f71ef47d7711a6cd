import Foundation
import SPIRegister
import SPIReplication
import SPISQLite
import Testing

@Suite("Register: create, open, migrate")
struct RegisterTests {
    @Test("create migrates an empty file to the current schema and seeds the reference data")
    func createsSchemaAndSeeds() throws {
        try withRegister { register, _ in
            #expect(register.name == "Test register")
            #expect(register.kind == .organization)
            try register.read { store in
                let version = try store.db.scalar("PRAGMA user_version")
                #expect(version == .integer(Int64(RegisterSchema.currentVersion)))
                let tables = try store.db.rows(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name"
                ).compactMap { $0[0].textValue }
                #expect(tables == RegisterSchema.tableNames.sorted())
                let practices = try store.records("practice")
                #expect(practices.count == 34)
                #expect(Set(practices.compactMap { $0["code"].textValue }).count == 34)
                for practice in practices {
                    #expect(practice.id == RecordID.v5("practice:\(practice["code"].textValue!)"))
                }
                let activities = try store.records("activity")
                #expect(activities.count == ReferenceData.activities.count)
                #expect(activities.count == 37)
                let log = try store.record("activity", "INC-LOG")
                #expect(log.id == RecordID.v5("activity:INC-LOG"))
                #expect(log["practice_id"] == .text(RecordID.v5("practice:INC")))
                #expect(log["position"] == .integer(1))
                #expect(try store.record("activity", "INC-MAJ")["position"] == .integer(7))
            }
        }
    }

    @Test("seeded reference rows are identical on every replica and do not replicate as changes")
    func seedsDoNotReplicate() throws {
        try withTemporaryDirectory { dir in
            let a = try Register.create(
                at: dir.appendingPathComponent("a.db").path, name: "A", kind: .organization, registerID: nil,
                logger: quietLogger)
            let b = try Register.create(
                at: dir.appendingPathComponent("b.db").path, name: "B", kind: .provider,
                registerID: a.replica.registerID, logger: quietLogger)
            #expect(try a.digest() == b.digest())
            #expect(try a.replica.knowledge().clocks.isEmpty)
            var cursor = try a.replica.deltaCursor(for: Knowledge())
            #expect(try a.replica.nextBatch(&cursor) == nil)

            try a.write { try $0.put("party", fields: ["code": "FAB", "name": "Fabrikam", "kind": "provider"]) }
            #expect(try !a.replica.knowledge().clocks.isEmpty)
            #expect(try a.digest() != b.digest())
        }
    }

    @Test("edits replicate: a provider that applies the organization's changes has the same digest")
    func editsReplicate() throws {
        try withTemporaryDirectory { dir in
            let org = try Register.create(
                at: dir.appendingPathComponent("org.db").path, name: "Org", kind: .organization, registerID: nil,
                logger: quietLogger)
            let provider = try Register.create(
                at: dir.appendingPathComponent("fab.db").path, name: "Fabrikam", kind: .provider,
                registerID: org.replica.registerID, logger: quietLogger)
            try addBasics(org)
            try org.write { try $0.put("practice", id: "CFG", fields: ["owner_id": "jane@northwind.example"]) }
            var cursor = try org.replica.deltaCursor(for: try provider.replica.knowledge())
            while let batch = try org.replica.nextBatch(&cursor) { _ = try provider.replica.apply(batch) }
            #expect(try provider.exportCanonical() == org.exportCanonical())
            #expect(
                try provider.read { try $0.record("interface", "SPI-INC-FAB")["provider_id"] }
                    == .text(try provider.read { try $0.resolve("party", "FAB") }))
        }
    }

    @Test("a provider needs a register id; an organization gets a new one")
    func registerIDs() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("p.db").path
            let message = expectRegisterError(.missingField) {
                _ = try Register.create(at: path, name: "P", kind: .provider, registerID: nil, logger: quietLogger)
            }
            #expect(message.contains("--register"))
            #expect(!FileManager.default.fileExists(atPath: path))
            let given = RegisterID()
            let org = try Register.create(
                at: dir.appendingPathComponent("o.db").path, name: "O", kind: .organization, registerID: given,
                logger: quietLogger)
            #expect(org.replica.registerID == given)
            let other = try Register.create(
                at: dir.appendingPathComponent("o2.db").path, name: "O2", kind: .organization, registerID: nil,
                logger: quietLogger)
            #expect(other.replica.registerID != given)
            #expect(other.replica.siteID != org.replica.siteID)
        }
    }

    @Test("create refuses an existing path and leaves it untouched")
    func createRefusesExisting() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("taken.db").path
            try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
            expectRegisterError(.alreadyExists) {
                _ = try Register.create(at: path, name: "X", kind: .organization, registerID: nil, logger: quietLogger)
            }
            #expect(FileManager.default.contents(atPath: path) == Data("precious".utf8))
        }
    }

    @Test("opening reopens name, kind and ids, and refuses what is not a register")
    func open() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("r.db").path
            let created = try Register.create(
                at: path, name: "Northwind Retail", kind: .organization, registerID: nil, logger: quietLogger)
            let reopened = try Register(path: path, logger: quietLogger)
            #expect(reopened.name == "Northwind Retail")
            #expect(reopened.kind == .organization)
            #expect(reopened.replica.siteID == created.replica.siteID)
            #expect(reopened.replica.registerID == created.replica.registerID)

            expectRegisterError(.notARegister) { _ = try Register(path: dir.path, logger: quietLogger) }
            expectRegisterError(.notARegister) {
                _ = try Register(path: dir.appendingPathComponent("missing.db").path, logger: quietLogger)
            }
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("missing.db").path))

            let text = dir.appendingPathComponent("notes.txt").path
            let bytes = Data(String(repeating: "not a database\n", count: 100).utf8)
            try bytes.write(to: URL(fileURLWithPath: text))
            let message = expectRegisterError(.notARegister) { _ = try Register(path: text, logger: quietLogger) }
            #expect(message.contains("not a SQLite database"))
            #expect(FileManager.default.contents(atPath: text) == bytes)

            let plain = dir.appendingPathComponent("plain.db").path
            do {
                let db = try Connection(path: plain)
                try db.execute("CREATE TABLE t(x)")
            }
            let before = FileManager.default.contents(atPath: plain)
            let plainMessage = expectRegisterError(.notARegister) { _ = try Register(path: plain, logger: quietLogger) }
            #expect(plainMessage.contains("not an SPI register"))
            #expect(FileManager.default.contents(atPath: plain) == before)
            try expectIntegrity(path)
        }
    }

    @Test("opening migrates an older register forward and refuses a newer one")
    func migratesForward() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("old.db").path
            // A replica whose register schema was never created: version 0.
            let replica = try Replica.create(at: path, registerID: RegisterID(), logger: quietLogger)
            try replica.setMetadata(Register.kindKey, .text("organization"))
            try replica.setMetadata(Register.nameKey, .text("Old"))
            let register = try Register(path: path, logger: quietLogger)
            let version = try register.read { try $0.db.scalar("PRAGMA user_version") }
            #expect(version == .integer(Int64(RegisterSchema.currentVersion)))
            #expect(try register.read { try $0.records("practice").count } == 34)
            try register.write { try $0.put("party", fields: ["code": "FAB", "name": "Fabrikam", "kind": "provider"]) }
            #expect(try !register.replica.knowledge().clocks.isEmpty)

            try register.replica.writeBaseline { db in
                try db.execute("PRAGMA user_version = \(RegisterSchema.currentVersion + 1)")
            }
            expectRegisterError(.unsupportedVersion) { _ = try Register(path: path, logger: quietLogger) }
            try expectIntegrity(path)
        }
    }

    @Test("a replica without a register kind is not a register")
    func replicaWithoutKind() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("bare.db").path
            _ = try Replica.create(at: path, registerID: RegisterID(), logger: quietLogger)
            expectRegisterError(.notARegister) { _ = try Register(path: path, logger: quietLogger) }
        }
    }

    @Test("today follows the injected clock")
    func today() throws {
        try withRegister(today: "2024-02-29") { register, _ in
            #expect(register.today == "2024-02-29")
        }
    }

    @Test(
        "the sync write gate never lets a merge skip it: an organization peer's relays are trusted, its own changes judged"
    )
    func gateJudgesEveryPeer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let register = try Register.create(
            at: directory.appendingPathComponent("org.db").path, name: "Org", kind: .organization, registerID: nil,
            logger: quietLogger)
        let registerID = register.replica.registerID
        let (orgPeer, fabPeer, stranger) = (SiteID(), SiteID(), SiteID())
        try register.replica.write { db in
            try db.execute(
                """
                INSERT INTO party(id, code, name, kind) VALUES ('p-org', 'ORG', 'Org', 'organization'),
                    ('p-fab', 'FAB', 'Fabrikam', 'provider');
                INSERT INTO party_peer(id, party_id, peer, site) VALUES ('b1', 'p-org', 'x', '\(orgPeer)'),
                    ('b2', 'p-fab', 'y', '\(fabPeer)');
                """)
        }
        _ = try register.replica.stamp()
        func gate(_ peer: SiteID) -> RegisterWriteGate {
            RegisterWriteGate(peerSite: peer, peerActor: .unbound, ownSite: registerID, registerID: registerID)
        }
        for peer in [orgPeer, fabPeer, stranger] { #expect(!gate(peer).allowsEverything) }
        #expect(!FileWriteGate(registerID: registerID).allowsEverything)
        let write = RowWrite(table: "practice", id: "p1", kind: .create, values: ["code": .text("X")], clock: 1)
        try register.replica.read { db in
            // A third site's change relayed by the organization's replica: trusted (it judged the change when it
            // arrived); relayed by a provider's or an unbound replica: judged by its origin (here unbound: refused).
            let third = SiteID()
            #expect(try gate(orgPeer).judge(write, origin: third, db) == .allow)
            if case .refuse = try gate(fabPeer).judge(write, origin: third, db) {
            } else {
                Issue.record("a provider's relay was trusted")
            }
            if case .refuse = try gate(stranger).judge(write, origin: third, db) {
            } else {
                Issue.record("an unbound relay was trusted")
            }
            // Coverage: the organization's replica vouches for every site; a provider or an unbound replica only for
            // its own (the receiver here has the organization's scope, which a provider does not hold).
            #expect(try gate(orgPeer).mayCover(third, db))
            #expect(try !gate(fabPeer).mayCover(third, db))
            #expect(try gate(fabPeer).mayCover(fabPeer, db))
            #expect(try !gate(stranger).mayCover(orgPeer, db))
            // Its own change made before its binding (clock 1) is refused: its site was bound to no party then.
            if case .refuse(let reason) = try gate(orgPeer).judge(write, origin: orgPeer, db) {
                #expect(reason.contains("not bound"))
            } else {
                Issue.record("an unbound site's own change was not refused")
            }
            // Made now (after the binding), it is allowed.
            var now = write
            now.clock = (UInt64(Date().timeIntervalSince1970 * 1000) + 1_000) << 16 // clearly after the binding
            #expect(try gate(orgPeer).judge(now, origin: orgPeer, db) == .allow)
        }
    }
}
