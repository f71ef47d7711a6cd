import Foundation
@testable import SPIReplication
import SPISQLite
import SPITestSupport
import Testing

@Suite("Merge semantics")
struct MergeSemanticsTests {
    @Test("an insert made on one replica appears on another, with every storage class intact")
    func insertReplicates() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { db in
                try db.execute(
                    "INSERT INTO note(id, title, body, rank, weight, data) VALUES (?, ?, ?, ?, ?, ?)",
                    ["n1", "Hello", .integer(42), 7, 2.5, .blob([0, 1, 2])])
            }
            let report = try sync(r[0], into: r[1])
            #expect(report.applied > 0)
            #expect(try content(r[0]) == content(r[1]))
            #expect(try r[1].read { try $0.scalar("SELECT body FROM note WHERE id = 'n1'") } == .integer(42))
        }
    }

    @Test("the later of two concurrent edits wins on both replicas, and both log the same conflict")
    func lastWriterWins() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(2, in: dir, clock: clock)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'first')") }
            try sync(r[0], into: r[1])
            clock.advance(10)
            try r[0].write { try $0.execute("UPDATE note SET title = 'from A' WHERE id = 'n1'") }
            clock.advance(10)
            try r[1].write { try $0.execute("UPDATE note SET title = 'from B' WHERE id = 'n1'") }
            try sync(r[0], into: r[1])
            try sync(r[1], into: r[0])
            for replica in r {
                #expect(try replica.read { try $0.scalar("SELECT title FROM note WHERE id = 'n1'") } == "from B")
            }
            let logs = try r.map { replica in
                try replica.read { try $0.rows("SELECT id, winner_value, loser_value FROM _spi_conflict") }
            }
            #expect(logs[0].count == 1)
            #expect(logs[0] == logs[1])
            #expect(logs[0].first?[1] == "from B")
            #expect(logs[0].first?[2] == "from A")
        }
    }

    @Test("sequential edits that saw each other are not conflicts")
    func sequentialIsNotConflict() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(3, in: dir, clock: clock)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'v1')") }
            try sync(r[0], into: r[1])
            clock.advance()
            try r[1].write { try $0.execute("UPDATE note SET title = 'v2' WHERE id = 'n1'") }
            clock.advance()
            try r[1].write { try $0.execute("UPDATE note SET title = 'v3' WHERE id = 'n1'") }
            try sync(r[1], into: r[0])
            try sync(r[1], into: r[2])
            try sync(r[0], into: r[2])
            for replica in r {
                #expect(try replica.read { try $0.scalar("SELECT count(*) FROM _spi_conflict") } == 0)
                #expect(try replica.read { try $0.scalar("SELECT title FROM note") } == "v3")
            }
        }
    }

    @Test("a delete beats a concurrent edit, even a later one")
    func deleteBeatsEdit() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(2, in: dir, clock: clock)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'x')") }
            try sync(r[0], into: r[1])
            clock.advance()
            try r[0].write { try $0.execute("DELETE FROM note WHERE id = 'n1'") }
            clock.advance(1000)
            try r[1].write { try $0.execute("UPDATE note SET title = 'edited later' WHERE id = 'n1'") }
            try sync(r[0], into: r[1])
            try sync(r[1], into: r[0])
            for replica in r {
                #expect(try replica.read { try $0.scalar("SELECT count(*) FROM note") } == 0)
            }
        }
    }

    @Test("re-creating a deleted row resurrects it with only the values given at re-creation")
    func recreateResurrects() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(2, in: dir, clock: clock)
            try r[0].write { try $0.execute("INSERT INTO note(id, title, rank, flag) VALUES ('n1', 'old', 5, 1)") }
            try sync(r[0], into: r[1])
            clock.advance()
            try r[0].write { try $0.execute("DELETE FROM note WHERE id = 'n1'") }
            try sync(r[0], into: r[1])
            clock.advance()
            try r[1].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'new')") }
            clock.advance()
            // A stale edit of the first life, delivered late, must not come back.
            try sync(r[1], into: r[0])
            try sync(r[0], into: r[1])
            for replica in r {
                let row = try replica.read { try $0.rows("SELECT title, rank, flag FROM note WHERE id = 'n1'") }
                #expect(row == [["new", .null, 0]])
            }
            #expect(try r[0].read { try $0.scalar("SELECT cl FROM _spi_row WHERE id = 'n1'") } == 3)
        }
    }

    @Test("equal clocks are broken by site id, the same way on every replica")
    func tieBreakBySite() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(2, in: dir, clock: clock)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'base')") }
            try sync(r[0], into: r[1])
            clock.advance(5)
            // Same wall clock on both: each stamps the same reading.
            try r[0].write { try $0.execute("UPDATE note SET title = 'zero' WHERE id = 'n1'") }
            try r[1].write { try $0.execute("UPDATE note SET title = 'one' WHERE id = 'n1'") }
            let c0 = try r[0].read { try $0.scalar("SELECT hlc FROM _spi_clock") }
            let c1 = try r[1].read { try $0.scalar("SELECT hlc FROM _spi_clock") }
            #expect(c0 == c1)
            try sync(r[0], into: r[1])
            try sync(r[1], into: r[0])
            let expected: DatabaseValue = r[0].siteID > r[1].siteID ? "zero" : "one"
            for replica in r {
                let title = try replica.read { try $0.scalar("SELECT title FROM note") }
                #expect(title == expected)
            }
        }
    }

    @Test("a batch whose clock runs too far ahead is refused whole, and nothing changes")
    func clockTooFarAhead() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            r[0].now = { UInt64(Date().timeIntervalSince1970 * 1000) + 3_600_000 } // an hour fast
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'from the future')") }
            let batches = try delta(from: r[0], to: r[1])
            let before = try content(r[1])
            let knowledgeBefore = try r[1].knowledge()
            #expect {
                try r[1].apply(batches[0])
            } throws: { error in
                (error as? ReplicationError)?.code == .clockTooFarAhead
            }
            #expect(try content(r[1]) == before)
            #expect(try r[1].knowledge() == knowledgeBefore)
        }
    }

    @Test("applying the same batch twice changes nothing the second time")
    func idempotent() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { db in
                try db.execute("INSERT INTO note(id, title) VALUES ('a', 'x'), ('b', 'y')")
                try db.execute("INSERT INTO tag(id, note_id, label) VALUES ('t', 'a', 'red')")
            }
            let batches = try delta(from: r[0], to: r[1])
            for batch in batches { try r[1].apply(batch) }
            let once = try content(r[1])
            var second = ApplyReport()
            for batch in batches { second.add(try r[1].apply(batch)) }
            #expect(second.applied == 0)
            #expect(second.alreadyKnown > 0)
            #expect(try content(r[1]) == once)
        }
    }

    @Test("writes made by another SQLite client, outside the API, are captured and replicated")
    func rawSQLWritesReplicate() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('keep', 'a'), ('drop', 'b')") }
            try sync(r[0], into: r[1])
            // A plain connection, as the sqlite3 shell would use: no extension, no API.
            let shell = try Connection(path: r[0].path, mode: .readWrite)
            try shell.execute("INSERT INTO note(id, title, rank) VALUES ('shell', 'typed by hand', 3)")
            try shell.execute("UPDATE note SET title = 'edited by hand' WHERE id = 'keep'")
            try shell.execute("DELETE FROM note WHERE id = 'drop'")
            try sync(r[0], into: r[1])
            #expect(try content(r[0]) == content(r[1]))
            #expect(
                try r[1].read { try $0.rows("SELECT id, title FROM note ORDER BY id") }
                    == [["keep", "edited by hand"], ["shell", "typed by hand"]])
        }
    }

    @Test(
        "the stock sqlite3 shell's edits reach another replica",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func sqlite3ShellEdits() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'before')") }
            try sync(r[0], into: r[1])
            let shell = try WatchedProcess.run(
                URL(fileURLWithPath: "/usr/bin/sqlite3"),
                [
                    r[0].path,
                    "UPDATE note SET title = 'after' WHERE id = 'n1'; INSERT INTO tag(id, note_id, label) VALUES ('t1', 'n1', 'shell');",
                ])
            #expect(shell.status == 0, "\(shell)")
            try sync(r[0], into: r[1])
            #expect(try r[1].read { try $0.scalar("SELECT title FROM note WHERE id = 'n1'") } == "after")
            #expect(try r[1].read { try $0.scalar("SELECT label FROM tag WHERE id = 't1'") } == "shell")
        }
    }

    @Test("a change made on one provider reaches another through the organization")
    func relay() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(3, in: dir) // 0: organization, 1 and 2: providers
            try r[1].write { try $0.execute("INSERT INTO note(id, title) VALUES ('p1', 'from provider one')") }
            try sync(r[1], into: r[0])
            try sync(r[0], into: r[2])
            #expect(try r[2].read { try $0.scalar("SELECT title FROM note WHERE id = 'p1'") } == "from provider one")
            // Nothing is re-sent once known, whichever path it took.
            #expect(try delta(from: r[1], to: r[2]).isEmpty)
        }
    }

    @Test("baseline rows do not replicate, but edits to them do")
    func baselineRows() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            for replica in r {
                try replica.writeBaseline { try $0.execute("INSERT INTO note(id, title) VALUES ('seed', 'reference')") }
            }
            #expect(try delta(from: r[0], to: r[1]).isEmpty)
            try r[0].write { try $0.execute("UPDATE note SET title = 'owned' WHERE id = 'seed'") }
            try sync(r[0], into: r[1])
            #expect(try r[1].read { try $0.scalar("SELECT title FROM note WHERE id = 'seed'") } == "owned")
            try r[1].write { try $0.execute("DELETE FROM note WHERE id = 'seed'") }
            try sync(r[1], into: r[0])
            #expect(try r[0].read { try $0.scalar("SELECT count(*) FROM note") } == 0)
        }
    }

    @Test(
        "a baseline row's life in one transaction (delete, re-insert, replace) reaches every replica",
        arguments: [
            [
                "DELETE FROM note WHERE id = 'seed'", "INSERT INTO note(id, title) VALUES ('seed', 'again')",
                "DELETE FROM note WHERE id = 'seed'",
            ],
            ["DELETE FROM note WHERE id = 'seed'", "INSERT INTO note(id, title) VALUES ('seed', 'again')"],
            [
                "UPDATE note SET title = 'changed' WHERE id = 'seed'", "DELETE FROM note WHERE id = 'seed'",
                "INSERT INTO note(id, title) VALUES ('seed', 'again')", "DELETE FROM note WHERE id = 'seed'",
            ],
            // INSERT OR REPLACE deletes the old row without firing the delete trigger.
            [
                "INSERT OR REPLACE INTO note(id, title) VALUES ('seed', 'replaced')",
                "DELETE FROM note WHERE id = 'seed'",
            ],
            ["INSERT OR REPLACE INTO note(id, title) VALUES ('seed', 'replaced')"],
        ])
    func baselineRowLivesInOneTransaction(statements: [String]) throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            for replica in r {
                try replica.writeBaseline { try $0.execute("INSERT INTO note(id, title) VALUES ('seed', 'reference')") }
            }
            try r[0].write { db in for sql in statements { try db.execute(sql) } }
            try sync(r[0], into: r[1])
            try sync(r[1], into: r[0])
            #expect(try content(r[0]) == content(r[1]))
            let expected: DatabaseValue = statements.last!.hasPrefix("DELETE") ? 0 : 1
            #expect(try r[1].read { try $0.scalar("SELECT count(*) FROM note WHERE id = 'seed'") } == expected)
        }
    }

    @Test(
        "an edit of a baseline row is relayed onwards by a replica that merged it",
        arguments: [false, true])
    func baselineEditRelayed(withoutBaselineMetadata: Bool) throws {
        try withTemporaryDirectory { dir in
            var r = try makeReplicas(3, in: dir)
            for replica in r {
                try replica.writeBaseline { db in
                    try db.execute("INSERT INTO note(id, title) VALUES ('seed', 'reference')")
                }
                if withoutBaselineMetadata {
                    // As in files made before baseline rows got their zero version recorded: opened again below.
                    try forgetBaselineMetadata(in: replica)
                }
            }
            if withoutBaselineMetadata { r = try r.map { try Replica(path: $0.path, logger: testLogger) } }
            try r[0].write { try $0.execute("UPDATE note SET title = 'edited' WHERE id = 'seed'") }
            try sync(r[0], into: r[1])
            try sync(r[1], into: r[2])
            #expect(try r[2].read { try $0.scalar("SELECT title FROM note WHERE id = 'seed'") } == "edited")
            #expect(try content(r[0]) == content(r[2]))
        }
    }

    @Test("a file whose baseline rows lack metadata gets it when opened, so replacing and deleting one replicates")
    func baselineMetadataBackfilled() throws {
        try withTemporaryDirectory { dir in
            let made = try makeReplicas(2, in: dir)
            for replica in made {
                try replica.writeBaseline { try $0.execute("INSERT INTO note(id, title) VALUES ('seed', 'reference')") }
                // As in files made before baseline rows got their zero version recorded.
                try forgetBaselineMetadata(in: replica)
                #expect(try replica.read { try $0.scalar("SELECT count(*) FROM _spi_row") } == .integer(0))
            }
            let r = try made.map { try Replica(path: $0.path, logger: testLogger) }
            #expect(
                try r[0].read { try $0.scalar("SELECT cl FROM _spi_row WHERE hlc = 0 AND site = 0") } == .integer(1))
            try r[0].write { db in
                try db.execute("INSERT OR REPLACE INTO note(id, title) VALUES ('seed', 'replaced')")
                try db.execute("DELETE FROM note WHERE id = 'seed'")
            }
            try sync(r[0], into: r[1])
            #expect(try r[1].read { try $0.scalar("SELECT count(*) FROM note WHERE id = 'seed'") } == .integer(0))
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test("a value of the wrong type for its column is refused before anything is applied")
    func invalidValueRefused() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { try $0.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'x', 1)") }
            var batch = try delta(from: r[0], to: r[1])[0]
            let rankColumn = UInt32(batch.tables[Int(batch.rows[0].table)].columns.firstIndex(of: "rank")!)
            let cell = batch.rows[0].cells.firstIndex { $0.column == rankColumn }!
            batch.rows[0].cells[cell].text = "not a number"
            #expect {
                try r[1].apply(batch)
            } throws: { error in
                (error as? ReplicationError)?.code == .invalidValue
            }
            #expect(try content(r[1]).isEmpty)
        }
    }
}

