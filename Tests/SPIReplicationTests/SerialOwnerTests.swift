import Foundation
import SPIReplication
import SPISQLite
import Testing

@Suite("Serial owner")
struct SerialOwnerTests {
    /// A resource that is not thread-safe: a read, a pause, then a write, so that two threads in it at once lose an
    /// update.
    final class Counter {
        var value = 0
        func slowIncrement() {
            let read = value
            usleep(50)
            value = read + 1
        }
    }

    @Test("bodies from many tasks at once run one at a time: no update is lost")
    func serialises() async throws {
        let owner = SerialOwner(Counter(), label: "test.counter")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 { group.addTask { try await owner.run { $0.slowIncrement() } } }
            try await group.waitForAll()
        }
        #expect(try await owner.run { $0.value } == 200)
    }

    @Test("a body's error reaches its caller, and the owner goes on serving")
    func errorsPassThrough() async throws {
        struct Refused: Error {}
        let owner = SerialOwner(Counter(), label: "test.errors")
        await #expect(throws: Refused.self) { try await owner.run { _ in throw Refused() } }
        try await owner.run { $0.slowIncrement() }
        #expect(try await owner.run { $0.value } == 1)
    }

    @Test("a replica opened by its owner takes concurrent writers on one connection and stays whole")
    func replica() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spi-owner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try makeReplicas(1, in: dir)[0].path
        let owner = try await SerialOwner.open(label: "test.replica") { try Replica(path: path, logger: testLogger) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask {
                    try await owner.run { replica in
                        try replica.write { db in
                            try db.execute("INSERT INTO note(id, title) VALUES (?, 'from a task')", [.text("n\(i)")])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let (rows, check, knows) = try await owner.run { replica in
            try replica.read { db in
                (
                    try db.scalar("SELECT count(*) FROM note"), try db.scalar("PRAGMA integrity_check"),
                    try replica.knowledge()[replica.siteID]
                )
            }
        }
        #expect(rows == .integer(40))
        #expect(check == .text("ok"))
        #expect(knows > 0)
    }
}
