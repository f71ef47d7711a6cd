import Foundation
import SPISQLite
@testable import SPIReplication
import SPITestSupport
import Testing

/// A delta signs this replica's own groups as the batches that carry them are made, not all before the first batch
/// (protocol/changes.md §7.2): the proofs must be exactly those of signing everything first, and writes that commit
/// between two batches must never leave a change without a valid proof.
@Suite("lazy signing")
struct LazySigningTests {
    /// The groups of a replica's own it holds a proof of.
    func ownGroups(_ replica: Replica) throws -> Int64 {
        try replica.read { db -> Int64 in
            let count = try db.scalar(
                "SELECT count(*) FROM _spi_group WHERE site = ?", [.integer(Replica.ownSiteIndex)])
            return count?.integerValue ?? 0
        }
    }

    /// The stored proofs, without signatures (ECDSA signatures differ at every signing): digests, chunk ranges and
    /// leaves, and the mark below which every group is signed.
    func storedProofs(_ replica: Replica) throws -> [[DatabaseValue]] {
        try replica.read { db in
            try db.rows("SELECT site, hlc, digests FROM _spi_group ORDER BY site, hlc")
                + db.rows(
                    "SELECT site, hlc, idx, first_table, first_id, last_table, last_id, leaves FROM _spi_group_chunk ORDER BY site, hlc, idx"
                ) + db.rows("SELECT key, value FROM _spi_meta WHERE key = 'proof.signed'")
        }
    }

    /// A batch's bytes with the proofs' signatures left out.
    func unsigned(_ batch: Spi_V1_ChangeBatch) throws -> Data {
        var copy = batch
        for i in copy.proofs.indices { copy.proofs[i].signature = Data() }
        return try copy.serializedData()
    }

    /// Random write transactions: inserts (sometimes a transaction larger than a chunk and than a batch), updates of
    /// one or several columns, deletes and re-creates, some through a plain SQLite connection (captured by triggers).
    func writeRandomTransactions(
        _ replica: Replica, shell: Connection, count: Int, bulk: Bool = false, rng: inout SplitMix64
    ) throws {
        let ids = (0..<12).map { String(format: "00000000-0000-7000-8000-%012x", $0) } + ["Key-a", "Key-b"]
        let bulkAt = bulk ? rng.next(below: count) : -1
        for t in 0..<count {
            var tx: [String] = []
            if t == bulkAt {
                // A transaction of more than 512 entries (a chunk) and more than four batches of 64 cells.
                let base = rng.next(below: 1_000_000)
                for k in 0..<(150 + rng.next(below: 60)) {
                    tx.append(
                        "INSERT OR IGNORE INTO note(id, title, rank, weight) VALUES ('bulk-\(base)-\(k)', 't\(k)', \(k), \(k).5)"
                    )
                }
            }
            for _ in 0..<(1 + rng.next(below: 4)) {
                let id = ids[rng.next(below: ids.count)]
                let v = rng.next(below: 4)
                switch rng.next(below: 8) {
                case 0, 1:
                    tx.append(
                        "INSERT OR IGNORE INTO note(id, title, rank, data) VALUES ('\(id)', 't\(v)', \(v), x'0\(v)')")
                case 2: tx.append("INSERT OR REPLACE INTO tag(id, note_id, label) VALUES ('\(id)', '\(id)', 'r\(v)')")
                case 3, 4: tx.append("UPDATE note SET title = 'u\(v)', body = \(v) WHERE id = '\(id)'")
                case 5: tx.append("UPDATE note SET weight = \(v).25 WHERE id = '\(id)'")
                case 6: tx.append("DELETE FROM \(rng.next(below: 2) == 0 ? "note" : "tag") WHERE id = '\(id)'")
                default: tx.append("INSERT OR IGNORE INTO tag(id, note_id, label) VALUES ('\(id)', NULL, 'l\(v)')")
                }
            }
            if rng.next(below: 5) == 0 {
                try shell.transaction { db in for s in tx { try db.execute(s) } }
            } else {
                try replica.write { db in for s in tx { try db.execute(s) } }
            }
        }
    }