@Suite("Conflict log")
struct ConflictLogTests {
    @Test("open conflicts are found through their own index, also in a file made before it existed")
    func openConflictIndex() throws {
        try withTemporaryDirectory { dir in
            let made = try makeReplicas(1, in: dir)
            func plan(_ replica: Replica) throws -> String {
                // Prepared afresh each time: an EXPLAIN program reads no table, so a cached one never notices a schema
                // change and keeps describing the old plan.
                try replica.read { db in
                    let stmt = try db.prepare(
                        "EXPLAIN QUERY PLAN SELECT EXISTS (SELECT 1 FROM _spi_conflict WHERE resolved_hlc IS NULL)")
                    var details: [String] = []
                    while try stmt.step() { details.append(stmt.text(3) ?? "") }
                    return details.joined(separator: " | ")
                }
            }
            #expect(try plan(made[0]).contains("_spi_conflict_open"))
            try made[0].writeBaseline { try $0.execute("DROP INDEX _spi_conflict_open") }
            #expect(try !plan(made[0]).contains("_spi_conflict_open"))
            let reopened = try Replica(path: made[0].path, logger: testLogger)
            #expect(try plan(reopened).contains("_spi_conflict_open"))
        }
    }

    @Test("a local write settles exactly the open conflicts of what it writes, found through the conflicts' index")
    func localWritesSettleTheirConflicts() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(2, in: dir, clock: clock)
            let ids = (0..<40).map { "n\($0)" }
            try r[0].write { db in
                for id in ids {
                    try db.execute("INSERT INTO note(id, title, rank) VALUES (?, 'draft', 0)", [.text(id)])
                }
            }
            try sync(r[0], into: r[1])
            clock.advance(10)
            try r[1].write { db in
                for id in ids { try db.execute("UPDATE note SET title = 'B' WHERE id = ?", [.text(id)]) }
            }
            clock.advance(10)
            try r[0].write { db in
                for id in ids { try db.execute("UPDATE note SET title = 'A' WHERE id = ?", [.text(id)]) }
            }
            try sync(r[0], into: r[1])
            #expect(try r[1].conflicts().count == ids.count)

