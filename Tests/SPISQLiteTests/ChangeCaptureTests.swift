import Foundation
import SPISQLite
import Testing

@Suite("ChangeCapture")
struct ChangeCaptureTests {
    typealias Entry = ChangeCapture.Entry

    /// A connection with one table `t` (id, a INTEGER, b ANY, c REAL, d TEXT) and a capture of it.
    func make() throws -> (Connection, ChangeCapture) {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, a INTEGER, b ANY, c REAL, d TEXT) STRICT")
        try db.execute("CREATE TABLE other (id TEXT PRIMARY KEY NOT NULL, x INTEGER) STRICT")
        let capture = try #require(ChangeCapture(connection: db), "Debian's SQLite has the pre-update hook")
        try capture.configure([
            .init(
                name: "t", number: 7, keyColumn: 0,
                columns: [
                    .init(index: 1, bit: 0), .init(index: 2, bit: 1, comparesStorageClass: true),
                    .init(index: 3, bit: 2), .init(index: 4, bit: 5),
                ])
        ])
        return (db, capture)
    }

    func insert(_ id: String) -> Entry { Entry(table: 7, operation: .insert, mask: -1, key: .text(id)) }
    func update(_ id: String, _ mask: Int64) -> Entry {
        Entry(table: 7, operation: .update, mask: mask, key: .text(id))
    }
    func delete(_ id: String) -> Entry { Entry(table: 7, operation: .delete, mask: 0, key: .text(id)) }

    @Test("logs inserts, updates with the mask of changed columns, re-keys and deletes, of the chosen tables only")
    func entries() throws {
        let (db, capture) = try make()
        try capture.record {
            try db.execute("INSERT INTO t(id, a, b, c, d) VALUES ('x', 1, 1, 1.5, 'p'), ('y', 2, 'two', 2.5, 'q')")
            try db.execute("INSERT INTO other(id, x) VALUES ('x', 1)")
            try db.execute("UPDATE t SET a = 1, d = 'P' WHERE id = 'x'") // a unchanged, d changed
            try db.execute("UPDATE t SET b = 1.0 WHERE id = 'x'") // same value, another storage class: ANY counts it
            try db.execute("UPDATE t SET c = 1.5 WHERE id = 'x'") // nothing changed: logged with mask 0
            try db.execute("UPDATE t SET b = NULL, c = NULL WHERE id = 'y'")
            try db.execute("UPDATE t SET id = 'z' WHERE id = 'y'")
            try db.execute("DELETE FROM t WHERE id = 'x'")
            try db.execute("DELETE FROM other")
        }
        #expect(capture.isExact)
        #expect(
            capture.entries == [
                insert("x"), insert("y"), update("x", 1 << 5), update("x", 1 << 1), update("x", 0),
                update("y", 1 << 1 | 1 << 2), delete("y"), insert("z"), delete("x"),
            ])
        // Outside record(_:) nothing is logged.
        try db.execute("INSERT INTO t(id) VALUES ('w')")
        #expect(capture.count == 9)
    }

    @Test("a delete that REPLACE makes is not logged, but a delete and an insert in two statements are")
    func replace() throws {
        let (db, capture) = try make()
        try db.execute("INSERT INTO t(id, a) VALUES ('x', 1), ('y', 2)")
        try capture.record {
            try db.execute("INSERT OR REPLACE INTO t(id, a) VALUES ('x', 3)")
            try db.execute("UPDATE OR REPLACE t SET id = 'x' WHERE id = 'y'")
            try db.execute("DELETE FROM t WHERE id = 'x'")
            try db.execute("INSERT INTO t(id, a) VALUES ('x', 4)")
            // The whole table at once (SQLite's truncate optimization must not hide the rows).
            try db.execute("DELETE FROM t")
        }
        #expect(capture.entries == [insert("x"), delete("y"), insert("x"), delete("x"), insert("x"), delete("x")])
    }

    @Test("withoutTriggers pauses it, a failed statement or a rollback makes it inexact, a flush writes and restarts")
    func exactness() throws {
        let (db, capture) = try make()
        try db.execute("CREATE TABLE log (tbl INTEGER, id ANY, op INTEGER, mask INTEGER)")
        try db.transaction { db in
            try capture.record {
                try db.withoutTriggers { db in try db.execute("INSERT INTO t(id) VALUES ('silent')") }
                try db.execute("INSERT INTO t(id) VALUES ('a')")
                #expect(capture.isExact)
                #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO t(id, a) VALUES ('b', 1), ('b', 2)") }
                #expect(!capture.isExact)
                // The failed statement's first row was undone, yet logged.
                #expect(capture.entries == [insert("a"), insert("b")])
                try capture.flush(into: db.cached("INSERT INTO log(tbl, id, op, mask) VALUES (?, ?, ?, ?)"))
                // Written, but kept (a savepoint could still roll the log rows back), and still inexact.
                #expect(capture.unflushedCount == 0 && capture.count == 2 && !capture.isExact)
                try db.execute("INSERT INTO t(id) VALUES ('d')")
                #expect(capture.unflushedCount == 1)
                capture.discard()
                #expect(capture.isExact && capture.count == 0)
                try db.execute("SAVEPOINT s")
                try db.execute("INSERT INTO t(id) VALUES ('c')")
                try db.execute("ROLLBACK TO s")
                #expect(!capture.isExact)
                capture.discard()
                #expect(capture.isExact && capture.count == 0)
                // A trigger created while recording is reported (it cannot fire while the caller has them off).
                #expect(!capture.createdTrigger)
                try db.execute("CREATE TEMP TABLE mytrigger (x)")
                #expect(!capture.createdTrigger)
                try db.execute("/* audit */ create temporary trigger a1 after insert on main.t begin select 1; end")
                #expect(capture.createdTrigger)
            }
        }
        #expect(
            try db.rows("SELECT tbl, id, op, mask FROM log") == [
                [.integer(7), .text("a"), .integer(1), .integer(-1)],
                [.integer(7), .text("b"), .integer(1), .integer(-1)],
            ])
    }
}
