import Foundation
import Logging
@testable import SPIReplication
import SPISQLite
import SPITestSupport
import Testing

/// Differential checks: the fast stamping path must give exactly the metadata the general path gives, and stamping
/// many transactions at once exactly what stamping each as it commits gives.
@Suite struct StampPathTests {

    static let schema = """
        CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, title TEXT, body ANY, rank INTEGER, flag INTEGER NOT NULL DEFAULT 0) STRICT;
        CREATE TABLE tag (id TEXT PRIMARY KEY NOT NULL, label TEXT) STRICT;
        """

    func dump(_ r: Replica) throws -> [[DatabaseValue]] {
        try r.read { db in
            try db.rows(
                "SELECT 'row', tbl, id, cl, hlc, site, 0, 0, 0 FROM _spi_row UNION ALL SELECT 'cell', tbl, id, col, hlc, site, prior_hlc, prior_site, 0 FROM _spi_clock UNION ALL SELECT 'note', 0, id, title, body, rank, flag, 0, 0 FROM note UNION ALL SELECT 'tag', 0, id, label, 0, 0, 0, 0, 0 FROM tag ORDER BY 1, 2, 3, 4"
            )
        }
    }

    @Test(
        "the fast stamping path gives exactly the metadata of the general path, and deferred stamping that of stamping each write",
        arguments: 0..<150)
    func pathsAgree(seed: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stampcheck-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let register = RegisterID()
        let site = SiteID()
        var replicas: [Replica] = []
        var raws: [Connection] = []
        var rng = SplitMix64(seed: UInt64(seed))
        // Replicas 0 and 1 stamp every write as it commits, on the fast path and the general one; replica 2 lets a
        // few writes' entries wait (how many depends on the seed), then stamps them together.
        for (i, (fast, limit)) in [(true, 0), (false, 0), (true, 1 + rng.next(below: 60))].enumerated() {
            let path = dir.appendingPathComponent("r\(i).db").path
            let r = try Replica.create(at: path, registerID: register, siteID: site, logger: logger)
            r.now = { 1_764_410_000_000 }
            r.stampSignal.fastPathEnabled = fast
            r.pendingStampLimit = limit
            try r.writeBaseline { db in
                try db.execute(Self.schema)
                try db.execute(
                    "INSERT INTO note(id, title) VALUES ('00000000-0000-7000-8000-000000000001', 'seed'), ('seed-2', 'seed two')"
                )
            }
            try r.track(tables: ["note", "tag"])
            replicas.append(r)
            raws.append(try Connection(path: path, mode: .readWrite))
        }
        let ids =
            (0..<8).map { $0 < 6 ? String(format: "00000000-0000-7000-8000-%012x", $0) : "Key-\($0)" } + ["seed-2"]
        var statements: [String] = []
        for _ in 0..<40 {
            let n = 1 + rng.next(below: 4)
            var tx: [String] = []
            for _ in 0..<n {
                let id = ids[rng.next(below: ids.count)]
                let t = rng.next(below: 2) == 0 ? "note" : "tag"
                let v = rng.next(below: 3)
                switch rng.next(below: 10) {
                case 0, 1:
                    tx.append(
                        t == "note"
                            ? "INSERT OR IGNORE INTO note(id, title, rank) VALUES ('\(id)', 't\(v)', \(v))"
                            : "INSERT OR IGNORE INTO tag(id, label) VALUES ('\(id)', 'l\(v)')")
                case 2:
                    tx.append(
                        t == "note"
                            ? "INSERT OR REPLACE INTO note(id, title, body) VALUES ('\(id)', 'r\(v)', \(v))"
                            : "INSERT OR REPLACE INTO tag(id, label) VALUES ('\(id)', 'r\(v)')")
                case 3, 4, 5:
                    tx.append(
                        t == "note"
                            ? "UPDATE note SET title = 'u\(v)'\(rng.next(below: 2) == 0 ? ", flag = \(v)" : "") WHERE id = '\(id)'"
                            : "UPDATE tag SET label = 'u\(v)' WHERE id = '\(id)'")
                case 6:
                    tx.append(
                        t == "note"
                            ? "UPDATE note SET body = \(rng.next(below: 2) == 0 ? "\(v)" : "\(v).0") WHERE id = '\(id)'"
                            : "UPDATE tag SET label = label WHERE id = '\(id)'")
                case 7: tx.append("DELETE FROM \(t) WHERE id = '\(id)'")
                case 8:
                    tx.append("UPDATE OR IGNORE \(t) SET id = '\(ids[rng.next(below: ids.count)])' WHERE id = '\(id)'")
                default:
                    tx.append(
                        "INSERT INTO \(t)(id) VALUES ('\(id)') ON CONFLICT(id) DO UPDATE SET \(t == "note" ? "rank = \(v)" : "label = 'x\(v)'")"
                    )
                }
            }
            statements.append(contentsOf: tx)
            let viaShell = rng.next(below: 5) == 0
            for (r, raw) in zip(replicas, raws) {
                if viaShell {
                    try raw.transaction { db in for s in tx { try db.execute(s) } }
                } else {
                    try r.write { db in for s in tx { try db.execute(s) } }
                }
            }
            if !viaShell {
                #expect(try dump(replicas[0]) == dump(replicas[1]), "seed \(seed) after \(statements)")
                // After a library write nothing is left unmarked, so stamping the waiting groups takes no new clock.
                if rng.next(below: 4) == 0 {
                    try replicas[2].stamp()
                    #expect(try dump(replicas[0]) == dump(replicas[2]), "seed \(seed) after \(statements)")
                }
            }
        }
        for r in replicas { _ = try r.knowledge() }
        #expect(try dump(replicas[0]) == dump(replicas[1]), "seed \(seed)")
        #expect(try dump(replicas[0]) == dump(replicas[2]), "seed \(seed), deferred stamping")
        #expect(try replicas[0].knowledge() == replicas[2].knowledge(), "seed \(seed)")
    }

    @Test("replacing a live row of a table narrower than the widest one versions only its own columns, and it travels")
    func replaceInNarrowTable() throws {
        try withTemporaryDirectory { dir in
            let replicas = try makeReplicas(2, in: dir)
            for hook in [true, false] {
                replicas[0].capturesWithPreUpdateHook = hook
                let id = hook ? "tag-hook" : "tag-triggers"
                try replicas[0].write { db in try db.execute("INSERT INTO tag(id, label) VALUES (?, 'a')", [.text(id)])
                }
                try replicas[0].write { db in
                    try db.execute("INSERT OR REPLACE INTO tag(id, label) VALUES (?, 'b')", [.text(id)])
                }
                try replicas[0].stamp()
                // tag has 2 columns besides id; note, the widest, has 6.
                let stray = try replicas[0].read { db in
                    try db.scalar(
                        "SELECT count(*) FROM _spi_clock c JOIN _spi_table t ON t.idx = c.tbl WHERE t.name = 'tag' AND c.col >= 2"
                    )
                }
                #expect(stray == .integer(0), "hook: \(hook)")
            }
            try sync(replicas[0], into: replicas[1])
            #expect(try content(replicas[1]) == content(replicas[0]))
        }
    }
}