            // Several writes wait to be stamped together; then a shell edit after them, stamped with its own clock.
            r[1].pendingStampLimit = 1_000
            clock.advance(10)
            try r[1].write { try $0.execute("UPDATE note SET title = 'mine' WHERE id = 'n5'") }
            try r[1].write { try $0.execute("UPDATE note SET rank = 9 WHERE id = 'n6'") } // another cell: still open
            try r[1].write { try $0.execute("DELETE FROM note WHERE id = 'n7'") }
            let shell = try Connection(path: r[1].path, mode: .readWrite)
            try shell.execute("UPDATE note SET title = 'shell' WHERE id = 'n8'")
            let open = Set(try r[1].conflicts().map(\.rowID))
            #expect(open == Set(ids).subtracting(["n5", "n7", "n8"]))
            #expect(try r[1].conflicts(includeResolved: true).count == ids.count)

            let plan = try r[1].read { db in
                let stmt = try db.prepare("EXPLAIN QUERY PLAN " + Replica.conflictsWrittenSQL)
                try stmt.bind([.integer(0), .integer(1)])
                var details: [String] = []
                while try stmt.step() { details.append(stmt.text(3) ?? "") }
                return details
            }
            #expect(plan.first?.hasPrefix("SEARCH c USING INTEGER PRIMARY KEY") == true, "\(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH f USING INDEX _spi_conflict_") }, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN f") }, "\(plan)")
        }
    }

    @Test("both replicas list the same conflict; resolving it on one settles the value and the conflict on both")
    func lifecycle() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(2, in: dir, clock: clock)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'draft')") }
            try sync(r[0], into: r[1])
            clock.advance(10)
            try r[0].write { try $0.execute("UPDATE note SET title = 'A says' WHERE id = 'n1'") }
            clock.advance(10)
            try r[1].write { try $0.execute("UPDATE note SET title = 'B says' WHERE id = 'n1'") }
            try sync(r[0], into: r[1])
            try sync(r[1], into: r[0])
            let lists = try r.map { try $0.conflicts() }
            #expect(lists[0].count == 1)
            #expect(
                lists[0]
                    == lists[1].map { conflict in
                        var same = conflict
                        same.detected = lists[0][0].detected // detection time is each replica's own
                        return same
                    })
            let conflict = try #require(lists[0].first)
            #expect(conflict.winner.value == "B says" && conflict.loser.value == "A says")
            #expect(conflict.winner.site == r[1].siteID && conflict.loser.site == r[0].siteID)

            clock.advance(10)
            try r[0].resolveConflict(conflict.id, keep: conflict.loser.value)
            #expect(try r[0].conflicts().isEmpty)
            try sync(r[0], into: r[1])
            for replica in r {
                #expect(try replica.conflicts().isEmpty)
                #expect(try replica.conflicts(includeResolved: true).count == 1)
                let title = try replica.read { try $0.scalar("SELECT title FROM note") }
                #expect(title == "A says")
            }
            #expect {
                try r[1].resolveConflict(conflict.id, keep: "again")
            } throws: { error in
                (error as? ReplicationError)?.code == .notFound
            }
        }
    }

    @Test("keeping the value a cell already holds still settles the conflict everywhere")
    func keepWinner() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(2, in: dir, clock: clock)
            try r[0].write { try $0.execute("INSERT INTO note(id, rank) VALUES ('n1', 1)") }
            try sync(r[0], into: r[1])
            clock.advance(5)
            try r[0].write { try $0.execute("UPDATE note SET rank = 2 WHERE id = 'n1'") }
            clock.advance(5)
            try r[1].write { try $0.execute("UPDATE note SET rank = 3 WHERE id = 'n1'") }
            try sync(r[0], into: r[1])
            try sync(r[1], into: r[0])
            let conflict = try #require(try r[1].conflicts().first)
            try r[1].resolveConflict(conflict.id, keep: conflict.winner.value)
            try sync(r[1], into: r[0])
            #expect(try r[0].conflicts().isEmpty && r[1].conflicts().isEmpty)
            let history = try #require(try r[0].history(table: "note", id: "n1"))
            let rank = try #require(history.cells.first { $0.column == "rank" })
            #expect(rank.value == 3 && rank.version.site == r[1].siteID)
        }
    }

    @Test(
        "a deleted row's last values are kept where it was deleted (by the shell's triggers or an API write that asks) and where the delete was merged; never sent"
    )
    func lastValues() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write {
                try $0.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'one', 1), ('n2', 'two', 2)")
            }
            try sync(r[0], into: r[1])
            // An API write keeps them when it asks; the stock sqlite3 shell's delete keeps them through the trigger.
            try r[0].write { db in
                try Replica.keepLastValues(ofRowIn: "note", id: "n1", db)
                try db.execute("DELETE FROM note WHERE id = 'n1'")
            }
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
                let shell = try WatchedProcess.run(
                    URL(fileURLWithPath: "/usr/bin/sqlite3"), [r[0].path, "DELETE FROM note WHERE id = 'n2'"])
                #expect(shell.status == 0, "\(shell)")
            } else {
                try r[0].write { db in
                    try Replica.keepLastValues(ofRowIn: "note", id: "n2", db)
                    try db.execute("DELETE FROM note WHERE id = 'n2'")
                }
            }
            try sync(r[0], into: r[1])
            for replica in r {
                for (id, title, rank) in [("n1", "one", 1), ("n2", "two", 2)] {
                    let history = try #require(try replica.history(table: "note", id: id))
                    #expect(!history.isAlive && history.cells.isEmpty)
                    let values = Dictionary(uniqueKeysWithValues: history.lastValues.map { ($0.column, $0.value) })
                    #expect(
                        values["title"] == .text(title) && values["rank"] == .integer(Int64(rank)),
                        "\(replica.path) \(id): \(values)")
                }
            }
            // Re-created: alive again, with its current cells and no last values.
            try r[1].write { try $0.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'again', 3)") }
            let again = try #require(try r[1].history(table: "note", id: "n1"))
            #expect(again.isAlive && again.lastValues.isEmpty && again.cells.contains { $0.value == .text("again") })
        }
    }

    @Test("a merge's own writes are not captured: the receiver records no local change and sends nothing back")
    func mergeIsNotCaptured() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { db in
                try db.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'one', 1), ('n2', 'two', 2)")
                try db.execute("INSERT INTO tag(id, note_id, label) VALUES ('t1', 'n1', 'x')")
            }
            try r[0].write { db in
                try db.execute("UPDATE note SET title = 'uno' WHERE id = 'n1'")
                try db.execute("DELETE FROM tag WHERE id = 't1'")
            }
            let report = try sync(r[0], into: r[1])
            #expect(report.applied > 0)
            #expect(try r[1].read { try $0.scalar("SELECT count(*) FROM _spi_capture") } == .integer(0))
            // Nothing was stamped as the receiver's own: it has no row or cell of its own, and sends r0 no change
            // (only its knowledge of itself, raised to its clock: it made nothing before it).
            #expect(try r[1].read { try $0.scalar("SELECT count(*) FROM _spi_row WHERE site = 1") } == .integer(0))
            #expect(try r[1].read { try $0.scalar("SELECT count(*) FROM _spi_clock WHERE site = 1") } == .integer(0))
            let back = try delta(from: r[1], to: r[0])
            #expect(back.allSatisfy { $0.rows.isEmpty })
            #expect(back.flatMap(\.covers).map(\.site) == [Data(r[1].siteID.bytes)])
            // Coverage alone raises nothing: the two fall quiet.
            try sync(r[1], into: r[0])
            #expect(try delta(from: r[0], to: r[1]).isEmpty)
            // A later local edit on the receiver is still captured.
            let before = try r[1].knowledge()[r[1].siteID]
            try r[1].write { try $0.execute("UPDATE note SET rank = 20 WHERE id = 'n2'") }
            #expect(try r[1].knowledge()[r[1].siteID] > before)
            try sync(r[1], into: r[0])
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test("a re-create reaches a row that baseline writes put back after its delete, without a key clash")
    func recreateOverBaselineRow() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'first')") }
            try sync(r[0], into: r[1])
            try r[0].write { try $0.execute("DELETE FROM note WHERE id = 'n1'") }
            try sync(r[0], into: r[1])
            // The receiver's metadata says n1 is deleted, but a baseline write puts a row back under that id.
            try r[1].writeBaseline { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'baseline')") }
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'second')") }
            let report = try sync(r[0], into: r[1])
            #expect(report.applied > 0)
            #expect(try r[1].read { try $0.scalar("SELECT title FROM note WHERE id = 'n1'") } == "second")
            #expect(try content(r[0]) == content(r[1]))
            #expect(try integrityCheck(r[1]) == "ok")
        }
    }

    @Test(
        "a column repeated in one forged change is judged against the value as stored (integer in REAL reads back as real)"
    )
    func repeatedColumnJudgedAsStored() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { try $0.execute("INSERT INTO note(id, title, weight) VALUES ('n1', 'w', 1.0)") }
            try sync(r[0], into: r[1])
            try r[0].write { try $0.execute("UPDATE note SET weight = 5.0 WHERE id = 'n1'") }
            var batches = try delta(from: r[0], to: r[1])
            #expect(batches.count == 1)
            let columns = batches[0].tables.map(\.columns)
            guard
                let rowIndex = batches[0].rows.firstIndex(where: { row in
                    row.cells.contains { columns[Int(row.table)][Int($0.column)] == "weight" }
                })
            else {
                Issue.record("the update's batch has no weight cell")
                return
            }
            let original = batches[0].rows[rowIndex].cells.first {
                columns[Int(batches[0].rows[rowIndex].table)][Int($0.column)] == "weight"
            }!
            // The same version twice: first the integer 5 (stored as 5.0 in a REAL column), then the real 5.0.
            var asInteger = original
            asInteger.integer = 5
            var asReal = original
            asReal.real = 5.0
            batches[0].rows[rowIndex].cells = [asInteger, asReal]
            let report = try r[1].apply(batches[0])
            #expect(report.applied == 1)
            #expect(report.alreadyKnown == 1)
            #expect(report.conflicts == 0)
            #expect(try r[1].read { try $0.scalar("SELECT weight FROM note WHERE id = 'n1'") } == .real(5.0))
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test("text holding U+0000 is stored whole, in rows and in row keys")
    func textWithNul() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            let title = "before\u{0}after"
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES (?, ?)", ["n\u{0}1", .text(title)]) }
            try sync(r[0], into: r[1])
            #expect(try r[1].read { try $0.scalar("SELECT length(CAST(title AS BLOB)) FROM note") } == .integer(12))
            #expect(try content(r[0]) == content(r[1]))
            try r[1].write { try $0.execute("UPDATE note SET rank = 3 WHERE id = ?", ["n\u{0}1"]) }
            try sync(r[1], into: r[0])
            #expect(try r[0].read { try $0.scalar("SELECT rank FROM note WHERE id = ?", ["n\u{0}1"]) } == .integer(3))
            #expect(try content(r[0]) == content(r[1]))
        }
    }
}

/// Makes a replica's file look as if made before baseline rows got their zero version recorded, through a plain
/// connection (the library's own writes would record it again).
func forgetBaselineMetadata(in replica: Replica) throws {
    let db = try Connection(path: replica.path, mode: .readWrite)
    try db.execute("DELETE FROM _spi_row WHERE hlc = 0 AND site = 0")
    try db.execute("DELETE FROM _spi_meta WHERE key = 'baseline.recorded'")
}
