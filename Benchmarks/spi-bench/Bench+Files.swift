import Foundation
import SPIRegister
import SPIReplication
import SPISQLite

extension BenchRunner {
    // MARK: - B10: many replicas exchanging by files only

    /// What one B10 run at one register size measured.
    struct FileExchangeRun {
        /// Exchanges until every replica held every change.
        var exchanges = 0
        /// Bytes of every change-set file written.
        var changeBytes = 0
        /// Bytes of every knowledge file written.
        var knowledgeBytes = 0
        /// The bytes a perfect delta exchange sends: one file per replica with exactly what it lacked.
        var perfectBytes = 0
        /// Seconds spent in exchanges (knowledge file, export, apply), summed.
        var exchangeSeconds = 0.0
        /// Replicas whose rows differ from the first one's at the end (empty when they converged).
        var diverged: [Int] = []

        /// The mean time of one exchange.
        var secondsPerExchange: Double { exchangeSeconds / Double(max(exchanges, 1)) }
        /// The change-file bytes against the perfect exchange's.
        var bytesRatio: Double { Double(changeBytes) / Double(max(perfectBytes, 1)) }
    }

    /// B10 (issue 20): `fileReplicas` organization replicas of one register, each with `rows` interfaces from a common
    /// start, each then editing on its own (new interfaces of its own, retitling shared ones: concurrent edits). They
    /// exchange by change-set files only, in random pairs (seeded): the receiver writes its knowledge file, the sender
    /// exports what that knowledge lacks, the receiver applies it. The exchanges go on until every replica knows every
    /// change. Measured: the bytes of every change-set file against a perfect delta exchange (each replica receiving
    /// exactly the changes it lacked, in one file), and the time per exchange at two register sizes, 10× apart.
    func runFileExchange() throws -> BenchResult {
        let small = try fileExchange(rows: sizes.fileRows, tag: "small")
        let large = try fileExchange(rows: sizes.fileRows * 10, tag: "large")
        let bytesRatio = large.bytesRatio
        let flatness = large.secondsPerExchange / max(small.secondsPerExchange, 1e-9)
        let converged = small.diverged.isEmpty && large.diverged.isEmpty
        func describe(_ run: FileExchangeRun, _ rows: Int) -> String {
            "\(BenchFormat.count(rows)) interfaces: \(run.exchanges) exchanges, "
                + "\(BenchFormat.seconds(run.secondsPerExchange)) each, change files "
                + "\(BenchFormat.bytes(run.changeBytes)) against a perfect \(BenchFormat.bytes(run.perfectBytes)) "
                + "(\(BenchFormat.ratio(run.bytesRatio))), knowledge "
                + "files \(BenchFormat.bytes(run.knowledgeBytes))"
                + (run.diverged.isEmpty ? "" : "; NOT converged: replicas \(run.diverged)")
        }
        return BenchResult(
            scenario: .b10,
            title: "\(sizes.fileReplicas) replicas exchanging change-set files in random pairs until quiet",
            measured: "\(BenchFormat.bytes(large.changeBytes)) of change files, "
                + "\(BenchFormat.seconds(large.secondsPerExchange)) per exchange",
            baseline: "a perfect delta exchange: \(BenchFormat.bytes(large.perfectBytes)); "
                + "\(BenchFormat.seconds(small.secondsPerExchange)) per exchange at 10× fewer rows",
            ratio: bytesRatio, target: BenchScenario.b10.target,
            met: converged && bytesRatio <= 2 && flatness <= 1.5,
            values: [
                "replicas": Double(sizes.fileReplicas), "rowsSmall": Double(sizes.fileRows),
                "rowsLarge": Double(sizes.fileRows * 10), "exchanges": Double(large.exchanges),
                "changeBytes": Double(large.changeBytes), "perfectBytes": Double(large.perfectBytes),
                "knowledgeBytes": Double(large.knowledgeBytes), "bytesRatio": bytesRatio,
                "secondsPerExchange": large.secondsPerExchange, "secondsPerExchangeSmall": small.secondsPerExchange,
                "timeRatio": flatness, "converged": converged ? 1 : 0,
            ],
            notes: [
                describe(small, sizes.fileRows), describe(large, sizes.fileRows * 10),
                "ratio: change-file bytes against the perfect exchange (target ≤ 2×); time per exchange at 10× the "
                    + "rows: \(BenchFormat.ratio(flatness)) (target: flat, ≤ 1.5×)",
            ],
            error: nil)
    }

