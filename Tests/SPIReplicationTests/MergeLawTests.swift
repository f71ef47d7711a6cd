import Foundation
import SPIReplication
import SPISQLite
import Testing

/// The merge laws on generated change sets: applying sets in any order, grouped any way, any number of times, gives
/// the same content.
@Suite("Merge laws")
struct MergeLawTests {
    /// Three source replicas edit at random (with some syncs between them, so that the sets overlap and depend on
    /// each other); each set is everything its source holds.
    static func generateSets(seed: UInt64, in dir: URL) throws -> (sets: [[Spi_V1_ChangeBatch]], targets: [Replica]) {
        var scenario = ConvergenceScenario(seed: seed)
        let clock = TestClock()
        let replicas = try makeReplicas(9, in: dir, clock: clock)
        let sources = Array(replicas.prefix(3))
        for _ in 0..<30 {
            clock.advance(UInt64.random(in: 0...2, using: &scenario.rng))
            let i = Int.random(in: 0..<3, using: &scenario.rng)
            if Int.random(in: 0..<5, using: &scenario.rng) == 0 {
                try sync(sources[i], into: sources[(i + 1) % 3])
            } else {
                let (sql, args) = scenario.randomStatement()
                try sources[i].write { try $0.execute(sql, args) }
            }
        }
        let empty = replicas[3]
        let sets = try sources.map { try delta(from: $0, to: empty, maxCells: 7) }
        return (sets, Array(replicas.suffix(6)))
    }

    static func apply(_ sets: [[Spi_V1_ChangeBatch]], to replica: Replica) throws -> ApplyReport {
        var report = ApplyReport()
        for set in sets { for batch in set { report.add(try replica.apply(batch)) } }
        return report
    }

    @Test("commutative: S1 ⊔ S2 = S2 ⊔ S1", arguments: 0..<25)
    func commutative(seed: Int) throws {
        try withTemporaryDirectory { dir in
            let (s, t) = try Self.generateSets(seed: UInt64(seed) &* 7919, in: dir)
            _ = try Self.apply([s[0], s[1], s[2]], to: t[0])
            _ = try Self.apply([s[2], s[1], s[0]], to: t[1])
            _ = try Self.apply([s[1], s[2], s[0]], to: t[2])
            #expect(try content(t[0]) == content(t[1]), "seed \(seed)")
            #expect(try content(t[0]) == content(t[2]), "seed \(seed)")
        }
    }

    @Test("associative: (S1 ⊔ S2) ⊔ S3 = S1 ⊔ (S2 ⊔ S3)", arguments: 0..<25)
    func associative(seed: Int) throws {
        try withTemporaryDirectory { dir in
            let (s, t) = try Self.generateSets(seed: UInt64(seed) &* 104_729, in: dir)
            _ = try Self.apply([s[0], s[1]], to: t[0])
            _ = try Self.apply([s[2]], to: t[0])
            // S2 ⊔ S3 merged on its own replica first, then shipped as one set.
            _ = try Self.apply([s[1], s[2]], to: t[1])
            let merged = try delta(from: t[1], to: t[3], maxCells: 5)
            _ = try Self.apply([s[0], merged], to: t[2])
            #expect(try content(t[0]) == content(t[2]), "seed \(seed)")
        }
    }

    @Test("idempotent: S ⊔ S = S", arguments: 0..<25)
    func idempotent(seed: Int) throws {
        try withTemporaryDirectory { dir in
            let (s, t) = try Self.generateSets(seed: UInt64(seed) &* 15_485_863, in: dir)
            _ = try Self.apply([s[0], s[1]], to: t[0])
            let once = try content(t[0])
            let again = try Self.apply([s[0], s[1]], to: t[0])
            #expect(again.applied == 0, "seed \(seed)")
            #expect(try content(t[0]) == once, "seed \(seed)")
        }
    }
}
