import Foundation
import SPIReplication
import SPISQLite
import Testing

@Suite("Change-set files")
struct ChangeSetFileTests {
    static func fill(_ replica: Replica, rows: Int) throws {
        try replica.write { db in
            for i in 0..<rows {
                try db.execute(
                    "INSERT INTO note(id, title, rank) VALUES (?, ?, ?)",
                    [.text("n\(i)"), .text("row \(i)"), .integer(Int64(i))])
            }
        }
    }

    @Test("export since a knowledge file, then apply: only the missing changes travel, and the replicas converge")
    func roundTrip() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try Self.fill(r[0], rows: 50)
            let all = dir.appendingPathComponent("all.changes").path
            let first = try r[0].exportChanges(to: all, maxCells: 40)
            #expect(first.batches > 1)
            let applied = try r[1].applyChanges(from: all)
            #expect(applied.applied > 0)
            #expect(try content(r[0]) == content(r[1]))
            // One more edit: a delta against r1's knowledge carries just that.
            try r[0].write { try $0.execute("UPDATE note SET title = 'changed' WHERE id = 'n7'") }
            let knowledgeFile = dir.appendingPathComponent("r1.knowledge").path
            try r[1].writeKnowledge(to: knowledgeFile)
            let deltaFile = dir.appendingPathComponent("delta.changes").path
            let summary = try r[0].exportChanges(since: try r[0].readKnowledge(from: knowledgeFile), to: deltaFile)
            #expect(summary.cells == 1)
            let report = try r[1].applyChanges(from: deltaFile)
            #expect(report.applied == 1)
            #expect(try content(r[0]) == content(r[1]))
            // The same file again: nothing new.
            let again = try r[1].applyChanges(from: deltaFile)
            #expect(again.applied == 0 && again.alreadyKnown == 1)
        }
    }

    @Test("changes held past what a replica may cover are relayed all the same, and coverage stays what it knows")
    func relayBeyondKnowledge() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(4, in: dir)
            try Self.fill(r[0], rows: 5)
            try sync(r[0], into: r[1])
            // New rows, in a file made for r1: r2 applies it, but knows nothing earlier of r0, so it claims no coverage.
            try r[0].write { db in
                for i in 100..<103 {
                    try db.execute("INSERT INTO note(id, title) VALUES (?, 'late')", [.text("n\(i)")])
                }
            }
            let file = dir.appendingPathComponent("for-r1.changes").path
            try r[0].exportChanges(since: try r[1].knowledge(), to: file)
            let report = try r[2].applyChanges(from: file)
            #expect(report.applied > 0 && report.uncovered.contains(r[0].siteID))
            #expect(try r[2].knowledge()[r[0].siteID] == 0)
            // r2 relays what it holds to r3, covers nothing of r0, and a second delta brings nothing new.
            try sync(r[2], into: r[3])
            #expect(try content(r[3]) == content(r[2]))
            #expect(try r[3].knowledge()[r[0].siteID] == 0)
            #expect(try sync(r[2], into: r[3]).applied == 0)
            // The origin itself then brings the rest, and all converge.
            try sync(r[0], into: r[3])
            try sync(r[0], into: r[2])
            #expect(try content(r[3]) == content(r[0]) && content(r[2]) == content(r[0]))
            #expect(try r[3].knowledge()[r[0].siteID] == r[0].knowledge()[r[0].siteID])
        }
    }

    @Test("a file from another register is refused before anything is applied")
    func otherRegister() throws {
        try withTemporaryDirectory { dir in
            let ours = try makeReplicas(1, in: dir.appendingPathComponent("a").creatingDirectory())[0]
            let theirs = try makeReplicas(1, in: dir.appendingPathComponent("b").creatingDirectory())[0]
            try Self.fill(theirs, rows: 3)
            let file = dir.appendingPathComponent("theirs.changes").path
            try theirs.exportChanges(to: file)
            #expect {
                try ours.applyChanges(from: file)
            } throws: { error in
                (error as? ReplicationError)?.code == .registerMismatch
            }
            #expect(try content(ours).isEmpty)
            let knowledge = dir.appendingPathComponent("theirs.knowledge").path
            try theirs.writeKnowledge(to: knowledge)
            #expect(throws: ReplicationError.self) { try ours.readKnowledge(from: knowledge) }
        }
    }

    @Test(
        "a file cut short at any point applies at most its complete batches, reports it, and the next full set converges",
        arguments: [0.1, 0.35, 0.5, 0.77, 0.99])
    func truncated(fraction: Double) throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try Self.fill(r[0], rows: 120)
            let file = dir.appendingPathComponent("all.changes").path
            let exported = try r[0].exportChanges(to: file, maxCells: 50)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let cut = dir.appendingPathComponent("cut.changes").path
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: cut))
            var partial = ApplyReport()
            #expect {
                try r[1].applyChanges(from: cut) { partial = $0 }
            } throws: { error in
                (error as? ReplicationError)?.code == .truncated
            }
            #expect(partial.batches < exported.batches)
            // Whatever was committed is claimed, and nothing more: if the replica claimed knowledge it lacks, the
            // next delta would skip those changes and the contents below would differ.
            #expect(try integrityCheck(r[1]) == "ok")
            try sync(r[0], into: r[1])
            #expect(try content(r[0]) == content(r[1]))
        }
    }

    @Test("a corrupted byte is detected by the frame checksum")
    func corrupted() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir)
            try Self.fill(r[0], rows: 10)
            let file = dir.appendingPathComponent("all.changes").path
            try r[0].exportChanges(to: file)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            bytes[bytes.count - 30] ^= 0x55
            try bytes.write(to: URL(fileURLWithPath: file))
            #expect {
                try r[1].applyChanges(from: file)
            } throws: { error in
                (error as? ReplicationError)?.code == .malformed
            }
        }
    }

    @Test("a file that is not a change set is refused")
    func notAChangeSet() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(1, in: dir)
            let file = dir.appendingPathComponent("junk").path
            try Data("hello, this is not a change set".utf8).write(to: URL(fileURLWithPath: file))
            #expect(throws: ReplicationError.self) { try r[0].applyChanges(from: file) }
            #expect(throws: ReplicationError.self) {
                try r[0].applyChanges(from: dir.appendingPathComponent("missing").path)
            }
        }
    }
}

extension URL {
    func creatingDirectory() throws -> URL {
        try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
        return self
    }
}