    /// One B10 run: `sizes.fileReplicas` replicas over `rows` shared interfaces.
    private func fileExchange(rows: Int, tag: String) throws -> FileExchangeRun {
        let directory = try subdirectory("b10-\(tag)")
        let count = sizes.fileReplicas
        let party = BenchParty.provider(1)
        let shared = BenchRows(provider: party, space: 1)
        // The common start: one replica writes the rows; every other one is made from its full change set.
        let first = try Register.create(
            at: directory + "/r0.db", name: "Bench files", kind: .organization, registerID: nil,
            logger: BenchFiles.logger)
        try first.replica.write { db in
            try BenchParty.write([party], organization: true, into: db)
            for g in 0..<rows { try db.execute(BenchRows.insertInterface, shared.interface(g)) }
        }
        let start = directory + "/start.spichanges"
        try first.replica.exportChanges(to: start)
        var replicas = [first.replica]
        for i in 1..<count {
            let register = try Register.create(
                at: directory + "/r\(i).db", name: "Bench files \(i)", kind: .organization,
                registerID: first.replica.registerID, logger: BenchFiles.logger)
            try register.replica.applyChanges(from: start)
            replicas.append(register.replica)
            progress.step("B10 \(tag): replicas made", i + 1, of: count)
        }
        // Each replica's own edits: new interfaces in a space of its own, and shared ones retitled (so that some
        // replicas edit the same cells concurrently).
        var random = BenchRandom(seed: 10)
        for (i, replica) in replicas.enumerated() {
            let own = BenchRows(provider: party, space: 1000 + i)
            try replica.write { db in
                for g in 0..<sizes.fileEditsEach {
                    try db.execute(BenchRows.insertInterface, own.interface(g))
                    try db.execute(
                        BenchRows.retitleInterface,
                        [.text("retitled by \(i) (\(g))"), .text(shared.interfaceID(random.next(below: rows)))])
                }
            }
        }
        let before = try replicas.map { try $0.knowledge() }

        // Random pairs until quiet.
        var run = FileExchangeRun()
        let knowledgePath = directory + "/knowledge.spiknowledge"
        let changesPath = directory + "/changes.spichanges"
        var quiet = false
        let limit = 40 * count * max(1, Int(log2(Double(count)).rounded(.up)))
        while !quiet && run.exchanges < limit {
            let sender = random.next(below: count)
            var receiver = random.next(below: count - 1)
            if receiver >= sender { receiver += 1 }
            let began = ContinuousClock.now
            try replicas[receiver].writeKnowledge(to: knowledgePath)
            let knowledge = try replicas[sender].readKnowledge(from: knowledgePath)
            let summary = try replicas[sender].exportChanges(since: knowledge, to: changesPath)
            try replicas[receiver].applyChanges(from: changesPath)
            run.exchangeSeconds += BenchClock.seconds(since: began)
            run.exchanges += 1
            run.changeBytes += summary.bytes
            run.knowledgeBytes += Int(
                (try? FileManager.default.attributesOfItem(atPath: knowledgePath)[.size] as? Int) ?? 0)
            if run.exchanges % count == 0 {
                let all = try replicas.map { try $0.knowledge() }
                quiet = all.allSatisfy { $0 == all[0] }
                progress.step("B10 \(tag): exchanges", run.exchanges, of: limit)
            }
        }
        // Converged: every replica holds the same interfaces.
        let digest = "SELECT group_concat(id || '=' || title, ',') FROM (SELECT id, title FROM interface ORDER BY id)"
        let reference = try replicas[0].read { try $0.scalar(digest) }
        for (i, replica) in replicas.enumerated() where try replica.read({ try $0.scalar(digest) }) != reference {
            run.diverged.append(i)
        }
        if !quiet { run.diverged.append(-1) }
        // The perfect exchange: from the converged first replica, one file per replica with what it lacked.
        for knowledge in before {
            run.perfectBytes += try replicas[0].exportChanges(since: knowledge, to: changesPath).bytes
        }
        return run
    }
}
