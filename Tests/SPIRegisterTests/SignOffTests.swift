import Foundation
import SPIIdentity
import SPIRegister
import SPIReplication
import SPISQLite
import SPITestSupport
import SPITransport
import Testing

/// Sign-off across replicas (protocol/signoff.md): signatures are replicated rows that every replica checks offline
/// against the current content and the signers' bindings; a change after signing shows everywhere; forged or copied
/// signatures are invalid everywhere; only the parties of an SPI sign it, each on its own replica.
@Suite("sign-off")
struct SignOffTests {
    static let today = "2026-11-20"
    static let organizationSigner = "sofia.lindqvist@northwind.example"
    static let fabrikamSigner = "grace.holloway@fabrikam.example"

    struct Node {
        let register: Register
        let peer: PeerID
        let signer: ChangeSetSigner
    }

    /// The organization (the demo register), a second organization replica, and Fabrikam's replica, bound and synced.
    struct World {
        let org: Node
        let org2: Node
        let fab: Node
        var registerID: RegisterID { org.register.replica.registerID }
    }

    func node(_ directory: URL, _ name: String, kind: ReplicaKind, registerID: RegisterID?) throws -> Node {
        let register = try Register.create(
            at: directory.appendingPathComponent("\(name).db").path, name: name, kind: kind, registerID: registerID,
            logger: quietLogger)
        let identity = try PeerIdentity.loadOrCreate(forReplicaAt: register.replica.path, logger: quietLogger)
        let signer = try identity.changeSetSigner()
        register.replica.signer = signer
        register.enforcesAccessRules = true
        return Node(register: register, peer: identity.peerID, signer: signer)
    }

    /// Sends `from`'s changes that `to` lacks, through the register's access control on both sides; returns how
    /// many changes the receiver refused.
    @discardableResult
    func send(_ from: Node, _ to: Node) throws -> Int {
        let control = RegisterAccessControl()
        let outgoing = try control.access(for: to.peer, replica: from.register.replica)
        let incoming = try control.access(for: from.peer, replica: to.register.replica)
        var cursor = try from.register.replica.deltaCursor(
            for: try to.register.replica.knowledge(), scope: outgoing.scope)
        var refused = 0
        while let batch = try from.register.replica.nextBatch(&cursor, maxCells: 512) {
            refused += try to.register.replica.apply(batch, gate: incoming.gate, from: "peer").refused
        }
        return refused
    }

    /// The part of a Markdown document from `start` up to `end`, both headings, within the SPI `code`'s section.
    func section(_ document: String, of code: String, from start: String, to end: String) -> String? {
        guard let spi = document.range(of: "## \(code):") else { return nil }
        let rest = document[spi.upperBound...]
        guard let from = rest.range(of: start), let to = rest.range(of: end, range: from.upperBound..<rest.endIndex)
        else { return nil }
        return String(rest[from.lowerBound..<to.lowerBound])
    }

