import Crypto
import Foundation
import Logging
import SPIRegister
@testable import SPIReplication
import SPISQLite
import SPITestSupport
import SPITransport
import SwiftProtobuf
import Testing

/// Seeded, property-based runs of authorization by causal past: an organization with a second organization replica
/// and two providers, where bindings, rebindings and unbindings race with the providers' edits, and changes travel
/// in every order: in-process sessions between any two replicas (cut after a random number of batches), change-set
/// files applied late, twice, out of order or by a replica they were not made for, relays through any replica
/// (providers pass on the organization's and each other's changes, each with its origin's signature), and forged
/// files and origin proofs, and providers' replicas rotating their keys (a new site, bound again later). Then, after a
/// final star sync:
///
/// - both organization replicas hold the same register (equal digests), whatever order they received things in;
/// - nothing is left held, and every provider holds exactly the organization's view of its current scope;
/// - no provider ever stored a row outside its scope;
/// - no replica ever applied a forged change;
/// - a fresh replica cloned from the full change set of either organization replica equals its source, and one cloned
///   from a provider's (a new replica of that provider) holds what the organization holds of the party's view
///   (its source differs only by its own edits that the organization refused), with nothing held.
///
/// SPIs are not reassigned concurrently with their providers' edits here: rules that depend on who owns a row are
/// judged on the receiver's current state (docs/permissions.md, "Limits"). Replay a failure:
/// `SPI_SEED=<seed> SPI_TRUST_SCENARIOS=1 swift test --filter TrustConvergence`.
@Suite("trust convergence properties")
struct TrustConvergencePropertyTests {
    static let baseSeed: UInt64 =
        ProcessInfo.processInfo.environment["SPI_SEED"].flatMap { UInt64($0) } ?? 0x7_2026_1206
    static let scenarios: Int = ProcessInfo.processInfo.environment["SPI_TRUST_SCENARIOS"].flatMap { Int($0) } ?? 1_000
    static let chunks = 8

    /// 1,000 scenarios by default, in eight chunks that run in parallel; `SPI_TRUST_SCENARIOS` and `SPI_SEED` change
    /// the count and the first seed.
    @Test(
        "bindings racing edits, files in any order and relays converge",
        arguments: 0..<chunks)
    func randomScenarios(chunk: Int) throws {
        for n in stride(from: chunk, to: Self.scenarios, by: Self.chunks) {
            let seed = Self.baseSeed &+ UInt64(n)
            do {
                var scenario = TrustScenario(seed: seed)
                try scenario.run()
            } catch {
                Issue.record(
                    "scenario with seed \(seed) failed: \(error) — rerun with SPI_SEED=\(seed) SPI_TRUST_SCENARIOS=1")
                return
            }
        }
    }

    /// Seeds outside the default range that once made replicas diverge, kept as regressions: 99017828 (a provider's
    /// replica rotated its key twice before the organization bound it), 99020498 (an organization replica refused a
    /// provider's create and delete of a row, then served a newly bound organization replica through the scoped
    /// delta, which left out the refusal mark of the row it did not hold: protocol/changes.md §8.2).
    @Test("seeds that once diverged", arguments: [UInt64(99_017_828), 99_020_498])
    func regressions(seed: UInt64) throws {
        var scenario = TrustScenario(seed: seed)
        try scenario.run()
    }
}

/// One generated scenario of ``TrustConvergencePropertyTests``.
struct TrustScenario {
    struct Violation: Error, CustomStringConvertible {
        var description: String
    }

    struct Node {
        let name: String
        let register: Register
        let peer: PeerID
        let signer: ChangeSetSigner
        /// The sites its bindings name as the ones they replace after a key rotation (`spi key rotate` prints them).
        var previous: [SiteID] = []
    }

    let seed: UInt64
    var rng: SplitMix64
    var directory: URL!
    var files: [(from: Int, path: String)] = []
    var fileCount = 0
    var lastAction = ""
    var forgedFiles: Set<String> = []
    /// Every (table/id) ever in each provider's scope on the authority.
    var everVisible: [String: Set<String>] = [:]

    init(seed: UInt64) {
        self.seed = seed
        self.rng = SplitMix64(seed: seed)
    }

    static let providers = ["FAB", "CON"]

