import Foundation
import Logging
import SPIRegister
import SPIReplication
import SPISQLite
import SPITransport
import Testing

/// Authorization by causal past, case by case: held changes, a replaced key, a delete and re-create, the held
/// store's bound. Sessions run in process with the register's access control on both sides (the transport is
/// covered by the end-to-end tests).
@Suite("causal authorization")
struct CausalAuthorizationTests {
    struct Node {
        let register: Register
        let peer: PeerID
    }

    func withRegister(_ body: (URL, Node) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-causal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let org = try node(directory, "org", kind: .organization, registerID: nil)
        try org.register.replica.write { db in
            try db.execute(
                """
                INSERT INTO party(id, code, name, kind) VALUES ('00000000-0000-4000-8000-00000000000a', 'ORG', 'Northwind', 'organization'),
                    ('00000000-0000-4000-8000-00000000000b', 'FAB', 'Fabrikam', 'provider'), ('00000000-0000-4000-8000-00000000000c', 'CON', 'Contoso', 'provider');
                INSERT INTO practice(id, code, name, category) VALUES ('pr-inc', 'INC', 'Incident', 'service');
                INSERT INTO interface(id, code, title, practice_id, provider_id) VALUES
                    ('i-fab', 'SPI-FAB', 'Fabrikam', 'pr-inc', '00000000-0000-4000-8000-00000000000b');
                INSERT INTO person(id, party_id, name) VALUES ('jane', '00000000-0000-4000-8000-00000000000a', 'Jane Doe');
                """)
        }
        try body(directory, org)
    }

    func node(_ directory: URL, _ name: String, kind: ReplicaKind, registerID: RegisterID?) throws -> Node {
        let register = try Register.create(
            at: directory.appendingPathComponent("\(name).db").path, name: name, kind: kind, registerID: registerID,
            logger: quietLogger)
        return Node(
            register: register,
            peer: try PeerIdentity.loadOrCreate(forReplicaAt: register.replica.path, logger: quietLogger).peerID)
    }

    @discardableResult
    func send(_ from: Node, _ to: Node) throws -> ApplyReport {
        let control = RegisterAccessControl()
        let outgoing = try control.access(for: to.peer, replica: from.register.replica)
        let incoming = try control.access(for: from.peer, replica: to.register.replica)
        var cursor = try from.register.replica.deltaCursor(
            for: try to.register.replica.knowledge(), scope: outgoing.scope)
        var report = ApplyReport()
        while let batch = try from.register.replica.nextBatch(&cursor, maxCells: 8) {
            report.add(try to.register.replica.apply(batch, gate: incoming.gate, from: "peer"))
        }
        return report
    }

    /// A second organization replica and Fabrikam's replica, both bound and synced with the organization.
    func boundPair(_ directory: URL, _ org: Node) throws -> (org2: Node, fab: Node) {
        let registerID = org.register.replica.registerID
        let org2 = try node(directory, "org2", kind: .organization, registerID: registerID)
        let fab = try node(directory, "fab", kind: .provider, registerID: registerID)
        try org.register.write { store in
            try PartyBinding.bind(party: "ORG", peer: org2.peer, store)
            try PartyBinding.bind(party: "FAB", peer: fab.peer, store)
        }
        try send(org, org2)
        try send(org, fab)
        return (org2, fab)
    }

    func description(_ node: Node) throws -> String? {
        try node.register.read { try $0.db.scalar("SELECT description FROM interface WHERE id = 'i-fab'")?.textValue }
    }

