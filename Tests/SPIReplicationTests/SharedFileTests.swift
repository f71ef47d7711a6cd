import Foundation
@testable import SPIReplication
import SPISQLite
import Testing

/// One replica file opened by several processes (`spi serve` beside the `spi` command), read-only opens, and
/// files of other format versions.
@Suite("Shared replica files")
struct SharedFileTests {
    @Test("a long-running handle stamps and sends a column another handle added and wrote while it ran")
    func staleHandleStampsNewColumn() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            // The long-running one (think `spi serve`) opens the file before the migration.
            let server = try Replica(path: r[0].path, logger: testLogger)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'one')") }
            try sync(server, into: r[1])
            for replica in r {
                try replica.writeBaseline { try $0.execute("ALTER TABLE note ADD COLUMN extra TEXT") }
                try replica.track(tables: ["note"])
            }
            // The new column's bit is past the widest table the server loaded; the write waits to be stamped.
            try r[0].write { try $0.execute("UPDATE note SET extra = 'added later' WHERE id = 'n1'") }
            let report = try sync(server, into: r[1])
            #expect(report.applied == 1, "\(report)")
            #expect(try r[1].read { try $0.scalar("SELECT extra FROM note WHERE id = 'n1'") } == "added later")
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test("a read-only handle reports what is stamped, never a write still waiting for its versions")
    func readOnlyHandle() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            r[0].pendingStampLimit = 1_000
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'stamped')") }
            let stamped = try r[0].knowledge()
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n2', 'waiting')") }

            let reader = try Replica(path: r[0].path, readOnly: true, logger: testLogger)
            #expect(try reader.stamp() == 0)
            #expect(try reader.knowledge() == stamped)
            #expect(try reader.conflicts().isEmpty)
            try sync(reader, into: r[1])
            #expect(try r[1].read { try $0.scalar("SELECT group_concat(id) FROM note") } == "n1")

            // Once a writable handle stamps, the reader sends the rest.
            #expect(try r[0].stamp() == 1)
            try sync(reader, into: r[1])
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test("with nothing to stamp, knowledge, deltas and conflicts take no write lock (another writer may hold it)")
    func nothingToStampTakesNoLock() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try r[0].write { try $0.execute("INSERT INTO note(id, title) VALUES ('n1', 'one')") }
            _ = try r[0].knowledge()
            let writer = try Connection(path: r[0].path, mode: .readWrite)
            try writer.execute("BEGIN IMMEDIATE")
            defer { try? writer.execute("ROLLBACK") }
            // Were a write lock taken, each of these would wait out the busy timeout and fail.
            #expect(try r[0].stamp() == 0)
            #expect(try r[0].conflicts().isEmpty)
            try sync(r[0], into: r[1])
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test(
        "opening a replica to write takes no write lock when there is nothing to upgrade (a server opens one per session)"
    )
    func openTakesNoLock() throws {
        try withTemporaryDirectory { dir in
            let made = try makeReplicas(1, in: dir)[0]
            let path = made.path
            let writer = try Connection(path: path, mode: .readWrite)
            try writer.execute("BEGIN IMMEDIATE")
            defer { try? writer.execute("ROLLBACK") }
            // Were a write lock taken, this would wait out the busy timeout (10 s) and throw "database is locked".
            let replica = try Replica(path: path, logger: testLogger)
            #expect(replica.siteID == made.siteID)
        }
    }

    @Test("a file of a newer replica format is refused; an older one is raised to this format when opened to write")
    func formatVersion() throws {
        try withTemporaryDirectory { dir in
            let path = try makeReplicas(1, in: dir)[0].path
            let raw = try Connection(path: path, mode: .readWrite)
            func format() throws -> DatabaseValue? {
                try raw.scalar("SELECT value FROM _spi_meta WHERE key = 'replica.schema'")
            }
            #expect(try format() == .integer(Int64(ReplicaSchema.version)))
            try raw.execute(
                "UPDATE _spi_meta SET value = ? WHERE key = 'replica.schema'",
                [.integer(Int64(ReplicaSchema.version) + 1)])
            #expect {
                try Replica(path: path, logger: testLogger)
            } throws: { error in
                (error as? ReplicationError)?.code == .unsupportedVersion
            }
            #expect(try format() == .integer(Int64(ReplicaSchema.version) + 1), "a refused file is left as it was")
            try raw.execute("UPDATE _spi_meta SET value = 1 WHERE key = 'replica.schema'")
            _ = try Replica(path: path, readOnly: true, logger: testLogger)
            #expect(try format() == .integer(1), "a read-only open changes nothing")
            _ = try Replica(path: path, logger: testLogger)
            #expect(try format() == .integer(Int64(ReplicaSchema.version)))
        }
    }
}
