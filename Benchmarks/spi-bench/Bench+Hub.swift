import Foundation
import SPIRegister
import SPIReplication
import SPISQLite

extension BenchRunner {
    // MARK: - B8: a hub and many providers at once

    /// B8: an organization's hub (`spi serve`) and `hubProviders + 1` providers, each a party of its own with two
    /// interfaces, each paired (and bound to its party when `spi party bind` exists) and synced once. Each provider
    /// then writes RACI rows on its own interfaces (legal for a provider to write), and the hub retitles every
    /// provider's interfaces, so that each session both sends and receives. The first provider syncs alone (the
    /// baseline); then all the others sync at once. Every provider's rows must be on the hub, and the hub's rows of
    /// each provider's interfaces, with their new titles, on that provider. The hub's peak resident memory is kept.
    func runHub() throws -> BenchResult {
        let directory = try subdirectory("b8")
        let hubPath = directory + "/hub.db"
        let total = sizes.hubProviders + 1
        let parties = (1...total).map(BenchParty.provider)
        let generators = (1...total).map { BenchRows(provider: parties[$0 - 1], space: 100 + $0) }
        let registerID: RegisterID
        do {
            let hub = try Register.create(
                at: hubPath, name: "Bench hub", kind: .organization, registerID: nil, logger: BenchFiles.logger)
            registerID = hub.replica.registerID
            try hub.replica.write { db in
                try BenchParty.write(parties, organization: true, into: db)
                for generator in generators {
                    for g in 0..<2 { try db.execute(BenchRows.insertInterface, generator.interface(g)) }
                }
            }
        }
        var providerPaths: [String] = []
        var bound = false
        for party in parties {
            let path = directory + "/provider-\(party.code.lowercased()).db"
            try BenchProcess.succeed(
                [
                    "--db", path, "init", "--name", party.name, "--kind", "provider",
                    "--register", registerID.description,
                ],
                in: directory)
            bound = try pairOrganizationAndProvider(
                organization: hubPath, provider: path, providerName: party.code.lowercased(), partyCode: party.code,
                in: directory)
            providerPaths.append(path)
            progress.step("providers paired", providerPaths.count, of: total)
        }
        // Room for every provider at once (issue 20: 200), so that the hub serves them all together.
        let server = try BenchServer.start(database: hubPath, in: directory, maximumSessions: max(64, total + 8))
        var serverStopped = false
        defer { if !serverStopped { _ = try? server.process.terminate() } }
        for (index, path) in providerPaths.enumerated() {
            _ = try sync(path, with: server.address, in: directory)
            progress.step("initial syncs", index + 1, of: total)
        }

        // Each provider's own changes: RACI rows on its two interfaces.
        let rowsEach = sizes.hubRowsPerProvider
        for (index, path) in providerPaths.enumerated() {
            let provider = try Register(path: path, logger: BenchFiles.logger)
            try provider.replica.write { db in
                for n in 0..<rowsEach { try db.execute(BenchRows.insertRACI, generators[index].providerRACI(n)) }
            }
        }
        // What each provider receives: the hub retitles its two interfaces (the organization owns the title).
        do {
            let hub = try Register(path: hubPath, logger: BenchFiles.logger)
            try hub.replica.write { db in
                for generator in generators {
                    for g in 0..<2 {
                        try db.execute(
                            BenchRows.retitleInterface,
                            [.text("retitled by the hub \(g)"), .text(generator.interfaceID(g))])
                    }
                }
            }
        }

        // The baseline: the first provider alone.
        let alone = try sync(providerPaths[0], with: server.address, in: directory)
        let singleRate = Double(alone.changes) / alone.seconds

        // The others at once.
        progress.say("  \(total - 1) providers syncing at once")
        var running: [Int: BenchProcess] = [:]
        var runs: [BenchSyncRun] = []
        var retries = 0
        let start = ContinuousClock.now
        for index in 1..<total {
            running[index] = try BenchProcess.spawn(
                ["--db", providerPaths[index], "sync", server.address, "--json"], in: directory)
        }
        while !running.isEmpty {
            for (index, child) in Array(running) {
                guard let exit = try child.poll() else { continue }
                if (exit.status == 2 || exit.status == 4) && retries < 20 * total {
                    retries += 1
                    running[index] = try BenchProcess.spawn(
                        ["--db", providerPaths[index], "sync", server.address, "--json"], in: directory)
                    continue
                }
                try child.requireSuccess()
                runs.append(try Self.syncRun(child, exit))
                running[index] = nil
            }
            usleep(2_000)
        }
        let wall = BenchClock.seconds(since: start)
        let received = runs.reduce(0) { $0 + $1.int("changesReceived") }
        let changes = runs.reduce(0) { $0 + $1.changes }
        let sent = runs.reduce(0) { $0 + $1.int("changesSent") }
        let hubRate = Double(changes) / wall
        let ratio = hubRate / singleRate

        // Convergence: each provider's rows on the hub, and the hub's rows of its interfaces on the provider.
        let hub = try Connection(path: hubPath, mode: .readOnly)
        var diverged: [String] = []
        for (index, path) in providerPaths.enumerated() {
            let interfaces: [DatabaseValue] = [
                .text(generators[index].interfaceID(0)), .text(generators[index].interfaceID(1)),
            ]
            let query = """
                SELECT group_concat(id || '=' || coalesce(role_title, ''), ',') FROM \
                (SELECT id, role_title FROM raci_assignment WHERE interface_id IN (?, ?) ORDER BY id)
                """
            let count = "SELECT count(*) FROM raci_assignment WHERE interface_id IN (?, ?)"
            let titles =
                "SELECT group_concat(title, ',') FROM (SELECT title FROM interface WHERE id IN (?, ?) ORDER BY id)"
            let provider = try Connection(path: path, mode: .readOnly)
            let onHub = try hub.scalar(query, interfaces)
            let onProvider = try provider.scalar(query, interfaces)
            let hubCount = try hub.scalar(count, interfaces)?.integerValue ?? 0
            let hubTitles = try hub.scalar(titles, interfaces)
            if onHub != onProvider || hubCount != Int64(rowsEach) {
                diverged.append("\(parties[index].code) (hub holds \(hubCount) of its \(rowsEach) rows)")
            } else if hubTitles != (try provider.scalar(titles, interfaces)) {
                diverged.append("\(parties[index].code) (lacks the hub's titles)")
            }
        }
        let converged = diverged.isEmpty
        // The hub's peak resident memory (its own VmHWM, written when it exits).
        serverStopped = true
        let hubPeak = Double((try? server.process.terminate())?.peakResidentBytes ?? 0)
        let peakLimit = 256.0 * 1_048_576
        return BenchResult(
            scenario: .b8,
            title: "hub with \(total - 1) providers syncing at once, each \(BenchFormat.count(rowsEach)) new RACI rows "
                + "(\(BenchFormat.count(rowsEach * 5)) cells)",
            measured: "\(BenchFormat.rate(hubRate, "changes")) (\(BenchFormat.seconds(wall))), hub peak "
                + BenchFormat.bytes(Int(hubPeak)),
            baseline: "\(BenchFormat.rate(singleRate, "changes")) (\(BenchFormat.seconds(alone.seconds)))",
            ratio: ratio, target: BenchScenario.b8.target,
            met: converged && ratio >= 0.5 && hubPeak > 0 && hubPeak <= peakLimit,
            values: [
                "providers": Double(total - 1), "changes": Double(changes), "changesSent": Double(sent),
                "seconds": wall, "changesPerSecond": hubRate, "singleChanges": Double(alone.changes),
                "singleSeconds": alone.seconds, "singleChangesPerSecond": singleRate, "retries": Double(retries),
                "converged": converged ? 1 : 0, "changesReceived": Double(received), "hubPeakBytes": hubPeak,
            ],
            notes: [
                converged
                    ? "all \(total) providers converged with the hub"
                    : "NOT converged: \(diverged.joined(separator: ", "))",
                "each session sent and received: \(BenchFormat.count(sent)) changes to the hub, "
                    + "\(BenchFormat.count(received)) from it; hub peak resident memory "
                    + "\(BenchFormat.bytes(Int(hubPeak))) (target ≤ 256 MiB)",
                "throughput: changes sent + received over all sessions / wall time from the first spawn to the last "
                    + "exit; \(retries) retries after busy; "
                    + (bound ? "providers bound to their parties" : "no party bindings (spi party bind absent)"),
            ],
            error: nil)
    }
}