    mutating func run() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let org = try makeNode("org", kind: .organization, registerID: nil)
        let registerID = org.register.replica.registerID
        let org2 = try makeNode("org2", kind: .organization, registerID: registerID)
        let fab = try makeNode("FAB", kind: .provider, registerID: registerID)
        let con = try makeNode("CON", kind: .provider, registerID: registerID)
        // A third organization replica, bound (or unbound again) at a random moment: before that it syncs as an
        // unbound replica, and its knowledge covers clocks for the rows an unbound replica sees.
        let org3 = try makeNode("org3", kind: .organization, registerID: registerID)
        var nodes = [org, org2, fab, con, org3]
        try org.register.replica.write { db in
            try db.execute(
                """
                INSERT INTO party(id, code, name, kind) VALUES ('p-org', 'ORG', 'Northwind', 'organization'),
                    ('p-fab', 'FAB', 'Fabrikam', 'provider'), ('p-con', 'CON', 'Contoso', 'provider');
                INSERT INTO practice(id, code, name, category) VALUES ('pr-inc', 'INC', 'Incident', 'service');
                INSERT INTO interface(id, code, title, practice_id, provider_id) VALUES
                    ('i-fab1', 'SPI-FAB-1', 'Fabrikam one', 'pr-inc', 'p-fab'),
                    ('i-fab2', 'SPI-FAB-2', 'Fabrikam two', 'pr-inc', 'p-fab'),
                    ('i-con1', 'SPI-CON-1', 'Contoso one', 'pr-inc', 'p-con');
                """)
        }
        // The second organization replica is bound from the start; the providers at random moments.
        try bind(org, org2, party: "p-org")
        let steps = Int.random(in: 20...45, using: &rng)
        for _ in 0..<steps {
            let roll = Int.random(in: 0..<100, using: &rng)
            switch roll {
            case 0..<12:
                let by = nodes[[0, 1, 4][Int.random(in: 0...2, using: &rng)]]
                if try actsForOrganization(by) {
                    try organizationEdit(by)
                    lastAction = "organization edit by \(by.name)"
                }
            case 12..<22:
                // Bind, rebind or unbind a provider's replica or the third organization replica (only the authority
                // binds).
                let provider = nodes[Int.random(in: 2...4, using: &rng)]
                let own = provider.name == "org3" ? "p-org" : "p-\(provider.name.lowercased())"
                let party = Int.random(in: 0..<4, using: &rng) < 3 ? own : ""
                try bind(org, provider, party: party)
                lastAction = "bind \(provider.name) to '\(party)'"
            case 22..<48:
                let editor = nodes[Int.random(in: 2...3, using: &rng)]
                try providerEdit(editor)
                lastAction = "edit by \(editor.name)"
            case 48..<72:
                let a = Int.random(in: 0..<nodes.count, using: &rng)
                var b = Int.random(in: 0..<nodes.count, using: &rng)
                if a == b { b = (b + 1) % nodes.count }
                let cut = Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 0...2, using: &rng) : nil
                try send(from: nodes[a], to: nodes[b], cutAfter: cut)
                lastAction = "session \(nodes[a].name) -> \(nodes[b].name) cut \(String(describing: cut))"
            case 72..<83:
                try exportFile(nodes)
            case 83..<86:
                try forgeFile(nodes)
            case 86..<88:
                // A provider's replica takes a new key (a planned rotation: the old key signs its last changes). Its
                // new site speaks for no party until the authority binds it, at a random later step.
                let index = Int.random(in: 2...3, using: &rng)
                nodes[index] = try rotate(nodes[index])
                lastAction = "rotate \(nodes[index].name)"
            default:
                try applySomeFile(nodes)
            }
            try recordVisibility(nodes)
            try checkNoLeak(nodes)
            try checkNoForgery(nodes)
            try debugStep(nodes, roll: roll)
        }
        // The organization settles the bindings: each provider ends bound to its own party.
        for provider in nodes[2...3] { try bind(org, provider, party: "p-\(provider.name.lowercased())") }
        try bind(org, org3, party: "p-org")
        lastAction = "final bindings"
        try debugStep(nodes, roll: -1)
        // Quiet down: star syncs through the authority until nothing moves.
        for round in 0..<3 {
            for node in nodes.dropFirst() {
                try send(from: node, to: org, cutAfter: nil)
                lastAction = "final round \(round): \(node.name) -> org"
                try debugStep(nodes, roll: -1)
                try recordVisibility(nodes)
                try checkNoLeak(nodes)
                try send(from: org, to: node, cutAfter: nil)
                lastAction = "final round \(round): org -> \(node.name)"
                try debugStep(nodes, roll: -1)
                try recordVisibility(nodes)
                try checkNoLeak(nodes)
            }
        }
        try recordVisibility(nodes)
        try checkNoLeak(nodes)
        try checkConverged(nodes)
        try checkFreshClone(from: org, org: org, registerID: registerID)
        try checkFreshClone(from: org2, org: org, registerID: registerID)
        try checkFreshClone(from: org3, org: org, registerID: registerID)
        try checkFreshClone(from: nodes[2], org: org, registerID: registerID, party: "p-\(nodes[2].name.lowercased())")
    }

    /// With `SPI_TRUST_DEBUG=1`, prints a line per step (and with `SPI_TRUST_TRACE=<table>`, that table's rows and
    /// clocks on every replica).
    func debugStep(_ nodes: [Node], roll: Int) throws {
        let fab = nodes[2]
        if ProcessInfo.processInfo.environment["SPI_TRUST_DEBUG"] == "1" {
            let counts = try nodes.map { node in
                try node.register.read { try $0.db.scalar("SELECT count(*) FROM interface")?.integerValue ?? 0 }
            }
            let raci = try nodes.map { node in
                try node.register.read {
                    try $0.db.scalar("SELECT count(*) FROM raci_assignment WHERE party_id = 'p-fab'")?.integerValue ?? 0
                }
            }
            let k = try nodes.map { try $0.register.replica.knowledge()[fab.register.replica.siteID] % 100000 }
            print(
                "step roll \(roll): interfaces \(counts) fab-raci \(raci) k(fab) \(k) last \(lastAction) held \(try nodes.map { try $0.register.replica.heldChanges().count })"
            )
            if let trace = ProcessInfo.processInfo.environment["SPI_TRUST_TRACE"] {
                for node in nodes {
                    let rows = try node.register.read {
                        try $0.db.rows(
                            """
                            SELECT CASE WHEN typeof(r.id) = 'text' THEN r.id ELSE substr(hex(r.id), 25) END, r.cl, r.hlc % 10000000, r.site,
                                CASE WHEN t.name = 'interface' THEN (SELECT coalesce(description, 'NULL') || '/' || coalesce(version, 'NULL') FROM interface a WHERE a.id = r.id)
                                ELSE (SELECT coalesce(role_title, 'NULL') FROM raci_assignment a WHERE upper(replace(a.id, '-', '')) = hex(r.id)) END,
                                (SELECT group_concat(c.col || ':' || (c.hlc % 10000000) || ':' || c.site, ' ') FROM _spi_clock c WHERE c.tbl = r.tbl AND c.id = r.id)
                            FROM _spi_row r JOIN _spi_table t ON t.idx = r.tbl WHERE t.name = ?
                            """, [.text(trace)]
                        ).map { "\($0)" }.joined(separator: " | ")
                    }
                    let k = try node.register.replica.knowledge().clocks.map {
                        "\($0.key.description.prefix(4))=\($0.value % 10000000)"
                    }.sorted()
                    print("  \(node.name) \(node.peer.siteID.description.prefix(4)) k\(k): \(rows)")
                    for held in try node.register.replica.heldChanges() where held.table == trace {
                        print(
                            "    held \(held.id.suffix(8)) by \(held.peer ?? "?") at \(held.clock % 10000000): \(held.reason)"
                        )
                    }
                }
            }
        }
    }

    /// Rotates a replica's key as `spi key rotate` does, and opens it again with its new site.
    func rotate(_ node: Node) throws -> Node {
        let path = node.register.replica.path
        // The sites its binding will name, as `spi key rotate` prints them: more than one when it rotated again
        // before the authority bound it.
        let replaced = try node.register.read { store in
            try PartyBinding.sitesToReplace(
                last: node.register.replica.siteID, earlier: node.register.replica.previousSiteIDs, store)
        }
        let (rotation, identity) = try Replica.rotateKey(ofReplicaAt: path, from: node.signer, logger: quietLogger)
        guard rotation.reattributed == 0, rotation.signedWithOldKey, identity.peerID.siteID == rotation.site else {
            throw Violation(description: "seed \(seed): the rotation of \(node.name) lost changes: \(rotation)")
        }
        let register = try Register(path: path, logger: quietLogger)
        guard register.replica.siteID == rotation.site, register.replica.signer?.site == rotation.site else {
            throw Violation(description: "seed \(seed): \(node.name) did not reopen with its new site and key")
        }
        return Node(
            name: node.name, register: register, peer: identity.peerID, signer: try identity.changeSetSigner(),
            previous: replaced)
    }

    func makeNode(_ name: String, kind: ReplicaKind, registerID: RegisterID?) throws -> Node {
        let register = try Register.create(
            at: directory.appendingPathComponent("\(name).db").path, name: name, kind: kind, registerID: registerID,
            logger: quietLogger)
        let identity = try PeerIdentity.loadOrCreate(forReplicaAt: register.replica.path, logger: quietLogger)
        return Node(name: name, register: register, peer: identity.peerID, signer: try identity.changeSetSigner())
    }

    /// Whether the replica sees itself as acting for the organization, as `spi`'s local check requires before an
    /// organization edit (a second organization replica does once its binding has reached it).
    func actsForOrganization(_ node: Node) throws -> Bool {
        let replica = node.register.replica
        return try replica.read { db in
            try AccessRules.actor(of: replica.siteID, registerID: replica.registerID, db).isOrganization
        }
    }

    /// Appends a binding row (an empty party unbinds), as `spi party bind` does, on an organization replica; a
    /// rotated replica's binding names the site it replaces, as `spi key rotate` tells the organization to.
    func bind(_ by: Node, _ node: Node, party: String) throws {
        try by.register.replica.write { db in
            try db.execute(
                "INSERT INTO party_peer(id, party_id, peer, site, replaces) VALUES (?, ?, ?, ?, ?)",
                [
                    .text(RecordID.v7()), party.isEmpty ? .null : .text(party), .text(node.peer.description),
                    .text(node.peer.siteID.description),
                    node.previous.isEmpty ? .null : .text(node.previous.map(\.description).joined(separator: " ")),
                ])
        }
    }

    mutating func organizationEdit(_ node: Node) throws {
        let n = Int.random(in: 0..<1_000_000, using: &rng)
        let spi = ["i-fab1", "i-fab2", "i-con1"][Int.random(in: 0..<3, using: &rng)]
        let kind = Int.random(in: 0..<3, using: &rng)
        try node.register.replica.write { db in
            switch kind {
            case 0:
                try db.execute("UPDATE interface SET description = ? WHERE id = ?", [.text("org \(n)"), .text(spi)])
            case 1:
                try db.execute(
                    "INSERT INTO raci_assignment(id, interface_id, activity_id, party_id, role) VALUES (?, ?, 'a', 'p-org', 'C')",
                    [.text(RecordID.v7()), .text(spi)])
            default:
                try db.execute("UPDATE interface SET version = ? WHERE id = ?", [.text("1.\(n % 10)"), .text(spi)])
            }
        }
    }

    /// A provider's edit, made as the `sqlite3` shell would (no local check): it is judged on arrival, by the
    /// binding its site had when it made it.
    mutating func providerEdit(_ node: Node) throws {
        let n = Int.random(in: 0..<1_000_000, using: &rng)
        let own = node.name == "FAB" ? ["i-fab1", "i-fab2"] : ["i-con1"]
        let spi = own[Int.random(in: 0..<own.count, using: &rng)]
        let kind = Int.random(in: 0..<5, using: &rng)
        try node.register.replica.write { db in
            // Before its first exchange a provider's replica holds no SPI to edit.
            guard try db.scalar("SELECT 1 FROM interface WHERE id = ?", [.text(spi)]) != nil else { return }
            switch kind {
            case 0:
                try db.execute(
                    "UPDATE interface SET description = ? WHERE id = ?", [.text("\(node.name) \(n)"), .text(spi)])
            case 1:
                try db.execute(
                    "INSERT INTO raci_assignment(id, interface_id, activity_id, party_id, role, role_title) VALUES (?, ?, 'a', ?, 'R', ?)",
                    [.text(RecordID.v7()), .text(spi), .text("p-\(node.name.lowercased())"), .text("title \(n)")])
            case 2:
                if let raci = try db.scalar(
                    "SELECT id FROM raci_assignment WHERE interface_id = ? ORDER BY id LIMIT 1", [.text(spi)])?
                    .textValue
                {
                    try db.execute(
                        "UPDATE raci_assignment SET role_title = ? WHERE id = ?", [.text("t \(n)"), .text(raci)])
                }
            case 3:
                try db.execute(
                    "INSERT INTO person(id, party_id, name) VALUES (?, ?, ?)",
                    [.text(RecordID.v7()), .text("p-\(node.name.lowercased())"), .text("\(node.name) person \(n)")])
            default:
                // Delete one of the SPI's RACI rows or one of the party's people (a delete refused, when the site was
                // unbound, leaves the row on every other replica).
                if n % 2 == 0 {
                    try db.execute(
                        "DELETE FROM raci_assignment WHERE id = (SELECT id FROM raci_assignment WHERE interface_id = ? ORDER BY id DESC LIMIT 1)",
                        [.text(spi)])
                } else {
                    try db.execute(
                        "DELETE FROM person WHERE id = (SELECT id FROM person WHERE party_id = ? ORDER BY id LIMIT 1)",
                        [.text("p-\(node.name.lowercased())")])
                }
            }
        }
    }

    // MARK: - Exchanges

    /// A session's one direction in process, with the register's access control on both sides, cut after
    /// `cutAfter` batches when given.
    func send(from sender: Node, to receiver: Node, cutAfter: Int?) throws {
        let control = RegisterAccessControl()
        let outgoing = try control.access(for: receiver.peer, replica: sender.register.replica)
        let incoming = try control.access(for: sender.peer, replica: receiver.register.replica)
        let knowledge = try receiver.register.replica.knowledge()
        let full = try sender.register.replica.fullScopeBatches(for: knowledge, scope: outgoing.scope, maxCells: 16)
        // Both ways of listing the rows that may travel: looked up one by one, or one pass over each table.
        // (Chosen by the peer's knowledge, which varies from session to session: `send` draws nothing from `rng`.)
        let lookups = knowledge.clocks.values.reduce(UInt64(0), &+) % 2 == 0
        sender.register.replica.setScopeLookupLimit(lookups ? 2_000 : 0)
        var cursor = try sender.register.replica.deltaCursor(for: knowledge, scope: outgoing.scope)
        var sent = 0
        while let batch = try sender.register.replica.nextBatch(&cursor, maxCells: 16) {
            try IncrementalScopeMismatch.check(batch.message, index: sent, against: full)
            if let cutAfter, sent >= cutAfter { return }
            try receiver.register.replica.apply(batch, gate: incoming.gate, from: sender.name)
            sent += 1
        }
        if sent != full.count { throw IncrementalScopeMismatch(batch: sent, incremental: 0, full: full.count) }
    }

    /// A change-set file from a random replica, against a random replica's knowledge (often not the one that will
    /// apply it), scoped as `spi changes export` scopes it.
    mutating func exportFile(_ nodes: [Node]) throws {
        let from = Int.random(in: 0..<nodes.count, using: &rng)
        let target = Int.random(in: 0..<nodes.count, using: &rng)
        let sender = nodes[from].register
        let knowledge =
            Int.random(in: 0..<3, using: &rng) == 0 ? Knowledge() : try nodes[target].register.replica.knowledge()
        let scope = try sender.fileScope(receiver: nodes[target].peer.siteID, party: nil, all: false).scope
        fileCount += 1
        let path = directory.appendingPathComponent("f\(fileCount).changes").path
        try sender.replica.exportChanges(
            since: knowledge, to: path, maxCells: 16, scope: scope, signer: nodes[from].signer)
        files.append((from, path))
        lastAction = "export f\(fileCount) from \(nodes[from].name) for \(nodes[target].name)"
    }

    /// Applies a random earlier file (perhaps again, perhaps on a replica it was not made for).
    mutating func applySomeFile(_ nodes: [Node]) throws {
        guard !files.isEmpty else { return }
        let file = files[Int.random(in: 0..<files.count, using: &rng)]
        var to = Int.random(in: 0..<nodes.count, using: &rng)
        if to == file.from { to = (to + 1) % nodes.count }
        let report: ApplyReport
        do {
            report = try nodes[to].register.applySignedChanges(from: file.path)
        } catch let error as ReplicationError where error.code == .badSignature || error.code == .malformed {
            // A forged file fails its signature; one with a flipped byte usually fails a frame's checksum first.
            guard forgedFiles.contains(file.path) else { throw error }
            lastAction = "forged \(file.path) refused at \(nodes[to].name)"
            return
        }
        lastAction =
            "apply \(file.path.split(separator: "/").last!) at \(nodes[to].name): \(report.applied) applied, uncovered \(report.uncovered.count)"
    }

    /// A provider forges a file that claims changes of the organization: either signed with its own key and naming
    /// itself as the writer (the change carries no origin proof), or naming the organization as the writer with its
    /// own key (a signature that does not match), or a real file of the organization's with one byte changed, or a
    /// real delta of its own whose organization change it rewrote (the origin proof no longer matches).
    mutating func forgeFile(_ nodes: [Node]) throws {
        let forger = nodes[Int.random(in: 2...3, using: &rng)]
        let org = nodes[0]
        let registerID = org.register.replica.registerID
        let kind = Int.random(in: 0..<4, using: &rng)
        fileCount += 1
        let path = directory.appendingPathComponent("forged\(fileCount).changes").path
        if kind == 3 {
            // A real delta of the forger's, with the organization's proofs, where one of the organization's interface
            // descriptions is rewritten, in a file the forger signs as itself: the file's signature is valid, the
            // change's origin proof is not.
            var cursor = try forger.register.replica.deltaCursor(for: Knowledge())
            var altered: Spi_V1_ChangeBatch?
            while altered == nil, var batch = try forger.register.replica.nextBatch(&cursor, maxCells: 64)?.message {
                let organization = UInt32((batch.sites.firstIndex(of: Data(registerID.bytes)) ?? -1) + 1)
                search: for r in batch.rows.indices where batch.tables[Int(batch.rows[r].table)].name == "interface" {
                    let columns = batch.tables[Int(batch.rows[r].table)].columns
                    for c in batch.rows[r].cells.indices
                    where columns[Int(batch.rows[r].cells[c].column)] == "description" {
                        let site = batch.rows[r].cells[c].site != 0 ? batch.rows[r].cells[c].site : batch.rows[r].site
                        guard site == organization else { continue }
                        batch.rows[r].cells[c].text = "FORGED by \(forger.name)"
                        altered = batch
                        break search
                    }
                }
            }
            guard let altered else { return }
            try writeForgedFile(path, batch: altered, writer: forger, registerID: registerID)
        } else if kind == 2 {
            // Flip a byte of a real file of the organization's (inside a batch), keeping the frames' checksums valid
            // is beyond the forger: the file then fails its checksum or its signature.
            guard let real = files.first(where: { $0.from == 0 }) else { return }
            var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: real.path)))
            guard bytes.count > 40 else { return }
            bytes[bytes.count / 2] ^= 0x5A
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } else {
            var batch = Spi_V1_ChangeBatch()
            batch.sites = [Data(registerID.bytes)]
            var table = Spi_V1_TableColumns()
            table.name = "interface"
            table.columns = ["status", "description"]
            batch.tables = [table]
            var row = Spi_V1_RowChange()
            row.table = 0
            row.text = "i-fab1"
            row.cl = 1
            row.hlc = (UInt64(Date().timeIntervalSince1970 * 1000) << 16) + 7
            row.site = 1
            var status = Spi_V1_CellChange()
            status.column = 0
            status.text = "approved"
            var description = Spi_V1_CellChange()
            description.column = 1
            description.text = "FORGED by \(forger.name)"
            row.cells = [status, description]
            batch.rows = [row]
            var coverage = Spi_V1_Coverage()
            coverage.site = Data(registerID.bytes)
            coverage.hlc = row.hlc
            batch.covers = [coverage]
            try writeForgedFile(
                path, batch: batch, writer: forger, registerID: registerID, claim: kind == 0 ? nil : registerID)
        }
        files.append((Int.random(in: 2...3, using: &rng), path))
        forgedFiles.insert(path)
    }

    /// Writes a one-batch change-set file signed with `writer`'s key, naming `claim` as its writer (default: the
    /// writer itself).
    func writeForgedFile(
        _ path: String, batch: Spi_V1_ChangeBatch, writer: Node, registerID: RegisterID, claim: SiteID? = nil
    ) throws {
        var header = Spi_V1_ChangeSetHeader()
        header.formatVersion = ChangeSetFile.formatVersion
        header.registerID = Data(registerID.bytes)
        header.senderSite = Data((claim ?? writer.peer.siteID).bytes)
        var frames: [Spi_V1_ChangeSetFrame] = []
        var frame = Spi_V1_ChangeSetFrame()
        frame.header = header
        frames.append(frame)
        frame.batch = batch
        frames.append(frame)
        var digests: [[UInt8]] = []
        var bytes = ChangeSetFile.changeSetMagic
        for frame in frames {
            let payload: [UInt8] = try frame.serializedBytes()
            digests.append(Array(SHA256Digest.of(payload)))
            bytes += ChangeSetFile.frame(payload)
        }
        let cells = UInt64(batch.rows.reduce(0) { $0 + $1.cells.count })
        var trailer = Spi_V1_ChangeSetTrailer()
        trailer.batches = 1
        trailer.rows = UInt64(batch.rows.count)
        trailer.cells = cells
        trailer.signerKey = Data(writer.signer.publicKeyDER)
        trailer.signature = Data(
            try writer.signer.sign(
                ChangeSetSigner.changeSetMessage(
                    frameDigests: digests, batches: 1, rows: trailer.rows, cells: cells)))
        frame.trailer = trailer
        bytes += ChangeSetFile.frame(try frame.serializedBytes())
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// No replica ever holds what a forged file claimed.
    func checkNoForgery(_ nodes: [Node]) throws {
        for node in nodes {
            let forged = try node.register.read {
                try $0.db.scalar(
                    "SELECT count(*) FROM interface WHERE description LIKE 'FORGED%' OR status = 'approved'")
            }
            if forged != .integer(0) { throw Violation(description: "\(node.name) applied a forged change") }
        }
    }

    // MARK: - Properties

    /// Per provider, per table, the SQL of the rows its party may see (computed once: the rules are constants).
    static let viewQueries: [String: [String: String]] = Dictionary(
        uniqueKeysWithValues: providers.map { code in
            let rules = AccessRules.visibility(for: .party("p-\(code.lowercased())")) ?? [:]
            return (code, rules.mapValues { "SELECT DISTINCT id FROM (\(AccessRules.withoutEntry($0)))" })
        })

    func view(_ org: Register, _ code: String) throws -> [String: Set<String>] {
        let queries = Self.viewQueries[code] ?? [:]
        return try org.read { store in
            var result: [String: Set<String>] = [:]
            for (table, query) in queries {
                let ids = try store.db.rows(query)
                result[table] = Set(ids.compactMap { $0[0].textValue })
            }
            return result
        }
    }

    /// Records what each provider may see, by every organization replica's view (the second and third ones may relay
    /// rows the authority does not have yet).
    mutating func recordVisibility(_ nodes: [Node]) throws {
        for node in nodes[2...3] {
            for organization in [nodes[0], nodes[1], nodes[4]] {
                for (table, ids) in try view(organization.register, node.name) {
                    everVisible[node.name, default: []].formUnion(ids.map { "\(table)/\($0)" })
                }
            }
        }
    }

    /// A provider holds no scoped row that was never in its scope, except rows it made itself.
    func checkNoLeak(_ nodes: [Node]) throws {
        let party = ["FAB": "p-fab", "CON": "p-con"]
        for node in nodes[2...3] {
            for table in ["interface", "raci_assignment", "person"] {
                let rows = try node.register.read { store in
                    try store.db.rows(
                        "SELECT id FROM \(table) WHERE \(table == "interface" ? "provider_id" : table == "person" ? "party_id" : "party_id") IS NOT ?",
                        [.text(party[node.name]!)])
                }
                for row in rows {
                    let id = row[0].textValue ?? ""
                    if !(everVisible[node.name]?.contains("\(table)/\(id)") ?? false) {
                        let row = try node.register.read { try AccessRules.row(table, id, $0.db) }
                        throw Violation(
                            description: "\(node.name) holds \(table) \(id), which was never in its scope: "
                                + "\(String(describing: row)) (last: \(lastAction))")
                    }
                }
            }
        }
    }

    func checkConverged(_ nodes: [Node]) throws {
        for node in nodes {
            let ok = try node.register.read { try $0.db.scalar("PRAGMA integrity_check") }
            if ok != .text("ok") {
                throw Violation(description: "\(node.name): integrity_check \(String(describing: ok))")
            }
            let held = try node.register.replica.heldChanges()
            if !held.isEmpty {
                let sites = try node.register.read {
                    try $0.db.rows("SELECT site FROM party_peer").map { $0[0].textValue ?? "" }
                }
                throw Violation(
                    description:
                        "\(node.name) still holds \(held.count) changes: \(held.prefix(3).map { "\($0.origin)@\($0.clock) \($0.reason)" }); knowledge \(try node.register.replica.knowledge()); bound \(Set(sites)); nodes \(nodes.map { "\($0.name) \($0.peer.siteID)" })"
                )
            }
        }
        let org = nodes[0].register
        let a = try org.digest()
        for other in [nodes[1], nodes[4]] where try other.register.digest() != a {
            // The third organization replica may have edited while it was unbound: it keeps its own edits that the
            // others refused (as a provider does), and holds everything else as the authority does.
            let ownRefused = try Set(
                nodes[0...1].flatMap { node in
                    try node.register.replica.refusalLog(limit: 1_000_000)
                        .filter { $0.refusal.origin == other.peer.siteID }.map { "\"id\":\"\($0.refusal.id)\"" }
                })
            func comparable(_ text: String) -> Set<String> {
                // Rows one per line; brackets and trailing commas depend on which rows a table has, so they go.
                Set(
                    text.split(separator: "\n").compactMap { line -> String? in
                        let trimmed = line.trimmingCharacters(in: .whitespaces)
                        if trimmed.hasSuffix("[") || trimmed.hasSuffix("[],") || trimmed.hasSuffix("[]")
                            || trimmed.hasPrefix("]")
                        {
                            return nil
                        }
                        if ownRefused.contains(where: { line.contains($0) }) { return nil }
                        return trimmed.hasSuffix(",") ? String(trimmed.dropLast()) : trimmed
                    })
            }
            if !ownRefused.isEmpty,
                comparable(try org.exportCanonicalText()) == comparable(try other.register.exportCanonicalText())
            {
                continue
            }
            let log = try [nodes[0], other].map { node in
                try node.register.replica.refusalLog(limit: 20).map {
                    "\(node.name) \($0.peer ?? "") \($0.refusal.table) \($0.refusal.id) \($0.refusal.reason)"
                }
            }
            throw Violation(
                description: "the organization replicas org and \(other.name) diverged: "
                    + difference(try org.exportCanonicalText(), try other.register.exportCanonicalText())
                    + " refused: \(log)")
        }
        // Rows a provider edited while it was not bound: refused by the organization, so its own copy may differ.
        var refusedRows: Set<String> = []
        for node in [nodes[0], nodes[1], nodes[4]] {
            for entry in try node.register.replica.refusalLog(limit: 1_000_000) {
                refusedRows.insert("\(entry.refusal.table)/\(entry.refusal.id)")
            }
        }
        for node in nodes[2...3] {
            for (table, ids) in try view(org, node.name) {
                for id in ids.sorted() where !refusedRows.contains("\(table)/\(id)") {
                    let expected = try org.read { try AccessRules.row(table, id, $0.db) }
                    let held = try node.register.read { try AccessRules.row(table, id, $0.db) }
                    if held != expected {
                        throw Violation(
                            description:
                                "\(node.name)'s \(table) \(id) is \(String(describing: held)); the organization has \(String(describing: expected))"
                        )
                    }
                }
            }
        }
    }

    /// A new organization replica, bound, gets the source's full change set and equals it.
    func checkFreshClone(from source: Node, org: Node, registerID: RegisterID, party: String = "p-org") throws {
        let kind: ReplicaKind = party == "p-org" ? .organization : .provider
        let clone = try makeNode(
            "clone-\(source.name)-\(UUID().uuidString.prefix(4))", kind: kind, registerID: registerID)
        let authority = source.register
        // The authority binds it; the binding reaches the source before the export. Nothing else: every change in
        // the file carries its origin's signature, so the clone needs no word from the authority to take them.
        try bind(org, clone, party: party)
        if source.name != org.name { try send(from: org, to: source, cutAfter: nil) }
        let path = directory.appendingPathComponent("full-\(clone.name).changes").path
        // A new organization replica takes a full export; a provider's new replica the export `spi changes export`
        // makes for it by default (scoped to its party, which its source shares, so it claims the coverage).
        let scope =
            kind == .organization
            ? try authority.fileScope(receiver: nil, party: nil, all: true).scope
            : try authority.fileScope(receiver: clone.peer.siteID, party: nil, all: false).scope
        try authority.replica.exportChanges(to: path, maxCells: 16, scope: scope, signer: source.signer)
        let cloneReport = try clone.register.applySignedChanges(from: path)
        if ProcessInfo.processInfo.environment["SPI_TRUST_DEBUG"] != nil {
            print("clone \(clone.name): \(cloneReport)")
        }
        if kind == .provider {
            // A provider's replica keeps its own edits that the organization refused (made while it was unbound):
            // the clone judges them as the organization did. Everything else of the party's view it holds as the
            // organization does, and nothing outside it.
            var refusedRows: Set<String> = []
            for entry in try org.register.replica.refusalLog(limit: 1_000_000) {
                refusedRows.insert("\(entry.refusal.table)/\(entry.refusal.id)")
            }
            let visible = try view(org.register, source.name)
            for (table, ids) in visible {
                for id in ids.sorted() where !refusedRows.contains("\(table)/\(id)") {
                    let expected = try org.register.read { try AccessRules.row(table, id, $0.db) }
                    let held = try clone.register.read { try AccessRules.row(table, id, $0.db) }
                    if held != expected {
                        throw Violation(
                            description: "a fresh replica cloned from \(source.name) has \(table) \(id) as "
                                + "\(String(describing: held)); the organization has \(String(describing: expected))")
                    }
                }
            }
            let held = try clone.register.replica.heldChanges()
            if !held.isEmpty {
                throw Violation(
                    description: "a fresh replica cloned from \(source.name) holds changes: "
                        + held.prefix(3).map { "\($0.table) \($0.id) by \($0.origin) at \($0.clock): \($0.reason)" }
                        .joined(separator: "; "))
            }
            return
        }
        var expected = authority
        if try source.register.digest() != org.register.digest() {
            // The source keeps its own edits that the other organization replicas refused (checkConverged showed it
            // differs by nothing else); the clone refuses them too, keeps a mark of each, and gets the accepted value
            // they superseded from the organization's answer to its wants.
            try send(from: org, to: clone, cutAfter: nil)
            expected = org.register
        }
        if try clone.register.digest() != expected.digest() {
            throw Violation(
                description: "a fresh replica cloned from \(source.name) differs from it: "
                    + "held \(try clone.register.replica.heldChanges().map(\.reason).prefix(3)), refused "
                    + "\(try clone.register.replica.refusalLog(limit: 3).map(\.refusal.reason)); "
                    + difference(try expected.exportCanonicalText(), try clone.register.exportCanonicalText()))
        }
        if !(try clone.register.replica.heldChanges().isEmpty) {
            throw Violation(description: "a fresh replica cloned from \(source.name) holds changes")
        }
    }
}

/// SHA-256 for the forged files.
enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> [UInt8] { Array(Crypto.SHA256.hash(data: bytes)) }
}

/// The lines that differ between two canonical exports, for failure messages.
func difference(_ a: String, _ b: String) -> String {
    let left = Set(a.split(separator: "\n")), right = Set(b.split(separator: "\n"))
    return
        "only in the first: \(left.subtracting(right).sorted().prefix(6)); only in the second: \(right.subtracting(left).sorted().prefix(6))"
}

extension Register {
    /// The canonical export as text, for failure messages.
    func exportCanonicalText() throws -> String {
        String(decoding: try exportCanonical(), as: UTF8.self)
    }
}