    func withWorld(_ body: (World) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let org = try node(directory, "org", kind: .organization, registerID: nil)
            try org.register.replica.write { db in try NorthwindDemo.populate(db, today: Self.today) }
            let registerID = org.register.replica.registerID
            let org2 = try node(directory, "org2", kind: .organization, registerID: registerID)
            let fab = try node(directory, "fab", kind: .provider, registerID: registerID)
            try org.register.write { try PartyBinding.bind(party: "NWR", peer: org2.peer, $0) }
            try org.register.write { try PartyBinding.bind(party: "FAB", peer: fab.peer, $0) }
            try send(org, org2)
            try send(org, fab)
            try body(World(org: org, org2: org2, fab: fab))
        }
    }

    @discardableResult
    func sign(_ node: Node, _ spi: String, by person: String, registerID: RegisterID) throws -> InterfaceSignature {
        try node.register.write { store in
            try Governance.sign(spi, by: person, on: Self.today, signer: node.signer, registerID: registerID, in: store)
        }
    }

    func state(_ node: Node, _ spi: String, registerID: RegisterID) throws -> SignOffState {
        _ = try node.register.replica.stamp()
        return try node.register.read { try Governance.signOff(of: spi, registerID: registerID, in: $0) }
    }

    /// Whether `text` shows a bare UUID.
    func showsUUID(_ text: String) -> Bool {
        text.range(of: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", options: .regularExpression)
            != nil
    }

    @Test(
        "an SPI in force owes its reports from then on: an item never delivered shows missing once its due dates pass, and not before the SPI is in force"
    )
    func owedFromInForce() throws {
        try withWorld { w in
            let id = w.registerID
            let item = try w.org.register.write { store in
                try store.put(
                    "information_item",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "name": "Weekly backlog report", "frequency": "weekly",
                        "due_rule": "every Monday",
                    ])
            }
            func owed(on today: String) throws -> [ReportingEvidence.Due] {
                _ = try w.org.register.replica.stamp()
                return try w.org.register.read { try ReportingEvidence.recent(in: $0, today: today) }.filter {
                    $0.itemID == item
                }
            }
            try sign(w.org, "SPI-INC-FAB", by: Self.organizationSigner, registerID: id)
            // Awaiting Fabrikam's signature: not in force, nothing owed, however late it gets.
            #expect(try owed(on: "2026-12-10").isEmpty)
            try send(w.org, w.fab)
            try sign(w.fab, "SPI-INC-FAB", by: Self.fabrikamSigner, registerID: id)
            try send(w.fab, w.org)
            #expect(try state(w.org, "SPI-INC-FAB", registerID: id).isInForce)
            // In force from 2026-11-20 (a Friday): nothing is due yet that day; three Mondays later, three missing.
            #expect(try owed(on: Self.today).isEmpty)
            let missing = try owed(on: "2026-12-10")
            #expect(
                missing.map(\.due.text) == ["2026-12-07", "2026-11-30", "2026-11-23"]
                    && missing.allSatisfy(\.isMissing), "\(missing)")
            let due = try w.org.register.read { try Governance.dueItems(in: $0, today: "2026-12-10", within: 0) }
            #expect(
                due.contains { $0.id == item && $0.kind == .report && $0.title == "Weekly backlog report (missing)" },
                "\(due)")
            // The next one is listed as coming, as for any tracked item.
            let coming = try w.org.register.read { try Governance.dueItems(in: $0, today: "2026-12-10", within: 7) }
            #expect(coming.contains { $0.id == item && $0.date == "2026-12-14" }, "\(coming)")
        }
    }

    @Test(
        "signed by the organization and the provider, an approved SPI is in force on every replica, a third one included"
    )
    func inForce() throws {
        try withWorld { w in
            let id = w.registerID
            #expect(try state(w.org, "SPI-INC-FAB", registerID: id).summary == "not signed")
            let mine = try sign(w.org, "SPI-INC-FAB", by: Self.organizationSigner, registerID: id)
            #expect(try state(w.org, "SPI-INC-FAB", registerID: id).summary.hasPrefix("awaiting FAB's signature"))
            let theirs = try sign(w.fab, "SPI-INC-FAB", by: Self.fabrikamSigner, registerID: id)
            // Both replicas hold the same content, so both sign the same digest.
            #expect(mine.digest == theirs.digest)
            try send(w.fab, w.org)
            try send(w.org, w.fab)
            try send(w.org, w.org2)
            for node in [w.org, w.fab, w.org2] {
                let state = try state(node, "SPI-INC-FAB", registerID: id)
                #expect(state.isInForce, "\(node.register.name): \(state.summary) \(state.checks.map(\.problem))")
                #expect(state.checks.count == 2 && state.checks.allSatisfy { $0.verdict == .current })
                #expect(Set(state.checks.map(\.party)) == ["SIAM", "FAB"])
                #expect(state.digest == mine.digest)
                let findings = try node.register.read { try RegisterCheck.run($0.db, today: Self.today) }
                #expect(!findings.contains { ["signature-invalid", "changed-since-signed"].contains($0.rule) })
            }
            // Not approved: signed by both, but not in force.
            try w.org.register.write {
                try $0.put("interface", id: "SPI-INC-FAB", fields: ["status": "in_review"], mode: .update)
            }
            let review = try state(w.org, "SPI-INC-FAB", registerID: id)
            #expect(!review.isInForce && review.summary == "signed by SIAM and FAB, not approved")
            // Approved again (the approval freezes this content): in force.
            try w.org.register.write {
                try Governance.approve("SPI-INC-FAB", by: Self.organizationSigner, on: Self.today, in: $0)
            }
            #expect(try state(w.org, "SPI-INC-FAB", registerID: id).isInForce)
            // Fabrikam edits, and both sign the new content: signed, but changed since approved, so not in force
            // until the organization approves this content too.
            try send(w.org, w.fab)
            try w.fab.register.write {
                try $0.put(
                    "interface", id: "SPI-INC-FAB", fields: ["description": "Reworded after approval"], mode: .update)
            }
            try sign(w.fab, "SPI-INC-FAB", by: Self.fabrikamSigner, registerID: id)
            try send(w.fab, w.org)
            try sign(w.org, "SPI-INC-FAB", by: Self.organizationSigner, registerID: id)
            let resigned = try state(w.org, "SPI-INC-FAB", registerID: id)
            #expect(
                !resigned.isInForce && resigned.isChangedSinceApproved && !resigned.isChangedSinceSigned,
                "\(resigned.summary)")
            #expect(resigned.summary == "signed by SIAM and FAB, changed since approved")
            try w.org.register.write {
                try $0.put("interface", id: "SPI-INC-FAB", fields: ["status": "in_review"], mode: .update)
            }
            try w.org.register.write {
                try Governance.approve("SPI-INC-FAB", by: Self.organizationSigner, on: Self.today, in: $0)
            }
            let approvedAgain = try state(w.org, "SPI-INC-FAB", registerID: id)
            #expect(approvedAgain.isInForce && !approvedAgain.isChangedSinceApproved, "\(approvedAgain.summary)")
        }
    }

    @Test(
        "a change after signing, made on the provider's replica, shows as changed since signed on both sides, in words, until both sign again"
    )
    func changedSinceSigned() throws {
        try withWorld { w in
            let id = w.registerID
            try sign(w.org, "SPI-INC-FAB", by: Self.organizationSigner, registerID: id)
            try sign(w.fab, "SPI-INC-FAB", by: Self.fabrikamSigner, registerID: id)
            try send(w.fab, w.org)
            try send(w.org, w.fab)
            // Fabrikam removes one of its Responsibles and renames a role, within its own rules.
            try w.fab.register.write { store in
                let rows = try store.db.rows(
                    """
                    SELECT r.id FROM raci_assignment r JOIN interface i ON i.id = r.interface_id
                    JOIN party p ON p.id = r.party_id JOIN activity a ON a.id = r.activity_id
                    WHERE i.code = 'SPI-INC-FAB' AND p.code = 'FAB' AND r.role = 'R' ORDER BY a.code
                    """)
                let removed = try #require(rows[0][0].textValue)
                let renamed: String = try #require(rows[1][0].textValue)
                try store.delete("raci_assignment", removed)
                try store.put("raci_assignment", id: renamed, fields: ["role_title": "Desk lead"], mode: .update)
            }
            try send(w.fab, w.org)
            try send(w.org, w.org2)
            for node in [w.org, w.fab, w.org2] {
                let state = try state(node, "SPI-INC-FAB", registerID: id)
                #expect(!state.isInForce && state.isChangedSinceSigned, "\(node.register.name): \(state.summary)")
                #expect(state.summary == "changed since signed")
                #expect(state.checks.allSatisfy { $0.verdict == .changedSinceSigned })
                let words = state.changes.map(\.change.description)
                #expect(words.count == 2, "\(words)")
                #expect(words.contains { $0.hasPrefix("removed RACI INC-") && $0.contains("/ FAB: R") }, "\(words)")
                #expect(words.contains { $0.contains("role_title") && $0.contains("'Desk lead'") }, "\(words)")
                #expect(!words.contains(where: showsUUID), "\(words)")
                #expect(state.changes.allSatisfy { $0.by == "FAB" && $0.atMilliseconds != nil }, "\(state.changes)")
                let findings = try node.register.read { try RegisterCheck.run($0.db, today: Self.today) }
                #expect(findings.contains { $0.rule == "changed-since-signed" })
                let due = try node.register.read { try Governance.dueItems(in: $0, today: Self.today, within: 0) }
                #expect(due.contains { $0.kind == .signAgain && $0.code == "SPI-INC-FAB" })
            }
            // Both sign the new content: in force again, everywhere.
            try sign(w.fab, "SPI-INC-FAB", by: Self.fabrikamSigner, registerID: id)
            try send(w.fab, w.org)
            try sign(w.org, "SPI-INC-FAB", by: Self.organizationSigner, registerID: id)
            try send(w.org, w.fab)
            try send(w.org, w.org2)
            for node in [w.org, w.fab, w.org2] {
                let state = try state(node, "SPI-INC-FAB", registerID: id)
                #expect(state.isInForce && !state.isChangedSinceSigned, "\(node.register.name): \(state.summary)")
                #expect(state.checks.count == 4)
            }
        }
    }

    @Test(
        "forged signatures are invalid on every replica: another key, a signature copied onto other content, an altered digest"
    )
    func forgeries() throws {
        try withWorld { w in
            let id = w.registerID
            let genuine = try sign(w.fab, "SPI-INC-FAB", by: Self.fabrikamSigner, registerID: id)
            let person = try w.fab.register.read { try $0.resolve("person", Self.fabrikamSigner) }
            let party = try w.fab.register.read { try $0.resolve("party", "FAB") }
            let other = try w.fab.register.read { try InterfaceContent(of: "SPI-SR-FAB", in: $0) }
            // A key no party is bound to.
            let stranger = try InterfaceSignature.make(
                content: try w.fab.register.read { try InterfaceContent(of: "SPI-INC-FAB", in: $0) }, partyID: party,
                personID: person, version: genuine.version, signedOn: Self.today, registerID: id,
                signer: ChangeSetSigner())
            // The genuine signature with another SPI's content and digest (the statement no longer matches).
            var copied = genuine
            copied.id = RecordID.v7()
            copied.content = other.canonicalText
            copied.digest = other.digest
            // The genuine content with a digest changed to another one.
            var altered = genuine
            altered.id = RecordID.v7()
            altered.digest = other.digest
            for forged in [stranger, copied, altered] {
                try w.fab.register.write { store in
                    var fields: [String: String] = [
                        "interface_id": forged.interfaceID, "party_id": forged.partyID, "person_id": forged.personID,
                        "signed_on": forged.signedOn, "digest": forged.digest, "content": forged.content,
                        "public_key": forged.publicKey, "signature": forged.signature,
                    ]
                    fields["version"] = forged.version
                    try store.put("interface_signature", id: forged.id, fields: fields, mode: .insert)
                }
            }
            try send(w.fab, w.org)
            try send(w.org, w.org2)
            for node in [w.fab, w.org, w.org2] {
                let state = try state(node, "SPI-INC-FAB", registerID: id)
                let byID = Dictionary(uniqueKeysWithValues: state.checks.map { ($0.signature.id, $0) })
                #expect(byID[genuine.id]?.verdict == .current, "\(node.register.name)")
                #expect(
                    byID[stranger.id]?.problem?.contains("was not bound to FAB") == true, "\(byID[stranger.id] as Any)")
                #expect(byID[copied.id]?.problem?.contains("another SPI's") == true, "\(byID[copied.id] as Any)")
                #expect(byID[altered.id]?.problem?.contains("does not match the signature's digest") == true)
                #expect(!state.isInForce)
                let findings = try node.register.read { try RegisterCheck.run($0.db, today: Self.today) }
                #expect(findings.filter { $0.rule == "signature-invalid" }.count == 3, "\(node.register.name)")
            }
        }
    }

    @Test("only the parties of an SPI sign it, each on its own replica; signatures are append-only for providers")
    func refusals() throws {
        try withWorld { w in
            let id = w.registerID
            let digest = try w.fab.register.digest()
            // A provider's replica cannot sign for the organization, nor the organization's for a provider.
            let onProvider = try #require(throws: RegisterError.self) {
                try sign(w.fab, "SPI-INC-FAB", by: Self.organizationSigner, registerID: id)
            }
            #expect(
                onProvider.code == .forbidden
                    && onProvider.message.contains("a person signs on a replica of their own party"))
            #expect(try w.fab.register.digest() == digest)
            let onOrganization = try #require(throws: RegisterError.self) {
                try sign(w.org, "SPI-INC-FAB", by: Self.fabrikamSigner, registerID: id)
            }
            #expect(onOrganization.code == .forbidden)
            // Another provider's SPI: Contoso's people do not sign Fabrikam's SPIs, even on the organization's replica.
            let other = try #require(throws: RegisterError.self) {
                try sign(w.org, "SPI-INC-FAB", by: "henrik.larsen@contoso.example", registerID: id)
            }
            #expect(other.code == .forbidden)
            // A key no party is bound to: its signature would prove nothing (an unbound replica holds no SPI, so
            // the key is used on the organization's rows here).
            let unbound = try #require(throws: RegisterError.self) {
                try w.org.register.write { store in
                    try Governance.sign(
                        "SPI-INC-FAB", by: Self.organizationSigner, signer: ChangeSetSigner(), registerID: id, in: store
                    )
                }
            }
            #expect(unbound.message.contains("speaks for no party"), "\(unbound)")
            // The organization's signature reaches Fabrikam, which may not remove it.
            let theirs = try sign(w.org, "SPI-INC-FAB", by: Self.organizationSigner, registerID: id)
            try send(w.org, w.fab)
            let removal = try #require(throws: RegisterError.self) {
                try w.fab.register.write { try $0.delete("interface_signature", theirs.id) }
            }
            #expect(removal.message.contains("append-only"), "\(removal)")
        }
    }

    @Test(
        "protocol/vectors/signoff.json: the digest, the statement and the signature are as protocol/signoff.md defines them"
    )
    func vector() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/vectors/signoff.json")
        let vector = try JSONValue(parsing: Array(try Data(contentsOf: url)))
        let text = try #require(vector["content"]?.stringValue)
        let row = try #require(vector["signature"]?.objectValue)
        func field(_ name: String) throws -> String { try #require(row[name]?.stringValue, "\(name)") }
        let registerID = try #require(vector["registerId"]?.stringValue.flatMap(RegisterID.init))
        // The content is canonical, and its SHA-256 is the digest.
        let content = try InterfaceContent(canonicalText: text)
        #expect(content.canonicalText == text)
        #expect(content.digest == vector["digest"]?.stringValue && InterfaceContent.digest(of: text) == content.digest)
        let signature = InterfaceSignature(
            id: RecordID.v7(), interfaceID: try field("interface_id"), partyID: try field("party_id"),
            personID: try field("person_id"), version: row["version"]?.stringValue, signedOn: try field("signed_on"),
            digest: try field("digest"), content: text, publicKey: try field("public_key"),
            signature: try field("signature"))
        #expect(
            String(decoding: signature.statement(registerID: registerID), as: UTF8.self)
                == vector["statement"]?.stringValue)
        #expect(signature.site?.description == vector["site"]?.stringValue)
        #expect(signature.isSignedByItsKey(registerID: registerID))
        // Any other register, SPI or digest breaks it.
        #expect(!signature.isSignedByItsKey(registerID: RegisterID()))
        var other = signature
        other.digest = String(repeating: "0", count: 64)
        #expect(!other.isSignedByItsKey(registerID: registerID))
        other = signature
        other.interfaceID = RecordID.v7()
        #expect(!other.isSignedByItsKey(registerID: registerID))
    }

    @Test(
        "signing and approving freeze versions, once per content even when two replicas freeze it apart; diff names the changes; the frozen document shows the version as it was; reviews cite the digest"
    )
    func versions() throws {
        try withWorld { w in
            let id = w.registerID
            let signed = try sign(w.org, "SPI-INC-FAB", by: Self.organizationSigner, registerID: id)
            try sign(w.fab, "SPI-INC-FAB", by: Self.fabrikamSigner, registerID: id)
            #expect(try send(w.fab, w.org) == 0)
            #expect(try send(w.org, w.fab) == 0)
            for node in [w.org, w.fab] {
                let versions = try node.register.read { try Governance.versions(of: "SPI-INC-FAB", in: $0) }
                #expect(versions.map(\.digest) == [signed.digest] && versions.first?.version == "2.1", "\(versions)")
                #expect(
                    try node.register.read { try $0.db.scalar("SELECT count(*) FROM interface_version") } == .integer(2)
                )
            }
            let render = { (node: Node) in
                try node.register.read { store in
                    try ReportRenderer.render(
                        .document, format: .md, db: store.db, provider: "FAB", registerName: "Northwind",
                        generatedAt: "2026-11-20T00:00:00Z", today: Self.today)
                }
            }
            let before = try render(w.org)
            try w.fab.register.write { store in
                try store.put("interface", id: "SPI-INC-FAB", fields: ["version": "2.2"], mode: .update)
                let cell = try #require(
                    try store.db.scalar(
                        """
                        SELECT r.id FROM raci_assignment r JOIN interface i ON i.id = r.interface_id JOIN party p ON p.id = r.party_id
                        WHERE i.code = 'SPI-INC-FAB' AND p.code = 'FAB' ORDER BY r.id LIMIT 1
                        """)?.textValue)
                try store.put("raci_assignment", id: cell, fields: ["role_title": "Desk lead"], mode: .update)
            }
            #expect(try send(w.fab, w.org) == 0)
            let words = try w.org.register.read { store in
                let old = try Governance.content(of: "SPI-INC-FAB", at: "2.1", in: store).content
                let new = try Governance.content(of: "SPI-INC-FAB", at: "current", in: store).content
                return try old.changes(to: new, in: store).map(\.description)
            }
            #expect(words.count == 2 && words[0] == "SPI: version '2.1' → '2.2'", "\(words)")
            #expect(
                words[1].contains("role_title") && words[1].contains("'Desk lead'") && !words.contains(where: showsUUID)
            )
            let unknown = try #require(throws: RegisterError.self) {
                try w.org.register.read { try Governance.content(of: "SPI-INC-FAB", at: "9.9", in: $0) }
            }
            #expect(unknown.code == .notFound && unknown.message.contains("frozen: 2.1"), "\(unknown)")
            // The frozen document: the content sections exactly as before the edit; the current one differs.
            let frozen = try w.org.register.read { store in
                try ReportRenderer.renderFrozenDocument(
                    version: "2.1", format: .md, db: store.db, provider: "FAB", registerName: "Northwind",
                    generatedAt: "2026-11-20T00:00:00Z", today: Self.today)
            }
            let after = try render(w.org)
            let part = { (text: String) in
                section(text, of: "SPI-INC-FAB", from: "### Roles and responsibilities", to: "### Review history")
            }
            #expect(part(before) != nil && part(frozen) == part(before), "\(frozen.prefix(4000))")
            #expect(part(after) != part(before))
            #expect(part(before)?.contains("Desk lead") == false && part(after)?.contains("Desk lead") == true)
            #expect(
                frozen.contains("**Frozen version:** 2.1") && !frozen.contains("## SPI-SR-FAB:"),
                "\(frozen.prefix(3000))")
            // Approving freezes the content it approves; a review cites the digest it saw.
            try w.org.register.write {
                try $0.put("interface", id: "SPI-INC-FAB", fields: ["status": "in_review"], mode: .update)
            }
            try w.org.register.write {
                try Governance.approve("SPI-INC-FAB", by: Self.organizationSigner, on: Self.today, in: $0)
            }
            let current = try w.org.register.read { try InterfaceContent(of: "SPI-INC-FAB", in: $0).digest }
            let versions = try w.org.register.read { try Governance.versions(of: "SPI-INC-FAB", in: $0) }
            #expect(versions.map(\.event) == ["signed", "approved"] && versions.last?.digest == current, "\(versions)")
            let review = try w.org.register.write {
                try Governance.recordReview(of: "SPI-INC-FAB", outcome: "approved", by: Self.organizationSigner, in: $0)
            }
            #expect(try w.org.register.read { try $0.record("review", review)["digest_reviewed"] } == .text(current))
            // A provider's edit after the approval: changed since approved, on the organization's replica after sync.
            let findings = { (node: Node) in try node.register.read { try RegisterCheck.run($0.db, today: Self.today) }
            }
            #expect(try !findings(w.org).contains { $0.rule == "changed-since-approved" })
            #expect(try send(w.org, w.fab) == 0)
            try w.fab.register.write {
                try $0.put(
                    "interface", id: "SPI-INC-FAB", fields: ["description": "Edited after approval"], mode: .update)
            }
            #expect(try send(w.fab, w.org) == 0)
            for node in [w.org, w.fab] {
                let found = try findings(node).filter { $0.rule == "changed-since-approved" }
                #expect(
                    found.count == 1
                        && found.first?.message.contains("changed since it was approved on 2026-11-20") == true,
                    "\(node.register.name): \(found)")
            }
        }
    }

    @Test("the canonical content reads back from its text, and only canonical text is accepted")
    func canonicalContent() throws {
        try withWorld { w in
            let content = try w.org.register.read { try InterfaceContent(of: "SPI-INC-FAB", in: $0) }
            #expect(content.digest.count == 64)
            #expect(content.rows["raci_assignment"]?.isEmpty == false)
            #expect(content.interface["status"] == nil && content.interface["approved_by"] == nil)
            let back = try InterfaceContent(canonicalText: content.canonicalText)
            #expect(back == content && back.digest == content.digest)
            #expect(throws: RegisterError.self) { try InterfaceContent(canonicalText: " " + content.canonicalText) }
            #expect(throws: RegisterError.self) { try InterfaceContent(canonicalText: "{\"format\":\"other\"}") }
            // Governance state is not content: approving or rescheduling the review keeps the digest.
            try w.org.register.write {
                try $0.put("interface", id: "SPI-INC-FAB", fields: ["next_review": "2030-01-01"], mode: .update)
            }
            #expect(
                try w.org.register.read { try InterfaceContent(of: "SPI-INC-FAB", in: $0) }.digest == content.digest)
        }
    }
}
