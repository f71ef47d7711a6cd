import Foundation
import Logging
@testable import SPIReplication
import SPISQLite
import SPITestSupport
import Testing

/// Library writes are captured by SQLite's pre-update hook instead of the triggers: both must log the same entries,
/// and writes the hook cannot follow exactly (rolled-back parts) must still leave metadata true to the rows.
@Suite struct HookCaptureTests {

    /// A random transaction over `note` and `tag`: inserts, replaces, upserts, updates (to new values, the same
    /// values, another storage class), re-keys (also onto an existing key), deletes (also of a whole table).
    static func transaction(_ rng: inout SplitMix64, ids: [String]) -> [String] {
        (0..<(1 + rng.next(below: 5))).map { _ in
            let id = ids[rng.next(below: ids.count)]
            let other = ids[rng.next(below: ids.count)]
            let v = rng.next(below: 3)
            switch rng.next(below: 14) {
            case 0, 1:
                return "INSERT OR IGNORE INTO note(id, title, rank, weight) VALUES ('\(id)', 't\(v)', \(v), \(v).5)"
            case 2:
                return
                    "INSERT OR REPLACE INTO note(id, title, body) VALUES ('\(id)', 'r\(v)', \(v)), ('\(other)', 'r', x'00')"
            case 3: return "INSERT OR REPLACE INTO tag(id, label) VALUES ('\(id)', 'r\(v)')"
            case 4, 5:
                return
                    "UPDATE note SET title = 'u\(v)'\(rng.next(below: 2) == 0 ? ", flag = \(v)" : "") WHERE id = '\(id)'"
            case 6:
                return
                    "UPDATE note SET body = \(["\(v)", "\(v).0", "'\(v)'", "NULL", "x'0\(v)'"][rng.next(below: 5)]), weight = \(v) WHERE id = '\(id)'"
            case 7: return "UPDATE tag SET label = label WHERE id = '\(id)'"
            case 8: return "DELETE FROM \(rng.next(below: 2) == 0 ? "note" : "tag") WHERE id = '\(id)'"
            case 9:
                return
                    "UPDATE OR \(rng.next(below: 2) == 0 ? "IGNORE" : "REPLACE") note SET id = '\(other)' WHERE id = '\(id)'"
            case 10:
                return "INSERT INTO tag(id, label) VALUES ('\(id)', 'n') ON CONFLICT(id) DO UPDATE SET label = 'x\(v)'"
            case 11: return rng.next(below: 4) == 0 ? "DELETE FROM tag" : "UPDATE note SET rank = rank + 1"
            case 12: return "INSERT OR IGNORE INTO tag(id, note_id, label) SELECT id || '-t', id, title FROM note"
            default: return "UPDATE note SET data = x'ab', title = NULL WHERE rank >= \(v)"
            }
        }
    }

    func makePair(_ dir: URL) throws -> [Replica] {
        let register = RegisterID()
        let site = SiteID()
        return try (0..<2).map { i in
            let r = try Replica.create(
                at: dir.appendingPathComponent("h\(i).db").path, registerID: register, siteID: site, logger: testLogger)
            r.now = { 1_764_410_000_000 }
            r.pendingStampLimit = Int.max
            r.capturesWithPreUpdateHook = i == 0
            try r.writeBaseline { db in
                try db.execute(noteSchema)
                try db.execute("INSERT INTO note(id, title) VALUES ('00000000-0000-7000-8000-000000000001', 'seed')")
            }
            try r.track(tables: ["note", "tag"])
            return r
        }
    }

    func log(_ r: Replica) throws -> [[DatabaseValue]] {
        try r.read { db in try db.rows("SELECT seq, tbl, id, op, mask FROM _spi_capture ORDER BY seq") }
    }