    @Test("a provider's edit reaching a second organization replica before its binding is held, then applied")
    func heldUntilBindingArrives() throws {
        try withRegister { directory, org in
            let registerID = org.register.replica.registerID
            let org2 = try node(directory, "org2", kind: .organization, registerID: registerID)
            let fab = try node(directory, "fab", kind: .provider, registerID: registerID)
            try org.register.write { try PartyBinding.bind(party: "ORG", peer: org2.peer, $0) }
            try send(org, org2)
            try org.register.write { try PartyBinding.bind(party: "FAB", peer: fab.peer, $0) }
            try send(org, fab)
            try fab.register.replica.write { db in
                try db.execute("UPDATE interface SET description = 'from Fabrikam' WHERE id = 'i-fab'")
            }
            // org2 has not seen Fabrikam's binding: the edit is held, not refused, and not claimed.
            let first = try send(fab, org2)
            #expect(first.refused == 0 && first.held == 1, "\(first)")
            #expect(try description(org2) == nil)
            #expect(try org2.register.replica.heldChanges().first?.reason.contains("bindings") == true)
            let fabSite = fab.peer.siteID
            #expect(try org2.register.replica.knowledge()[fabSite] < fab.register.replica.knowledge()[fabSite])
            // The binding alone is not enough: the authority has not seen Fabrikam's clock, so bindings it makes later
            // could still precede the edit. Once Fabrikam has synced with it, its knowledge of itself covers the
            // edit's clock, and the held edit applies.
            try send(fab, org)
            let second = try send(org, org2)
            #expect(second.heldApplied > 0, "\(second)")
            #expect(try description(org2) == "from Fabrikam")
            #expect(try org2.register.replica.heldChanges().isEmpty)
            #expect(try org2.register.replica.knowledge()[fabSite] == fab.register.replica.knowledge()[fabSite])
        }
    }

    @Test("a provider's permitted value survives its refused overwrite on every replica, whatever each one received")
    func refusedOverwriteKeepsPermittedValue() throws {
        try withRegister { directory, org in
            let registerID = org.register.replica.registerID
            let (org2, fab) = try boundPair(directory, org)
            try fab.register.replica.write { db in
                try db.execute("UPDATE interface SET description = 'permitted' WHERE id = 'i-fab'")
            }
            // The organization ends Fabrikam's binding after that edit. org2 learns of it, then gets the edit, made
            // while Fabrikam was bound: it applies.
            try org.register.write { try PartyBinding.unbind(peer: fab.peer, $0) }
            try send(org, org2)
            let first = try send(fab, org2)
            #expect(first.refused == 0 && first.held == 0, "\(first)")
            #expect(try description(org2) == "permitted")
            // Fabrikam, unaware, overwrites its value: refused everywhere. The organization never saw the permitted
            // value (Fabrikam keeps only its newest), and its knowledge now covers both clocks.
            try fab.register.replica.write { db in
                try db.execute("UPDATE interface SET description = 'after the unbinding' WHERE id = 'i-fab'")
            }
            let refused = try send(fab, org)
            #expect(refused.refused == 1, "\(refused)")
            #expect(try description(org) == nil)
            let wants = try org.register.replica.knowledge().wants
            #expect(wants.map(\.column) == ["description"])
            #expect(wants.first?.mark.site == fab.peer.siteID)
            // org2 answers the organization's want with the permitted value, below the organization's knowledge.
            #expect(try send(org2, org).applied == 1)
            #expect(try description(org) == "permitted")
            // org2 holds the overwrite until the organization's coverage shows the unbinding precedes it; then refuses it.
            #expect(try send(fab, org2).held == 1)
            #expect(try send(org, org2).heldRefused == 1)
            #expect(try description(org2) == "permitted")
            #expect(try org2.register.digest() == org.register.digest())
            // Nothing is answered twice: the want stays (nobody holds anything between), and costs nothing.
            #expect(try send(org2, org).applied == 0)
            // A third organization replica that first synced with Fabrikam while unbound (its knowledge covers
            // Fabrikam's clocks, for the rows an unbound replica sees) gets every row whole once it is bound.
            let org3 = try node(directory, "org3", kind: .organization, registerID: registerID)
            try org.register.write { try PartyBinding.bind(party: "ORG", peer: org3.peer, $0) }
            try send(fab, org3)
            try send(org, org3)
            #expect(try description(org3) == "permitted")
            #expect(try org3.register.digest() == org.register.digest())
            // A fresh replica cloned from the organization holds it at once, with the organization's mark: should a
            // version between the two turn up, both ask for it.
            let fresh = try node(directory, "fresh", kind: .organization, registerID: registerID)
            try org.register.write { try PartyBinding.bind(party: "ORG", peer: fresh.peer, $0) }
            try send(org, fresh)
            #expect(try fresh.register.digest() == org.register.digest())
            #expect(try fresh.register.replica.knowledge().wants == org.register.replica.knowledge().wants)
        }
    }

