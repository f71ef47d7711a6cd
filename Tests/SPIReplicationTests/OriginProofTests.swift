import Crypto
import Foundation
import SPISQLite
@testable import SPIReplication
import SPITestSupport
import Testing

/// Origin proofs (protocol/changes.md §7): every change carries its origin's signature, checkable by any receiver
/// whichever replica carried it.
@Suite("origin proofs")
struct OriginProofTests {
    /// The canonical leaf encoding, built here from the words of protocol/changes.md §7.1, is what the code hashes.
    @Test("a leaf is the first 16 bytes of the SHA-256 of the encoding protocol/changes.md §7.1 spells out")
    func leafEncodingMatchesSpec() throws {
        let site = try #require(SiteID("9e2c0b1a-5d3f-4e6a-8b7c-1d2e3f405162"))
        let prior = try #require(SiteID("00000000-0000-4000-8000-000000000001"))
        func u64(_ v: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: v >> (UInt64($0) * 8)) } }
        func str(_ s: String) -> [UInt8] {
            let bytes = Array(s.utf8)
            return (0..<4).reversed().map { UInt8(truncatingIfNeeded: UInt32(bytes.count) >> (UInt32($0) * 8)) } + bytes
        }
        var expected =
            Array("SPILEAF-1\n".utf8) + [2] + site.bytes + u64(0x0123_4567_89AB_CDEF) + str("note") + str("n1")
            + u64(3) + str("title") + [3] + str("héllo") + u64(42) + prior.bytes
        var encoder = LeafEncoder()
        #expect(
            encoder.cellLeaf(
                site: site, hlc: 0x0123_4567_89AB_CDEF, table: "note", id: "n1", cl: 3, column: "title",
                value: .text("héllo"), priorHLC: 42, priorSite: prior
            ).bytes == Array(SHA256.hash(data: expected).prefix(16)))
        expected =
            Array("SPILEAF-1\n".utf8) + [2] + site.bytes + u64(7) + str("note") + str("n1") + u64(1) + str("rank")
            + [1] + u64(UInt64(bitPattern: -5)) + u64(0) + [UInt8](repeating: 0, count: 16)
        #expect(
            encoder.cellLeaf(
                site: site, hlc: 7, table: "note", id: "n1", cl: 1, column: "rank", value: .integer(-5), priorHLC: 0,
                priorSite: nil
            ).bytes == Array(SHA256.hash(data: expected).prefix(16)))
        expected = Array("SPILEAF-1\n".utf8) + [1] + site.bytes + u64(7) + str("note") + str("n1") + u64(2)
        #expect(
            encoder.rowLeaf(site: site, hlc: 7, table: "note", id: "n1", cl: 2).bytes
                == Array(SHA256.hash(data: expected).prefix(16)))
    }

    @Test(
        "a signed replica's changes verify anywhere; an altered value, a missing proof or another key is refused whole")
    func tamperingIsRefused() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir, signed: true)
            try r[0].write { db in
                try db.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'one', 1), ('n2', 'two', 2)")
            }
            let batches = try delta(from: r[0], to: r[1])
            #expect(batches.allSatisfy { !$0.proofs.isEmpty && !$0.keys.isEmpty })
            let before = try content(r[1])

            // A value altered on its way.
            var altered = batches[0]
            for (i, row) in altered.rows.enumerated() {
                for (j, cell) in row.cells.enumerated() where cell.text == "one" {
                    altered.rows[i].cells[j].text = "ONE"
                }
            }
            let error = #expect(throws: ReplicationError.self) { try r[1].apply(altered, gate: ProofGate()) }
            #expect(error?.code == .badSignature)
            #expect(error?.message.contains("is not what that site signed") == true, "\(String(describing: error))")
            // The same alteration without a gate: a proof that is present is checked all the same.
            #expect(throws: ReplicationError.self) { try r[1].apply(altered) }
            // No proof, where one is required.
            var stripped = batches[0]
            stripped.proofs = []
            let missing = #expect(throws: ReplicationError.self) { try r[1].apply(stripped, gate: ProofGate()) }
            #expect(missing?.message.contains("carries no origin signature") == true)
            // Signed again by another key that claims to be the origin's.
            var resigned = batches[0]
            let impostor = ChangeSetSigner()
            resigned.keys = resigned.keys.map {
                var k = $0
                k.key = Data(impostor.publicKeyDER)
                return k
            }
            #expect(throws: ReplicationError.self) { try r[1].apply(resigned, gate: ProofGate()) }
            #expect(try content(r[1]) == before)
            #expect(try r[1].knowledge()[r[0].siteID] == 0)

            // The genuine batches apply.
            for batch in batches { try r[1].apply(batch, gate: ProofGate()) }
            #expect(try content(r[1]) == content(r[0]))
        }
    }

    @Test("a relay that holds only part of a transaction (cells superseded since) still proves the rest")
    func partialGroupsRelay() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(3, in: dir, signed: true)
            // One transaction of 700 rows (2,100 entries: several chunks).
            try r[0].write { db in
                for i in 0..<700 {
                    try db.execute(
                        "INSERT INTO note(id, title, rank) VALUES (?, ?, ?)",
                        [.text("n\(i)"), .text("t\(i)"), .integer(Int64(i))])
                }
            }
            try sync(r[0], into: r[1], gate: ProofGate())
            // The relay supersedes some of the transaction's cells and deletes a row.
            try r[1].write { db in
                try db.execute("UPDATE note SET title = 'relay' WHERE rank % 7 = 0")
                try db.execute("DELETE FROM note WHERE id = 'n5'")
            }
            // A third replica gets everything from the relay alone, in small batches, shuffled.
            let batches = try delta(from: r[1], to: r[2], maxCells: 50)
            for batch in batches.shuffled() { try r[2].apply(batch, gate: ProofGate()) }
            #expect(try content(r[2]) == content(r[1]))
            // And relays it onwards again, back to the origin, which checks the relay's proofs as well.
            try sync(r[2], into: r[0], gate: ProofGate())
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test("a batch proves a large transaction with the chunks it touches, not the whole transaction")
    func proofSizeIsBounded() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir, signed: true)
            try r[0].write { db in
                for i in 0..<3_000 {
                    try db.execute(
                        "INSERT INTO note(id, title, rank) VALUES (?, ?, ?)",
                        [.text("n\(i)"), .text("t\(i)"), .integer(Int64(i))])
                }
            }
            let batches = try delta(from: r[0], to: r[1], maxCells: 256)
            #expect(batches.count > 20)
            for batch in batches {
                let proofBytes = try batch.proofs.reduce(0) { $0 + (try $1.serializedBytes() as [UInt8]).count }
                // 12,000 entries in about 24 chunks: the digests (~800 bytes) and at most a few chunks' other leaves.
                #expect(
                    proofBytes < 3 * OriginProofs.chunkSize * OriginProofs.leafLength, "\(proofBytes) bytes of proof")
                try r[1].apply(batch, gate: ProofGate())
            }
            #expect(try content(r[1]) == content(r[0]))
        }
    }

    @Test("a replica without a key sends unsigned changes: a gate that requires proofs refuses them, none takes them")
    func unsignedReplica() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { db in try db.execute("INSERT INTO note(id, title) VALUES ('n1', 'one')") }
            let batches = try delta(from: r[0], to: r[1])
            #expect(batches.allSatisfy { $0.proofs.isEmpty })
            #expect(throws: ReplicationError.self) { try r[1].apply(batches[0], gate: ProofGate()) }
            // Without proofs, a receiver that requires none has nothing to check; a key it carries is still read.
            var badKey = batches[0]
            var key = Spi_V1_SiteKey()
            key.site = 99
            badKey.keys = [key]
            let malformed = #expect(throws: ReplicationError.self) { try r[1].apply(badKey) }
            #expect(malformed?.code == .malformed, "\(String(describing: malformed))")
            for batch in batches { try r[1].apply(batch) }
            #expect(try content(r[1]) == content(r[0]))
        }
    }

    @Test(
        "a replica from before proofs (format 2) neither relays nor covers others' unproven changes, and gets them again signed"
    )
    func upgradeFromFormatTwo() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(3, in: dir, signed: true)
            try r[0].write { db in try db.execute("INSERT INTO note(id, title) VALUES ('n1', 'one'), ('n2', 'two')") }
            try sync(r[0], into: r[1], gate: ProofGate())
            let origin = r[0].siteID
            let received = try r[1].knowledge()[origin]
            #expect(received > 0)
            // Make r[1] a file of format 2: no proofs stored, as an spi from before them left it.
            let raw = try Connection(path: r[1].path, mode: .readWrite)
            try raw.execute("DELETE FROM _spi_group; DELETE FROM _spi_group_chunk; DELETE FROM _spi_key")
            try raw.execute("UPDATE _spi_meta SET value = 2 WHERE key = 'replica.schema'")
            let signer = try #require(r[1].signer)
            let upgraded = try Replica(path: r[1].path, logger: testLogger)
            upgraded.signer = signer
            // It no longer claims the origin's changes it cannot prove, and sends none of them.
            #expect(try upgraded.knowledge()[origin] < received)
            let batches = try delta(from: upgraded, to: r[2])
            #expect(batches.allSatisfy { $0.rows.isEmpty })
            for batch in batches { try r[2].apply(batch, gate: ProofGate()) }
            #expect(try content(r[2]).isEmpty)
            #expect(try r[2].knowledge()[origin] < received)
            // The origin sends them again, signed; then the upgraded replica relays them.
            try sync(r[0], into: upgraded, gate: ProofGate())
            #expect(try upgraded.knowledge()[origin] >= received)
            try sync(upgraded, into: r[2], gate: ProofGate())
            #expect(try content(r[2]) == content(r[0]))
        }
    }

    @Test("a replica opened by path signs with the key beside it; a key of another site is not used")
    func keyBesideTheFile() throws {
        try withTemporaryDirectory { dir in
            let signer = ChangeSetSigner()
            let path = dir.appendingPathComponent("a.db").path
            let created = try Replica.create(at: path, registerID: RegisterID(), signer: signer, logger: testLogger)
            #expect(created.siteID == signer.site)
            try signer.privateKeyPEM.write(toFile: path + ".key", atomically: true, encoding: .utf8)
            #expect(try Replica(path: path, logger: testLogger).signer?.site == signer.site)
            try ChangeSetSigner().privateKeyPEM.write(toFile: path + ".key", atomically: true, encoding: .utf8)
            #expect(try Replica(path: path, logger: testLogger).signer == nil)
        }
    }

    /// A signer's chunks (protocol/changes.md §7.2), as the spec's words give them: the group's rows in bytewise order,
    /// a new chunk at the first row after 512 entries, each chunk's distinct leaves in ascending order. Read directly:
    /// a dictionary of the rows, a set of the leaves.
    static func specChunks(
        _ entries: [(row: OriginProofs.RowRef, leaf: OriginProofs.Leaf)]
    ) -> [(first: OriginProofs.RowRef, last: OriginProofs.RowRef, leaves: [UInt8])] {
        var byRow: [OriginProofs.RowRef: [OriginProofs.Leaf]] = [:]
        for entry in entries { byRow[entry.row, default: []].append(entry.leaf) }
        var chunks: [(first: OriginProofs.RowRef, last: OriginProofs.RowRef, leaves: [UInt8])] = []
        var open: (first: OriginProofs.RowRef, last: OriginProofs.RowRef, leaves: [OriginProofs.Leaf])?
        func close() {
            guard let chunk = open else { return }
            chunks.append((chunk.first, chunk.last, Set(chunk.leaves).sorted().flatMap(\.bytes)))
            open = nil
        }
        for row in byRow.keys.sorted() {
            if let chunk = open, chunk.leaves.count >= OriginProofs.chunkSize { close() }
            if open == nil { open = (row, row, []) }
            open!.last = row
            open!.leaves += byRow[row]!
        }
        close()
        return chunks
    }

    /// The chunks are cut from runs of a row's entries (a delta reads them together), not by hashing each entry's row:
    /// whatever the order of the entries, and with a row's entries in several runs and leaves repeated, they are the
    /// spec's.
    @Test("a signer's chunks and their leaves are the spec's, whatever the order of the entries", arguments: 0..<60)
    func chunksAreTheSpecs(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let tables = ["interface", "raci_assignment", "note", "ünïcode"]
        func leaf() -> OriginProofs.Leaf {
            OriginProofs.Leaf((0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        let pool = (0..<8).map { _ in leaf() }
        var entries: [(row: OriginProofs.RowRef, leaf: OriginProofs.Leaf)] = []
        for _ in 0..<(1 + random.next(below: 700)) {
            // Row ids of several lengths and scripts, some rows several times (in separate runs).
            let row = OriginProofs.RowRef(
                table: tables[random.next(below: tables.count)],
                id: ["r", "R", "é-", "0"][random.next(below: 4)] + String(random.next(below: 900)))
            for _ in 0..<(1 + random.next(below: 7)) {
                entries.append((row, random.next(below: 10) == 0 ? pool[random.next(below: pool.count)] : leaf()))
            }
        }
        if seed % 2 == 1 { entries.shuffle(using: &random) }
        let chunks = OriginProofs.chunks(of: entries)
        let expected = Self.specChunks(entries)
        #expect(chunks.count == expected.count)
        for (chunk, spec) in zip(chunks, expected) {
            #expect(chunk.first == spec.first && chunk.last == spec.last, "seed \(seed)")
            #expect(chunk.leaves == spec.leaves, "seed \(seed)")
        }
        // Leaves are distinct and ascending, whatever their repeats.
        let leaves = entries.map(\.leaf)
        #expect(OriginProofs.sortedLeaves(leaves) == Set(leaves).sorted().flatMap(\.bytes))
    }
}
