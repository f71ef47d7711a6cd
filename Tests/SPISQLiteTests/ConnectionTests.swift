import Foundation
import SPISQLite
import Testing

/// A fresh temporary directory, removed after the body runs.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spi-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

@Suite("Connection")
struct ConnectionTests {
    @Test("opens a file in WAL mode and round-trips every storage class")
    func roundTrip() throws {
        try withTemporaryDirectory { dir in
            let db = try Connection(path: dir.appendingPathComponent("a.db").path)
            try db.enableWriteAheadLog()
            #expect(try db.scalar("PRAGMA journal_mode") == .text("wal"))
            try db.execute("CREATE TABLE t(id TEXT PRIMARY KEY, v ANY) STRICT")
            let values: [DatabaseValue] = [
                .null, .integer(-7), .real(2.5), .text("zürich"), .blob([0, 1, 255]), .blob([]),
            ]
            for (i, v) in values.enumerated() {
                try db.execute("INSERT INTO t VALUES (?, ?)", [.text("r\(i)"), v])
            }
            let back = try db.rows("SELECT v FROM t ORDER BY id").map { $0[0] }
            #expect(back == values)
            #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"))
        }
    }

    @Test("a transaction commits on return and rolls back on throw, nesting as savepoints")
    func transactions() throws {
        struct Boom: Error {}
        try withTemporaryDirectory { dir in
            let db = try Connection(path: dir.appendingPathComponent("t.db").path)
            try db.execute("CREATE TABLE t(x INTEGER)")
            try db.transaction { db in try db.execute("INSERT INTO t VALUES (?)", [1]) }
            #expect(throws: Boom.self) {
                try db.transaction { db in
                    try db.execute("INSERT INTO t VALUES (?)", [2])
                    throw Boom()
                }
            }
            try db.transaction { db in
                try db.execute("INSERT INTO t VALUES (?)", [3])
                _ = try? db.transaction { db in
                    try db.execute("INSERT INTO t VALUES (?)", [4])
                    throw Boom()
                }
            }
            #expect(try db.rows("SELECT x FROM t ORDER BY x").map { $0[0] } == [1, 3])
            #expect(!db.isInTransaction)
        }
    }

    @Test("errors carry the code, SQLite's message and the SQL")
    func errors() throws {
        let db = try Connection(path: ":memory:")
        do {
            try db.execute("SELECT * FROM missing", [])
            Issue.record("expected an error")
        } catch {
            #expect(error.code.primary == .error)
            #expect(error.message.contains("no such table"))
            #expect(error.sql == "SELECT * FROM missing")
        }
    }

    @Test("a file that is not SQLite is refused with notADatabase")
    func notADatabase() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("junk.db").path
            try Data("this is not a database, just some text that is long enough".utf8).write(
                to: URL(fileURLWithPath: path))
            #expect {
                _ = try Connection(path: path, mode: .readWrite)
            } throws: { error in
                (error as? SQLiteError)?.code.primary == .notADatabase
            }
        }
    }
}

@Suite("DatabaseValue order")
struct DatabaseValueOrderTests {
    @Test("follows SQLite's type order and is total")
    func order() {
        let sorted: [DatabaseValue] = [
            .null, .real(-1e300), .integer(-5), .real(-0.5), .integer(0), .real(0), .real(0.5), .integer(1), .real(1),
            .integer(Int64.max), .real(1e19), .text(""), .text("A"), .text("a"), .text("é"), .blob([]), .blob([0]),
        ]
        for i in sorted.indices {
            for j in sorted.indices {
                let c = DatabaseValue.compare(sorted[i], sorted[j])
                #expect(c.signum() == (i < j ? -1 : (i == j ? 0 : 1)), "\(sorted[i]) vs \(sorted[j])")
            }
        }
    }

    @Test("withoutTriggers silences this connection's triggers only, and restores them even after a throw")
    func withoutTriggers() throws {
        struct Boom: Error {}
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("trig.db").path
            let db = try Connection(path: path)
            try db.enableWriteAheadLog()
            try db.execute(
                """
                CREATE TABLE t(x INTEGER);
                CREATE TABLE log(x INTEGER);
                CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (NEW.x); END;
                """)
            let other = try Connection(path: path)
            #expect(db.triggersEnabled)
            try db.withoutTriggers { db in
                #expect(!db.triggersEnabled)
                try db.execute("INSERT INTO t VALUES (?)", [1])
                // Another connection to the same file keeps its triggers.
                try other.execute("INSERT INTO t VALUES (?)", [2])
                // Nested use keeps them off and does not switch them back on early.
                try db.withoutTriggers { try $0.execute("INSERT INTO t VALUES (?)", [3]) }
                try db.execute("INSERT INTO t VALUES (?)", [4])
            }
            #expect(db.triggersEnabled)
            try db.execute("INSERT INTO t VALUES (?)", [5])
            #expect(throws: Boom.self) {
                try db.withoutTriggers { _ in throw Boom() }
            }
            #expect(db.triggersEnabled)
            try db.execute("INSERT INTO t VALUES (?)", [6])
            #expect(try db.rows("SELECT x FROM log ORDER BY x").map { $0[0] } == [2, 5, 6])
        }
    }

    @Test("execute(binding:) binds one by one and runs the statement each time")
    func executeBinding() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t(a INTEGER, b TEXT)")
        let stmt = try db.cached("INSERT INTO t VALUES (?, ?)")
        for i in 0..<3 {
            try stmt.execute(binding: { s in
                try s.bind(.integer(Int64(i)), at: 1)
                try s.bind(.text("v\(i)"), at: 2)
            })
        }
        #expect(try db.rows("SELECT a, b FROM t ORDER BY a") == [[0, "v0"], [1, "v1"], [2, "v2"]])
    }

    @Test("the UUID key function packs canonical lowercase UUIDs into 16 bytes and passes anything else through")
    func uuidKeyFunction() throws {
        let db = try Connection(path: ":memory:")
        try db.createUUIDKeyFunction("k")
        let uuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        #expect(
            try db.scalar("SELECT k(?)", [.text(uuid)])
                == .blob([
                    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
                ]))
        let passThrough: [DatabaseValue] = [
            .text(uuid.uppercased()), .text("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f"),
            .text("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00"),
            .text("0f1e2d3c_4b5a-6978-8796-a5b4c3d2e1f0"), .text("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg"),
            .text("SPI-INC-FAB"),
            .text(""), .integer(7), .real(1.5), .blob([1, 2]), .null,
        ]
        for value in passThrough {
            #expect(try db.scalar("SELECT k(?)", [value]) == value, "\(value)")
        }
    }
}