    @Test("a replica bound while offline vouches for no change it never received, and forgets what it claimed unbound")
    func boundWhileOfflineVouchesForNothing() throws {
        try withRegister { directory, org in
            let registerID = org.register.replica.registerID
            let org2 = try node(directory, "org2", kind: .organization, registerID: registerID)
            let org3 = try node(directory, "org3", kind: .organization, registerID: registerID)
            try org.register.write { try PartyBinding.bind(party: "ORG", peer: org2.peer, $0) }
            try send(org, org2)
            try org2.register.replica.write { db in
                try db.execute("UPDATE interface SET description = 'from org2' WHERE id = 'i-fab'")
            }
            // org3 is not bound yet: org2 sends it what an unbound replica sees, and covers its own site for that scope.
            try send(org2, org3)
            #expect(try description(org3) == nil)
            #expect(try org3.register.replica.knowledge()[org2.peer.siteID] > 0)
            // The organization binds org3, which has not heard of it yet, and gets a sync from it: org3, unbound by its
            // own bindings, holds only an unbound replica's rows, and covers no site but its own.
            try org.register.write { try PartyBinding.bind(party: "ORG", peer: org3.peer, $0) }
            let relayed = try send(org3, org)
            #expect(relayed.uncovered.isEmpty)
            #expect(try org.register.replica.knowledge()[org2.peer.siteID] == 0)
            // So org2's edit still reaches the organization.
            try send(org2, org)
            #expect(try description(org) == "from org2")
            // Once org3 gets its binding, its knowledge of other sites is forgotten, and it gets every row whole.
            try send(org, org3)
            #expect(try description(org3) == "from org2")
            #expect(try org3.register.digest() == org.register.digest())
        }
    }

    @Test("a provider's refused delete of a row it created while bound leaves the row on every replica")
    func refusedDeleteKeepsPermittedRow() throws {
        try withRegister { directory, org in
            let (org2, fab) = try boundPair(directory, org)
            try fab.register.replica.write { db in
                try db.execute(
                    "INSERT INTO person(id, party_id, name) VALUES ('pat', '00000000-0000-4000-8000-00000000000b', 'Pat')"
                )
            }
            try org.register.write { try PartyBinding.unbind(peer: fab.peer, $0) }
            try send(org, org2)
            #expect(try send(fab, org2).refused == 0)
            try fab.register.replica.write { db in try db.execute("DELETE FROM person WHERE id = 'pat'") }
            // The organization gets only the delete (the row's newest life at Fabrikam): refused whole.
            #expect(try send(fab, org).refused > 0)
            func pat(_ node: Node) throws -> String? {
                try node.register.read { try $0.db.scalar("SELECT name FROM person WHERE id = 'pat'")?.textValue }
            }
            #expect(try pat(org) == nil)
            #expect(try org.register.replica.knowledge().wants.map(\.column) == [nil])
            // org2 answers the row want with the whole row, created while Fabrikam was bound.
            try send(org2, org)
            #expect(try pat(org) == "Pat")
            #expect(try send(fab, org2).held == 1)
            #expect(try send(org, org2).heldRefused > 0)
            #expect(try pat(org2) == "Pat")
            #expect(try org2.register.digest() == org.register.digest())
        }
    }