    @Test("the pre-update hook logs exactly the entries the triggers log", arguments: 0..<200)
    func sameEntries(seed: Int) throws {
        try withTemporaryDirectory { dir in
            let replicas = try makePair(dir)
            #expect(replicas[0].hookCaptureEligible)
            var rng = SplitMix64(seed: UInt64(seed) &+ 77_000)
            let ids = (0..<6).map { String(format: "00000000-0000-7000-8000-%012x", $0) } + ["Key-A", "key-a"]
            var history: [[String]] = []
            for _ in 0..<30 {
                let tx = Self.transaction(&rng, ids: ids)
                history.append(tx)
                for r in replicas {
                    try r.write { db in
                        #expect(db.triggersEnabled == !r.capturesWithPreUpdateHook, "the hook replaces the triggers")
                        for s in tx { try db.execute(s) }
                    }
                }
                #expect(try log(replicas[0]) == log(replicas[1]), "seed \(seed) after \(history)")
                if rng.next(below: 6) == 0 { for r in replicas { try r.stamp() } }
            }
            for r in replicas { try r.stamp() }
            #expect(try content(replicas[0]) == content(replicas[1]))
            let metadata =
                "SELECT 'r', tbl, id, cl, hlc, 0 FROM _spi_row UNION ALL SELECT 'c', tbl, id, col, hlc, prior_hlc FROM _spi_clock ORDER BY 1, 2, 3, 4"
            #expect(
                try replicas[0].read { try $0.rows(metadata) } == replicas[1].read { try $0.rows(metadata) },
                "seed \(seed)")
        }
    }

    @Test(
        "writes with parts rolled back (failed statements, savepoints) leave metadata true to the rows, and converge",
        arguments: 0..<60)
    func rolledBackParts(seed: Int) throws {
        try withTemporaryDirectory { dir in
            let replicas = try makeReplicas(3, in: dir)
            let (hooked, receiver, triggered) = (replicas[0], replicas[1], replicas[2])
            triggered.capturesWithPreUpdateHook = false
            var rng = SplitMix64(seed: UInt64(seed) &+ 91_000)
            let ids = (0..<6).map { String(format: "00000000-0000-7000-8000-%012x", $0) }
            for round in 0..<25 {
                let tx = Self.transaction(&rng, ids: ids)
                let rollBackAt = rng.next(below: tx.count + 1)
                let failing = rng.next(below: 3) == 0
                for r in [hooked, triggered] {
                    try r.write { db in
                        for (i, s) in tx.enumerated() {
                            if i == rollBackAt {
                                // A nested transaction that fails: its changes are rolled back, the write goes on.
                                _ = try? db.transaction { db in
                                    try db.execute(s)
                                    throw CancellationError()
                                }
                            } else {
                                try db.execute(s)
                            }
                        }
                        if failing {
                            // A statement that changes a row and then fails (NOT NULL), caught by the caller.
                            #expect(throws: SQLiteError.self) {
                                try db.execute(
                                    "INSERT OR ABORT INTO tag(id, label) SELECT id || '-f', 'f' FROM note UNION ALL SELECT NULL, 'f'"
                                )
                            }
                        }
                    }
                }
                #expect(try content(hooked) == content(triggered), "same SQL, same rows")
                if round % 5 == 4 || round == 24 {
                    try sync(hooked, into: receiver)
                    #expect(try content(receiver) == content(hooked), "seed \(seed) round \(round)")
                    // Live metadata is exactly the rows there are.
                    let stray = """
                        SELECT count(*) FROM _spi_row r JOIN _spi_table t ON t.idx = r.tbl WHERE r.cl % 2 = 1 AND (
                            (t.name = 'note' AND NOT EXISTS (SELECT 1 FROM note n WHERE spi_key(n.id) = r.id)) OR
                            (t.name = 'tag' AND NOT EXISTS (SELECT 1 FROM tag g WHERE spi_key(g.id) = r.id)))
                        """
                    #expect(try hooked.read { try $0.scalar(stray) } == .integer(0), "seed \(seed)")
                }
            }
            #expect(try integrityCheck(hooked) == "ok")
        }
    }

    @Test(
        "a file with triggers of its own (or a temporary trigger) is captured by the triggers, and its triggers still fire"
    )
    func userTriggersKeepTriggerCapture() throws {
        try withTemporaryDirectory { dir in
            let replicas = try makeReplicas(2, in: dir)
            let r = replicas[0]
            try r.write { db in
                #expect(!db.triggersEnabled, "the hook captures while the file has only capture triggers")
            }
            try r.writeBaseline { db in
                try db.execute("CREATE TABLE audit (what TEXT)")
                try db.execute(
                    "CREATE TRIGGER note_audit AFTER INSERT ON note BEGIN INSERT INTO audit VALUES (NEW.id); END")
            }
            try r.write { db in
                #expect(db.triggersEnabled)
                try db.execute("INSERT INTO note(id, title) VALUES ('n1', 'audited')")
            }
            #expect(try r.read { try $0.scalar("SELECT count(*) FROM audit") } == .integer(1))
            try r.writeBaseline { db in try db.execute("DROP TRIGGER note_audit") }
            try r.write { db in #expect(!db.triggersEnabled, "back to the hook once the trigger is gone") }
            // A temporary trigger lives on one connection only, but it would go silent all the same.
            try r.read { db in
                try db.execute(
                    "CREATE TEMP TRIGGER temp_audit AFTER UPDATE ON main.note BEGIN INSERT INTO audit VALUES ('t'); END"
                )
            }
            try r.write { db in
                #expect(db.triggersEnabled)
                try db.execute("UPDATE note SET title = 'again' WHERE id = 'n1'")
            }
            #expect(try r.read { try $0.scalar("SELECT count(*) FROM audit") } == .integer(2))
            try sync(r, into: replicas[1])
            #expect(try content(replicas[1]) == content(r))
            #expect(try content(r).contains { $0.contains("again") })
        }
    }

    /// The replicas' logs and metadata must tell the same story for the same SQL, hook or triggers.
    func rowMeta(_ r: Replica, _ id: String) throws -> [[DatabaseValue]] {
        try r.read { db in try db.rows("SELECT cl, hlc = 0 FROM _spi_row WHERE id = spi_key(?)", [.text(id)]) }
    }

    @Test("a table tracked under another case of its name is captured")
    func tableNameCase() throws {
        try withTemporaryDirectory { dir in
            let register = RegisterID()
            let replicas = try (0..<2).map { i in
                let r = try Replica.create(
                    at: dir.appendingPathComponent("c\(i).db").path, registerID: register, logger: testLogger)
                try r.writeBaseline { db in
                    try db.execute("CREATE TABLE Memo (id TEXT PRIMARY KEY NOT NULL, body TEXT) STRICT")
                }
                try r.track(tables: ["memo"])
                return r
            }
            try replicas[0].write { db in
                #expect(!db.triggersEnabled)
                try db.execute("INSERT INTO memo(id, body) VALUES ('m1', 'x')")
                try db.execute("UPDATE MEMO SET body = 'y' WHERE id = 'm1'")
            }
            try sync(replicas[0], into: replicas[1])
            #expect(try replicas[1].read { try $0.rows("SELECT id, body FROM memo") } == [[.text("m1"), .text("y")]])
        }
    }

    @Test("log rows flushed inside a savepoint that rolls back are logged again from the rows")
    func flushedThenRolledBack() throws {
        try withTemporaryDirectory { dir in
            let replicas = try makeReplicas(2, in: dir)
            let r = replicas[0]
            try r.write { db in
                try db.execute("INSERT INTO note(id, title) VALUES ('a', 'kept')")
                // The nested stamp appends 'a' to the log inside the savepoint, which then rolls back.
                _ = try? db.transaction { _ in
                    try r.stamp()
                    throw CancellationError()
                }
                try db.execute("INSERT INTO note(id, title) VALUES ('b', 'after')")
            }
            try sync(r, into: replicas[1])
            #expect(try content(replicas[1]) == content(r))
            #expect(try content(r).count == 2)
        }
    }

    @Test("baseline rows written inside a write are not captured by it; a write inside writeBaseline is refused")
    func baselineInsideWrite() throws {
        try withTemporaryDirectory { dir in
            let replicas = try makeReplicas(2, in: dir)
            let r = replicas[0]
            try r.write { db in
                try db.execute("INSERT INTO note(id, title) VALUES ('real', 'edit')")
                try r.writeBaseline { db in try db.execute("INSERT INTO note(id, title) VALUES ('seed', 'baseline')") }
            }
            // The other way round, the baseline's end would drop what the write captured: refused, nothing written.
            #expect {
                try r.writeBaseline { _ in
                    try r.write { db in try db.execute("INSERT INTO note(id, title) VALUES ('lost', 'x')") }
                }
            } throws: { ($0 as? ReplicationError)?.code == .unsupportedWrite }
            #expect(try r.read { try $0.scalar("SELECT count(*) FROM note WHERE id = 'lost'") } == .integer(0))
            try r.stamp()
            #expect(try rowMeta(r, "seed") == [[.integer(1), .integer(1)]], "the zero version")
            #expect(try rowMeta(r, "real") == [[.integer(1), .integer(0)]])
            try sync(r, into: replicas[1])
            #expect(try replicas[1].read { try $0.rows("SELECT id FROM note ORDER BY id") } == [[.text("real")]])
        }
    }

    @Test("a row inserted and deleted in a write that also had a failed statement gets no tombstone")
    func noGhostTombstone() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(1, in: dir)[0]
            try r.write { db in
                try db.execute("INSERT INTO note(id, title) VALUES ('ghost', 'x')")
                try db.execute("DELETE FROM note WHERE id = 'ghost'")
                #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO note(id) VALUES (NULL)") }
            }
            try r.stamp()
            #expect(try rowMeta(r, "ghost") == [])
        }
    }

    @Test("a write that creates a trigger is refused whole, with a clear error")
    func triggerInWrite() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(1, in: dir)[0]
            #expect {
                try r.write { db in
                    try db.execute("INSERT INTO note(id, title) VALUES ('n', 'x')")
                    try db.execute("CREATE TRIGGER later AFTER INSERT ON note BEGIN SELECT 1; END")
                }
            } throws: { error in
                (error as? ReplicationError)?.code == .unsupportedWrite && "\(error)".contains("writeBaseline")
            }
            #expect(try content(r).isEmpty)
            #expect(
                try r.read { try $0.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'later'") } == .integer(0))
        }
    }
}