    @Test("lazily signed deltas carry byte for byte the proofs of signing every group first", arguments: 0..<300)
    func lazyMatchesEager(seed: Int) throws {
        try withTemporaryDirectory { dir in
            var rng = SplitMix64(seed: UInt64(seed) &* 7919)
            let signer = ChangeSetSigner()
            let eagerPath = dir.appendingPathComponent("eager.db").path
            let lazyPath = dir.appendingPathComponent("lazy.db").path
            let eager = try Replica.create(at: eagerPath, registerID: RegisterID(), signer: signer, logger: testLogger)
            try eager.writeBaseline { db in try db.execute(noteSchema) }
            try eager.track(tables: ["note", "tag"])
            let shell = try Connection(path: eagerPath, mode: .readWrite)
            try writeRandomTransactions(
                eager, shell: shell, count: 3 + rng.next(below: 10), bulk: seed % 5 == 0, rng: &rng)
            try eager.stamp()
            // The same file, bytes and all, for the lazy side.
            try eager.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try FileManager.default.copyItem(atPath: eagerPath, toPath: lazyPath)
            let lazy = try Replica(path: lazyPath, logger: testLogger)
            lazy.signer = signer
            #expect(try ownGroups(lazy) == 0)

            try eager.connection.transaction(.immediate) { db in try eager.signEverythingInOnePass(db) }
            // The lazy side sometimes serves a peer that knows part of its changes first: it signs the later groups
            // first, and the earlier ones in the full delta.
            if rng.next(below: 3) == 0 {
                let clocks = try lazy.read { db in
                    try db.rows(
                        "SELECT DISTINCT hlc FROM _spi_row WHERE site = ? ORDER BY hlc",
                        [.integer(Replica.ownSiteIndex)])
                }
                if let middle = clocks.dropFirst(clocks.count / 2).first?.first?.integerValue {
                    var known = Knowledge()
                    known[lazy.siteID] = UInt64(bitPattern: middle)
                    var cursor = try lazy.deltaCursor(for: known)
                    while try lazy.nextBatch(&cursor, maxCells: 64) != nil {}
                }
            }
            let maxCells = 32 + rng.next(below: 96)
            var eagerCursor = try eager.deltaCursor(for: Knowledge())
            var lazyCursor = try lazy.deltaCursor(for: Knowledge())
            let receiver = try Replica.create(
                at: dir.appendingPathComponent("receiver.db").path, registerID: lazy.registerID,
                signer: ChangeSetSigner(), logger: testLogger)
            try receiver.writeBaseline { db in try db.execute(noteSchema) }
            try receiver.track(tables: ["note", "tag"])
            var batches = 0
            while true {
                let a = try eager.nextBatch(&eagerCursor, maxCells: maxCells)?.message
                let b = try lazy.nextBatch(&lazyCursor, maxCells: maxCells)?.message
                #expect((a == nil) == (b == nil), "seed \(seed): the deltas have different lengths")
                guard let a, let b else { break }
                #expect(try unsigned(a) == unsigned(b), "seed \(seed), batch \(batches)")
                // Every lazily signed proof verifies where proofs are required.
                _ = try receiver.apply(b, gate: ProofGate())
                batches += 1
            }
            #expect(try storedProofs(eager) == storedProofs(lazy), "seed \(seed)")
            #expect(try content(receiver) == content(lazy), "seed \(seed)")
        }
    }