    @Test(
        "the held store is bounded per origin: a batch that would exceed it is refused whole, and the replica goes on")
    func heldStoreBounded() throws {
        try withRegister { directory, org in
            let (org2, fab) = try boundPair(directory, org)
            try fab.register.replica.write { db in
                for n in 0..<12 {
                    try db.execute(
                        "INSERT INTO person(id, party_id, name) VALUES (?, '00000000-0000-4000-8000-00000000000b', ?)",
                        [.text("fab-\(n)"), .text("Person \(n)")])
                }
            }
            org2.register.replica.heldLimit = (changes: 5, bytes: 1 << 20)
            let before = try org2.register.digest()
            let error = #expect(throws: ReplicationError.self) { try send(fab, org2) }
            #expect(error?.code == .tooManyHeld)
            // The batches before the one that would exceed the bound stay held; that one held nothing.
            #expect(try org2.register.replica.heldChanges().count <= 5)
            #expect(try org2.register.digest() == before)
            // Once the authority has seen them, they are no longer held, and apply.
            try send(fab, org)
            try send(org, org2)
            #expect(
                try org2.register.read { try $0.db.scalar("SELECT count(*) FROM person WHERE id LIKE 'fab-%'") }
                    == .integer(12))
        }
    }

    @Test("a lost key: the party is bound to the replica's new peer; its new edits apply, its old ones stay valid")
    func replacedKey() throws {
        try withRegister { directory, org in
            let registerID = org.register.replica.registerID
            let old = try node(directory, "fab-old", kind: .provider, registerID: registerID)
            try org.register.write { try PartyBinding.bind(party: "FAB", peer: old.peer, $0) }
            try send(org, old)
            try old.register.replica.write { db in
                try db.execute(
                    "INSERT INTO raci_assignment(id, interface_id, activity_id, party_id, role) VALUES ('r-old', 'i-fab', 'a', '00000000-0000-4000-8000-00000000000b', 'R')"
                )
            }
            try send(old, org)
            // The key is lost: a new replica, a new peer id; the organization binds the party to it and ends the old
            // binding.
            let new = try node(directory, "fab-new", kind: .provider, registerID: registerID)
            try org.register.write { store in
                try PartyBinding.bind(party: "FAB", peer: new.peer, store)
                try PartyBinding.unbind(peer: old.peer, store)
            }
            try send(org, new)
            try new.register.replica.write { db in
                try db.execute("UPDATE interface SET description = 'after the new key' WHERE id = 'i-fab'")
            }
            let report = try send(new, org)
            #expect(report.refused == 0, "\(report.refusals)")
            #expect(try description(org) == "after the new key")
            // The old replica's edit is still there, and a fresh replica judging everything again accepts it too.
            let fresh = try node(directory, "fresh", kind: .organization, registerID: registerID)
            try org.register.write { try PartyBinding.bind(party: "ORG", peer: fresh.peer, $0) }
            let path = directory.appendingPathComponent("all.changes").path
            try org.register.replica.exportChanges(
                to: path, scope: try org.register.fileScope(receiver: nil, party: nil, all: true).scope)
            let applied = try fresh.register.replica.applyChanges(
                from: path, gate: FileWriteGate(registerID: registerID, ownSite: fresh.register.replica.siteID))
            #expect(applied.refused == 0, "\(applied.refusals)")
            #expect(try fresh.register.digest() == org.register.digest())
            // And the old replica may no longer write.
            try old.register.replica.write { db in
                try db.execute("UPDATE interface SET description = 'from the lost key' WHERE id = 'i-fab'")
            }
            try send(org, old)
            let late = try send(old, org)
            #expect(late.refused > 0)
            #expect(try description(org) == "after the new key")
        }
    }

    @Test("a delete and re-create of another party's row is judged as a change to the row that existed")
    func recreateJudgedAgainstExistingRow() throws {
        try withRegister { directory, org in
            let fab = try node(directory, "fab", kind: .provider, registerID: org.register.replica.registerID)
            try org.register.write { try PartyBinding.bind(party: "FAB", peer: fab.peer, $0) }
            try send(org, fab)
            // In the shell: delete the organization's person and insert a row with the same id under Fabrikam.
            try fab.register.replica.write { db in
                try db.execute("DELETE FROM person WHERE id = 'jane'")
                try db.execute(
                    "INSERT INTO person(id, party_id, name) VALUES ('jane', '00000000-0000-4000-8000-00000000000b', 'Jane, now at Fabrikam')"
                )
            }
            let report = try send(fab, org)
            #expect(report.refused > 0)
            let party = try org.register.read {
                try $0.db.scalar("SELECT party_id FROM person WHERE id = 'jane'")?.textValue
            }
            #expect(party == "00000000-0000-4000-8000-00000000000a")
        }
    }

    @Test("binding rows from any site but the authority are refused, even from a replica acting for the organization")
    func onlyTheAuthorityBinds() throws {
        try withRegister { directory, org in
            let org2 = try node(directory, "org2", kind: .organization, registerID: org.register.replica.registerID)
            try org.register.write { try PartyBinding.bind(party: "ORG", peer: org2.peer, $0) }
            try send(org, org2)
            try org2.register.replica.write { db in
                try db.execute(
                    "INSERT INTO party_peer(id, party_id, peer, site) VALUES ('b-x', '00000000-0000-4000-8000-00000000000b', 'x', ?)",
                    [.text(SiteID().description)])
            }
            let report = try send(org2, org)
            #expect(
                report.refusals.contains { $0.table == "party_peer" && $0.reason.contains("authority") },
                "\(report.refusals)")
        }
    }
}
