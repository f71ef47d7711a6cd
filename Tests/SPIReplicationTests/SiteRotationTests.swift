import Foundation
import SPISQLite
@testable import SPIReplication
import Testing

/// Key rotation (`Replica.rotateSite`) and the detection of one key held by two replicas (`ApplyReport.sharedKeys`).
@Suite("site rotation and shared keys")
struct SiteRotationTests {
    @Test(
        "after a rotation the old site's changes keep their proofs and the new site's are signed with the new key; a receiver that requires proofs takes both, from the rotated replica itself"
    )
    func rotation() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(2, in: dir, signed: true)
            let oldSite = r[0].siteID
            try r[0].write { db in
                try db.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'old one', 1), ('n2', 'old two', 2)")
            }
            _ = try delta(from: r[0], to: r[1]) // signs them (a delta starts), as a sync or an export does
            try r[0].write { db in try db.execute("UPDATE note SET title = 'old, unsent' WHERE id = 'n2'") }
            let next = ChangeSetSigner()
            let rotation = try Replica.rotateSite(
                ofReplicaAt: r[0].path, from: r[0].signer, to: next, logger: testLogger)
            #expect(rotation.previous == oldSite && rotation.site == next.site)
            #expect(rotation.signedWithOldKey && rotation.reattributed == 0)
            #expect(throws: ReplicationError.self) {
                try Replica.rotateSite(ofReplicaAt: r[0].path, to: next, logger: testLogger)
            }

            let rotated = try Replica(path: r[0].path, logger: testLogger)
            rotated.signer = next
            #expect(rotated.siteID == next.site)
            #expect(rotated.previousSiteIDs == [oldSite])
            try rotated.write { db in try db.execute("INSERT INTO note(id, title, rank) VALUES ('n3', 'new', 3)") }
            for batch in try delta(from: rotated, to: r[1]) { try r[1].apply(batch, gate: ProofGate()) }
            #expect(try content(r[1]) == content(rotated))
            let knowledge = try r[1].knowledge()
            #expect(knowledge[oldSite] > 0 && knowledge[next.site] > 0)
            let versions = try r[1].read { db in
                try db.rows(
                    "SELECT s.site FROM _spi_row r JOIN _spi_site s ON s.idx = r.site JOIN _spi_table t ON t.idx = r.tbl WHERE t.name = 'note' ORDER BY r.id"
                )
                .compactMap { row -> SiteID? in
                    if case .blob(let bytes) = row[0] { return SiteID(bytes: bytes) } else { return nil }
                }
            }
            #expect(versions == [oldSite, oldSite, next.site], "the rows' origins: \(versions)")
        }
    }

    @Test("a rotation without the old key gives the changes it never signed to the new site")
    func lostKey() throws {
        try withTemporaryDirectory { dir in
            let r = try makeReplicas(1, in: dir, signed: true)
            try r[0].write { db in try db.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'unsigned', 1)") }
            let path = r[0].path
            // Opened by path with no key beside it: nothing signs the pending change.
            let rotation = try Replica.rotateSite(ofReplicaAt: path, to: ChangeSetSigner(), logger: testLogger)
            #expect(!rotation.signedWithOldKey)
            #expect(rotation.reattributed == 1, "the row's version: \(rotation.reattributed)")
            let reopened = try Replica(path: path, logger: testLogger)
            let origins = try reopened.read { db in try db.scalar("SELECT count(*) FROM _spi_row WHERE site = 1") }
            #expect(origins == .integer(1), "the unsigned row is the new site's")
        }
    }

    @Test(
        "two replicas signing with one key are reported: by a receiver of two signings at one clock, and by each of them on receiving the other's changes"
    )
    func sharedKey() throws {
        try withTemporaryDirectory { dir in
            let clock = TestClock()
            let r = try makeReplicas(2, in: dir, clock: clock, signed: true)
            let copyPath = dir.appendingPathComponent("copy.db").path
            try r[0].connection.execute("VACUUM INTO ?", [.text(copyPath)])
            let copy = try Replica(path: copyPath, logger: testLogger)
            copy.signer = r[0].signer
            copy.now = clock.reading
            #expect(copy.siteID == r[0].siteID)
            clock.advance()
            // The same clock reading on both: one site, one clock, two different transactions.
            try r[0].write { db in try db.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'original', 1)") }
            try copy.write { db in try db.execute("INSERT INTO note(id, title, rank) VALUES ('n1', 'copy', 2)") }
            let first = try sync(r[0], into: r[1], gate: ProofGate())
            #expect(first.sharedKeys.isEmpty)
            // A receiver's knowledge hides the copy's change (it claims the site up to that clock): it shows in a
            // full delta, as a file exported with --all or a new replica's first sync carries.
            #expect(try delta(from: copy, to: r[1]).isEmpty)
            var full = try copy.deltaCursor(for: Knowledge())
            var second = ApplyReport()
            while let batch = try copy.nextBatch(&full, maxCells: 64) {
                second.add(try r[1].apply(batch, gate: ProofGate()))
            }
            #expect(second.sharedKeys == [r[0].siteID])
            // The original receives the copy's change (through r[1]) and notices.
            clock.advance()
            try copy.write { db in try db.execute("INSERT INTO note(id, title, rank) VALUES ('n2', 'copy only', 3)") }
            let back = try sync(copy, into: r[0], gate: ProofGate())
            #expect(back.sharedKeys == [r[0].siteID])
            // Ordinary exchanges report nothing.
            #expect(try sync(r[0], into: r[1], gate: ProofGate()).sharedKeys.isEmpty)
        }
    }
}