    @Test("a delta signs its groups as it sends them: none before the first batch, all by the last")
    func signsAsItSends() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir, signed: true)
            for t in 0..<6 {
                try r[0].write { db in
                    for k in 0..<20 {
                        try db.execute(
                            "INSERT INTO note(id, title, rank) VALUES (?, 'x', ?)",
                            [.text("n\(t)-\(k)"), .integer(Int64(k))])
                    }
                }
            }
            var cursor = try r[0].deltaCursor(for: try r[1].knowledge())
            #expect(try ownGroups(r[0]) == 0)
            let first = try #require(try r[0].nextBatch(&cursor, maxCells: 32)?.message)
            let afterFirst = try ownGroups(r[0])
            #expect(afterFirst >= 1 && afterFirst < 6, "signed \(afterFirst) of 6 groups with the first batch")
            _ = try r[1].apply(first, gate: ProofGate())
            while let batch = try r[0].nextBatch(&cursor, maxCells: 32) { _ = try r[1].apply(batch, gate: ProofGate()) }
            #expect(try ownGroups(r[0]) == 6)
            #expect(try r[0].read { db in try r[0].hasGroupsToSign(db) } == false)
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test("a value written by another connection and not stamped yet travels under its own version, never an older one")
    func unstampedWritesAreStampedFirst() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir, signed: true)
            try r[0].write { db in try db.execute("INSERT INTO note(id, title) VALUES ('n1', 'old'), ('n2', 'two')") }
            var cursor = try r[0].deltaCursor(for: try r[1].knowledge())
            let created = try r[0].read { db in
                try db.scalar("SELECT max(hlc) FROM _spi_row WHERE site = ?", [.integer(Replica.ownSiteIndex)])
            }
            // Another connection writes and leaves its versions to be stamped later (its log is far from full).
            let other = try Replica(path: dir.appendingPathComponent("r0.db").path, logger: testLogger)
            try other.write { db in try db.execute("UPDATE note SET title = 'new' WHERE id = 'n1'") }
            var batches: [Spi_V1_ChangeBatch] = []
            while let batch = try r[0].nextBatch(&cursor, maxCells: 64)?.message { batches.append(batch) }
            for batch in batches {
                for row in batch.rows {
                    for cell in row.cells where cell.text == "new" {
                        #expect(
                            Int64(bitPattern: cell.hlc != 0 ? cell.hlc : row.hlc) > created?.integerValue ?? 0,
                            "the new title travels under the version of the write that made it")
                    }
                }
                _ = try r[1].apply(batch, gate: ProofGate())
            }
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test(
        "writes committed between two batches, by the library on another connection or by a plain SQLite client, all arrive with valid proofs",
        arguments: 0..<12)
    func writesBetweenBatches(seed: Int) throws {
        try withTemporaryDirectory { dir in
            var rng = SplitMix64(seed: UInt64(seed) &+ 101)
            let r = try makeReplicas(2, in: dir, signed: true)
            let path = dir.appendingPathComponent("r0.db").path
            // Another connection to the sender's file, and a plain SQLite one (triggers capture its writes).
            let other = try Replica(path: path, logger: testLogger)
            let shell = try Connection(path: path, mode: .readWrite)
            try writeRandomTransactions(r[0], shell: shell, count: 8, rng: &rng)
            try writeRandomTransactions(
                r[1], shell: try Connection(path: dir.appendingPathComponent("r1.db").path, mode: .readWrite), count: 3,
                rng: &rng)
            for round in 0..<2 {
                var cursor = try r[0].deltaCursor(for: try r[1].knowledge())
                var sent = 0
                while let batch = try r[0].nextBatch(&cursor, maxCells: 16 + rng.next(below: 48))?.message {
                    // Refused whole if any change lacks its proof or is not what its origin signed.
                    _ = try r[1].apply(batch, gate: ProofGate())
                    sent += 1
                    guard round == 0 else { continue }
                    // Writes that supersede changes sent already and changes not sent yet, some stamped at once and
                    // some left for the next batch to stamp.
                    other.pendingStampLimit = rng.next(below: 2) == 0 ? 0 : 50_000
                    try writeRandomTransactions(other, shell: shell, count: 1 + rng.next(below: 2), rng: &rng)
                }
                if round == 0 { #expect(sent > 0, "seed \(seed)") }
            }
            // The second round brought what the first could not (writes after its last batch); the other way too.
            for batch in try delta(from: r[1], to: r[0]) { _ = try r[0].apply(batch, gate: ProofGate()) }
            for batch in try delta(from: r[0], to: r[1]) { _ = try r[1].apply(batch, gate: ProofGate()) }
            #expect(try content(r[0]) == content(r[1]), "seed \(seed)")
            #expect(try integrityCheck(r[0]) == "ok")
            #expect(try integrityCheck(r[1]) == "ok")
            #expect(try r[1].knowledge()[r[0].siteID] == r[0].knowledge()[r[0].siteID], "seed \(seed)")
        }
    }
}

extension Replica {
    /// How a replica signed before deltas signed lazily (until 2026-12-07): every group not signed yet, in one pass
    /// over its changes, before the first batch. The reference of the differential test above.
    func signEverythingInOnePass(_ db: Connection) throws {
        let own = DatabaseValue.integer(Self.ownSiteIndex)
        let signed = try db.scalar("SELECT value FROM _spi_meta WHERE key = 'proof.signed'")?.integerValue ?? 0
        let newest = max(
            try db.scalar("SELECT max(hlc) FROM _spi_row WHERE site = ?", [own])?.integerValue ?? 0,
            try db.scalar("SELECT max(hlc) FROM _spi_clock WHERE site = ?", [own])?.integerValue ?? 0)
        guard let signer, newest > signed else { return }
        var since = Knowledge()
        since[siteID] = UInt64(bitPattern: signed)
        var cursor = DeltaCursor(peer: since, sites: [siteID])
        var groups: [UInt64: [(row: OriginProofs.RowRef, leaf: OriginProofs.Leaf)]] = [:]
        while true {
            var builder = BatchBuilder()
            let finished = try fill(&builder, site: siteID, cursor: &cursor, budget: 8192, db)
            for entry in try OriginProofs.entryLeaves(of: builder.batch) {
                groups[entry.group.hlc, default: []].append((entry.row, entry.leaf))
            }
            if finished { break }
        }
        try db.execute("INSERT OR IGNORE INTO _spi_key(site, key) VALUES (?, ?)", [own, .blob(signer.publicKeyDER)])
        for (hlc, entries) in groups {
            let group = OriginProofs.GroupKey(site: siteID, hlc: hlc)
            let chunks = OriginProofs.chunks(of: entries)
            let digests = chunks.flatMap(\.digest)
            let signature = try signer.sign(
                OriginProofs.groupMessage(register: registerID, group: group, chunkDigests: digests))
            try storeProof(
                VerifiedGroup(
                    key: group, signature: signature, digests: digests,
                    chunks: Array(chunks.enumerated().map { ($0.offset, $0.element) })),
                db)
        }
        try db.execute(
            "INSERT INTO _spi_meta(key, value) VALUES ('proof.signed', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [.integer(newest)])
    }
}
