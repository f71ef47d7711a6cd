import Foundation
import SPIRegister
import SPIReplication
import SPISQLite

/// An organization's register served by a real `spi serve`, and a provider's replica paired with it and synced once
/// by a real `spi sync`: the setting of B3, B4, B5 and B7.
final class BenchSyncFixture {
    /// The working directory.
    let directory: String
    /// The organization's register (served).
    let organizationPath: String
    /// The provider's replica.
    let providerPath: String
    /// Interface and RACI rows in the organization's register.
    let rows: Int
    /// The running `spi serve`.
    let server: BenchServer
    /// The initial sync's `--json` report.
    let initialReport: [String: Any]
    /// The initial sync's end-to-end seconds (spawn to exit).
    let initialSeconds: Double
    /// The syncing client's peak resident memory.
    let clientPeakBytes: Int
    /// Rows the provider holds after the initial sync.
    let rowsReceived: Int
    /// Whether the provider's peer id was bound to its party (`spi party bind`).
    let bound: Bool

    init(
        directory: String, organizationPath: String, providerPath: String, rows: Int, server: BenchServer,
        initialReport: [String: Any], initialSeconds: Double, clientPeakBytes: Int, rowsReceived: Int, bound: Bool
    ) {
        self.directory = directory
        self.organizationPath = organizationPath
        self.providerPath = providerPath
        self.rows = rows
        self.server = server
        self.initialReport = initialReport
        self.initialSeconds = initialSeconds
        self.clientPeakBytes = clientPeakBytes
        self.rowsReceived = rowsReceived
        self.bound = bound
    }

    /// Stops the server (gracefully); returns its peak resident memory.
    @discardableResult
    func stop() -> Int {
        (try? server.process.terminate())?.peakResidentBytes ?? 0
    }
}

/// A running `spi serve --listen 127.0.0.1:0`, and the address it bound.
struct BenchServer {
    /// The server process.
    let process: BenchProcess
    /// `127.0.0.1:PORT`.
    let address: String

    /// Starts `spi serve` on a register and waits until it listens.
    ///
    /// Every client of the suite connects from 127.0.0.1, where real providers each have an address of their own, so
    /// the server's per-address handshake limit is raised to its overall one (`--max-handshakes-per-address`).
    static func start(database: String, in directory: String, maximumSessions: Int = 64) throws -> BenchServer {
        let handshakes = max(64, maximumSessions)
        let process = try BenchProcess.spawn(
            [
                "--db", database, "serve", "--listen", "127.0.0.1:0", "--max-sessions", "\(maximumSessions)",
                "--max-handshakes", "\(handshakes)", "--max-handshakes-per-address", "\(handshakes)",
            ],
            in: directory)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let log = process.standardError
            if let line = log.split(separator: "\n").first(where: { $0.hasPrefix("spi: serving") }),
                let asRange = line.range(of: " as ", options: .backwards),
                let onRange = line.range(of: " on ", options: .backwards, range: line.startIndex..<asRange.lowerBound)
            {
                return BenchServer(process: process, address: String(line[onRange.upperBound..<asRange.lowerBound]))
            }
            if let exit = try process.poll() {
                throw BenchError(.serverFailed, "spi serve exited with \(exit.status): \(log)")
            }
            usleep(20_000)
        }
        try process.terminate()
        throw BenchError(.serverFailed, "spi serve did not start listening within 60 s")
    }
}

/// One `spi sync --json` run: its report, seconds and peak memory.
struct BenchSyncRun {
    /// The parsed `--json` report.
    var report: [String: Any]
    /// End-to-end seconds, from spawn to exit.
    var seconds: Double
    /// The client's peak resident memory.
    var peakBytes: Int

    func int(_ key: String) -> Int { report[key] as? Int ?? 0 }

    /// Changes sent plus received.
    var changes: Int { int("changesSent") + int("changesReceived") }
    /// Bytes sent plus received (TLS included).
    var bytes: Int { int("bytesSent") + int("bytesReceived") }
}

extension BenchRunner {
    // MARK: - Pairing

    /// Pairs a provider's replica with the organization's: each trusts the other's peer id, and when the lead's
    /// permissions are available (`spi party bind`), the provider's peer id is bound to its party, so that the
    /// organization sends it that party's scope and accepts its writes there. Returns whether it was bound.
    ///
    /// Every benchmark register keeps each interface (and its RACI rows) with one provider party, so the provider's
    /// scope holds all the rows the scenario syncs, bound or not.
    @discardableResult
    func pairOrganizationAndProvider(
        organization: String, provider: String, providerName: String, partyCode: String, in directory: String
    ) throws -> Bool {
        let organizationID = try peerID(of: organization, in: directory)
        let providerID = try peerID(of: provider, in: directory)
        try BenchProcess.succeed(
            ["--db", provider, "peer", "add", "--name", "org", "--id", organizationID], in: directory)
        try BenchProcess.succeed(
            ["--db", organization, "peer", "add", "--name", providerName, "--id", providerID], in: directory)
        if partyBindAvailable == false { return false }
        let bind = try BenchProcess.run(
            ["--db", organization, "party", "bind", partyCode, "--peer", providerID], in: directory)
        if bind.exit?.status == 0 {
            partyBindAvailable = true
            return true
        }
        let stderr = bind.standardError.lowercased()
        if partyBindAvailable == nil, bind.exit?.status == 64,
            stderr.contains("unexpected argument") || stderr.contains("unknown") || stderr.contains("bind")
        {
            partyBindAvailable = false
            progress.say("  (spi party bind is not available in this build: syncing without party bindings)")
            return false
        }
        try bind.requireSuccess()
        return true
    }

    /// A replica's peer id, from `spi whoami --json`.
    func peerID(of database: String, in directory: String) throws -> String {
        let output = try BenchProcess.succeed(["--db", database, "whoami", "--json"], in: directory)
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
            let id = object["peerId"] as? String
        else { throw BenchError(.unexpected, "spi whoami --json printed no peerId: \(output)") }
        return id
    }

    /// Runs `spi sync ADDRESS --json` on a replica, retrying while the server is busy or unreachable.
    func sync(_ database: String, with address: String, in directory: String) throws -> BenchSyncRun {
        var attempts = 0
        while true {
            let child = try BenchProcess.run(["--db", database, "sync", address, "--json"], in: directory)
            let exit = try child.wait()
            if (exit.status == 2 || exit.status == 4) && attempts < 50 {
                attempts += 1
                usleep(100_000)
                continue
            }
            try child.requireSuccess()
            return try Self.syncRun(child, exit)
        }
    }

    /// The report of a finished `spi sync --json`.
    static func syncRun(_ child: BenchProcess, _ exit: BenchProcess.Exit) throws -> BenchSyncRun {
        let output = child.standardOutput
        guard let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw BenchError(.unexpected, "spi sync --json printed no report: \(output)")
        }
        return BenchSyncRun(report: report, seconds: exit.seconds, peakBytes: exit.peakResidentBytes)
    }

    /// Counts rows of the given tables in a register file, read-only.
    static func countRows(_ path: String, tables: [String]) throws -> Int {
        let db = try Connection(path: path, mode: .readOnly)
        var total = 0
        for table in tables { total += Int(try db.scalar("SELECT count(*) FROM \(table)")?.integerValue ?? 0) }
        return total
    }

    // MARK: - The synced pair

    /// Creates an organization's register of `rows` rows (interfaces with 2 RACI rows each, all of one provider
    /// party), written in transactions of `transactionRows` and stamped: B3's register before its first sync.
    func makeOrganization(at path: String, rows: Int) throws -> Register {
        let provider = BenchParty.provider(1)
        let generator = BenchRows(provider: provider, space: 4)
        let groups = rows / 3
        let organization = try Register.create(
            at: path, name: "Bench org", kind: .organization, registerID: nil, logger: BenchFiles.logger)
        try organization.replica.write { db in
            try BenchParty.write([provider], organization: true, into: db)
        }
        let perTransaction = max(1, sizes.transactionRows / 3)
        for start in stride(from: 0, to: groups, by: perTransaction) {
            let end = min(groups, start + perTransaction)
            try organization.replica.write { db in
                for g in start..<end {
                    try db.execute(BenchRows.insertInterface, generator.interface(g))
                    for k in 0..<2 { try db.execute(BenchRows.insertRACI, generator.raci(g, k)) }
                }
            }
            progress.step("rows written on the organization", end * 3, of: groups * 3)
        }
        // The writes' versions may still be pending (see `Replica.pendingStampLimit`): stamp them now, as any
        // earlier sync or export would have, so that the syncs measured here start from a register at rest
        // (B1 measures what stamping costs).
        try organization.replica.stamp()
        return organization
    }

    /// Builds (once) an organization's register of `rows` rows (interfaces with 2 RACI rows each, all of one provider
    /// party), a provider's replica paired with it, serves the organization and syncs the provider once.
    func makeSyncFixture(rows: Int, name: String) throws -> BenchSyncFixture {
        let directory = try subdirectory(name)
        let organizationPath = directory + "/org.db"
        let providerPath = directory + "/provider.db"
        let provider = BenchParty.provider(1)
        let groups = rows / 3
        let registerID = try makeOrganization(at: organizationPath, rows: rows).replica.registerID
        try BenchProcess.succeed(
            [
                "--db", providerPath, "init", "--name", "Provider \(provider.code)", "--kind", "provider",
                "--register", registerID.description,
            ],
            in: directory)
        let bound = try pairOrganizationAndProvider(
            organization: organizationPath, provider: providerPath, providerName: provider.code.lowercased(),
            partyCode: provider.code, in: directory)
        let server = try BenchServer.start(database: organizationPath, in: directory)
        progress.say("  syncing \(BenchFormat.count(groups * 3)) rows from spi serve to spi sync")
        let initial = try sync(providerPath, with: server.address, in: directory)
        let received = try Self.countRows(providerPath, tables: ["interface", "raci_assignment"])
        guard received == groups * 3 else {
            throw BenchError(
                .notConverged,
                "the provider holds \(received) interface and RACI rows after the initial sync, "
                    + "not \(groups * 3)")
        }
        return BenchSyncFixture(
            directory: directory, organizationPath: organizationPath, providerPath: providerPath, rows: groups * 3,
            server: server, initialReport: initial.report, initialSeconds: initial.seconds,
            clientPeakBytes: initial.peakBytes, rowsReceived: received, bound: bound)
    }

    /// The shared synced pair at full size.
    func sharedSyncFixture() throws -> BenchSyncFixture {
        if let syncFixture { return syncFixture }
        let fixture = try makeSyncFixture(rows: sizes.syncRows, name: "sync")
        syncFixture = fixture
        return fixture
    }

    // MARK: - B3: initial sync

    /// B3: the initial sync's rows per second, end to end, against `spi export` of the same register plus copying
    /// the exported file.
    func runInitialSync() throws -> BenchResult {
        let fixture = try sharedSyncFixture()
        let exportPath = fixture.directory + "/export.json"
        let copyPath = fixture.directory + "/export-copy.json"
        try? FileManager.default.removeItem(atPath: exportPath)
        try? FileManager.default.removeItem(atPath: copyPath)
        let export = try BenchProcess.run(
            ["--db", fixture.organizationPath, "export", "--out", exportPath], in: fixture.directory)
        try export.requireSuccess()
        let exportSeconds = try export.wait().seconds
        let copySeconds = try BenchClock.measure {
            try FileManager.default.copyItem(atPath: exportPath, toPath: copyPath)
        }.1
        let baselineSeconds = exportSeconds + copySeconds
        let rate = Double(fixture.rowsReceived) / fixture.initialSeconds
        let baselineRate = Double(fixture.rowsReceived) / baselineSeconds
        let report = fixture.initialReport
        let changes = (report["changesReceived"] as? Int) ?? 0
        return BenchResult(
            scenario: .b3,
            title: "initial sync of \(BenchFormat.count(fixture.rowsReceived)) rows (\(BenchFormat.count(changes)) "
                + "changes)",
            measured: "\(BenchFormat.seconds(fixture.initialSeconds)), \(BenchFormat.rate(rate, "rows"))",
            baseline: "\(BenchFormat.seconds(baselineSeconds)), \(BenchFormat.rate(baselineRate, "rows"))",
            ratio: fixture.initialSeconds / baselineSeconds, target: BenchScenario.b3.target, met: rate >= 100_000,
            values: [
                "rows": Double(fixture.rowsReceived), "changes": Double(changes), "seconds": fixture.initialSeconds,
                "rowsPerSecond": rate, "exportSeconds": exportSeconds, "copySeconds": copySeconds,
                "sessionSeconds": (report["seconds"] as? Double) ?? 0,
                "bytesReceived": Double((report["bytesReceived"] as? Int) ?? 0),
                "exportBytes": Double(BenchFiles.size(exportPath)),
            ],
            notes: [
                "end to end: spawning spi sync until it exits (the session itself: "
                    + "\(BenchFormat.seconds((report["seconds"] as? Double) ?? 0))); ratio = sync time / baseline time",
                "baseline: spi export \(BenchFormat.seconds(exportSeconds)) + copy "
                    + "\(BenchFormat.seconds(copySeconds)) of \(BenchFormat.bytes(BenchFiles.size(exportPath)))",
                fixture.bound
                    ? "provider bound to its party (spi party bind)" : "no party binding (spi party bind absent)",
            ],
            error: nil)
    }

    // MARK: - B4: incremental sync

    /// B4: after the initial sync, alternately a sync with nothing to send and a sync of one cell changed on the
    /// organization; medians of each.
    func runIncrementalSync() throws -> BenchResult {
        let fixture = try sharedSyncFixture()
        let generator = BenchRows(provider: BenchParty.provider(1), space: 4)
        var noop: [BenchSyncRun] = []
        var oneCell: [BenchSyncRun] = []
        let organization = try Register(path: fixture.organizationPath, logger: BenchFiles.logger)
        _ = try sync(fixture.providerPath, with: fixture.server.address, in: fixture.directory) // settle
        for repetition in 0..<sizes.incrementalRepetitions {
            noop.append(try sync(fixture.providerPath, with: fixture.server.address, in: fixture.directory))
            try organization.replica.write { db in
                try db.execute(
                    "UPDATE interface SET title = ? WHERE id = ?",
                    [.text("Retitled \(repetition) \(UUID().uuidString.prefix(8))"), .text(generator.interfaceID(0))])
            }
            let run = try sync(fixture.providerPath, with: fixture.server.address, in: fixture.directory)
            guard run.int("changesReceived") >= 1 else {
                throw BenchError(.unexpected, "the one-cell sync received \(run.int("changesReceived")) changes")
            }
            oneCell.append(run)
        }
        let median = Self.median
        let bytes = median(oneCell.map { Double($0.bytes) })
        let seconds = median(oneCell.map(\.seconds))
        let noopBytes = median(noop.map { Double($0.bytes) })
        let noopSeconds = median(noop.map(\.seconds))
        let increment = bytes - noopBytes
        let ratio = seconds / noopSeconds
        return BenchResult(
            scenario: .b4,
            title: "sync of 1 changed cell in a \(BenchFormat.count(fixture.rows))-row replica",
            measured: "+\(BenchFormat.bytes(Int(increment))) (\(BenchFormat.bytes(Int(bytes))) total), "
                + BenchFormat.seconds(seconds),
            baseline: "\(BenchFormat.bytes(Int(noopBytes))), \(BenchFormat.seconds(noopSeconds))", ratio: ratio,
            target: BenchScenario.b4.target, met: increment <= 2048 && ratio <= 2,
            values: [
                "bytes": bytes, "incrementBytes": increment, "seconds": seconds, "noopBytes": noopBytes,
                "noopSeconds": noopSeconds, "repetitions": Double(sizes.incrementalRepetitions),
                "changes": median(oneCell.map { Double($0.int("changesReceived")) }),
            ],
            notes: [
                "bytes: both directions, TLS included; the target applies to the bytes beyond the no-op sync (whose "
                    + "mutual-TLS handshake alone is most of its \(BenchFormat.bytes(Int(noopBytes))))",
                "time: spawning spi sync until it exits; medians of \(sizes.incrementalRepetitions) alternating runs; "
                    + "ratio = time / no-op time",
            ],
            error: nil)
    }

    // MARK: - B11: a no-op sync at any size

    /// B11: a sync with nothing to send on B3's register, against the same on a register a hundred times smaller
    /// (each its own served pair); medians of alternating runs. A no-op sync should not grow with the register.
    func runNoopAtScale() throws -> BenchResult {
        let fixture = try sharedSyncFixture()
        let tinyRows = max(30, sizes.syncRows / 100) / 3 * 3
        let tiny = try makeSyncFixture(rows: tinyRows, name: "sync-tiny")
        defer { _ = tiny.stop() }
        _ = try sync(fixture.providerPath, with: fixture.server.address, in: fixture.directory) // settle
        _ = try sync(tiny.providerPath, with: tiny.server.address, in: tiny.directory)
        var big: [BenchSyncRun] = []
        var small: [BenchSyncRun] = []
        for _ in 0..<max(3, sizes.incrementalRepetitions) {
            big.append(try sync(fixture.providerPath, with: fixture.server.address, in: fixture.directory))
            small.append(try sync(tiny.providerPath, with: tiny.server.address, in: tiny.directory))
        }
        let sent = (big + small).map(\.changes).reduce(0, +)
        guard sent == 0 else { throw BenchError(.unexpected, "a no-op sync carried \(sent) changes") }
        let seconds = Self.median(big.map(\.seconds))
        let baseline = Self.median(small.map(\.seconds))
        let ratio = seconds / baseline
        return BenchResult(
            scenario: .b11,
            title: "a sync with nothing to send, \(BenchFormat.count(fixture.rows)) rows",
            measured: BenchFormat.seconds(seconds),
            baseline: "\(BenchFormat.seconds(baseline)) (\(BenchFormat.count(tiny.rows)) rows)", ratio: ratio,
            target: BenchScenario.b11.target, met: ratio <= 1.5,
            values: [
                "seconds": seconds, "baselineSeconds": baseline, "rows": Double(fixture.rows),
                "baselineRows": Double(tiny.rows), "repetitions": Double(big.count),
            ],
            notes: [
                "time: spawning spi sync (a provider bound to its party, so the server evaluates its read scope) "
                    + "until it exits; medians of \(big.count) alternating runs; ratio = the full register / the "
                    + "register \(fixture.rows / max(1, tiny.rows))× smaller"
            ],
            error: nil)
    }

    // MARK: - B5: wire bytes per cell change

    /// B5: the initial sync's bytes received (TLS included) per cell change, against the raw bytes of the values
    /// (text and blob lengths, 8 per number), which the organization's delta yields in-process.
    func runWireBytes() throws -> BenchResult {
        let fixture = try sharedSyncFixture()
        let replica = try Replica(path: fixture.organizationPath, readOnly: true, logger: BenchFiles.logger)
        var cursor = try replica.deltaCursor(for: Knowledge())
        var rawBytes = 0
        var cells = 0
        var rows = 0
        while let batch = try replica.nextBatch(&cursor) {
            for row in batch.message.rows {
                rows += 1
                for cell in row.cells {
                    cells += 1
                    rawBytes += BenchUpserter.rawBytes(cell.value)
                }
            }
        }
        let wire = (fixture.initialReport["bytesReceived"] as? Int) ?? 0
        let changes = (fixture.initialReport["changesReceived"] as? Int) ?? 0
        guard changes > 0, cells > 0 else { throw BenchError(.unexpected, "the initial sync carried no changes") }
        let perCell = Double(wire) / Double(cells)
        let rawPerCell = Double(rawBytes) / Double(cells)
        let overhead = perCell - rawPerCell
        return BenchResult(
            scenario: .b5,
            title: "wire bytes per cell change, initial sync of \(BenchFormat.count(cells)) cells in "
                + "\(BenchFormat.count(rows)) rows",
            measured: String(format: "%.1f B/cell (%.1f B overhead)", perCell, overhead),
            baseline: String(format: "%.1f B/cell raw", rawPerCell), ratio: perCell / rawPerCell,
            target: BenchScenario.b5.target, met: overhead <= 32,
            values: [
                "wireBytes": Double(wire), "changes": Double(changes), "rawBytes": Double(rawBytes),
                "cells": Double(cells), "rows": Double(rows), "overheadPerCell": overhead,
            ],
            notes: [
                "wire: bytes received by spi sync (TLS records and handshake included) / cells; raw: the cells' value "
                    + "bytes (text and blob lengths, 8 per number); row ids, row records and clocks count as overhead"
            ],
            error: nil)
    }

    // MARK: - B7: peak memory

    /// B7: the peak resident memory of the serving and the syncing process during the initial sync of B3 (and B4's
    /// small syncs), against the same for a register ten times smaller.
    func runPeakMemory() throws -> BenchResult {
        let fixture = try sharedSyncFixture()
        let serverPeak = fixture.stop()
        let big = max(serverPeak, fixture.clientPeakBytes)
        let smallRows = max(30, sizes.syncRows / 10)
        let small = try smallSyncFixture ?? makeSyncFixture(rows: smallRows, name: "sync-small")
        smallSyncFixture = small
        let smallServerPeak = small.stop()
        let smallPeak = max(smallServerPeak, small.clientPeakBytes)
        let changes = (fixture.initialReport["changesReceived"] as? Int) ?? 0
        let ratio = Double(big) / Double(max(1, smallPeak))
        return BenchResult(
            scenario: .b7, title: "peak RSS syncing \(BenchFormat.count(changes)) changes",
            measured: BenchFormat.bytes(big),
            baseline: "\(BenchFormat.bytes(smallPeak)) (\(BenchFormat.count(small.rows)) rows)", ratio: ratio,
            target: BenchScenario.b7.target, met: big <= 128 * 1_048_576,
            values: [
                "peakBytes": Double(big), "serverPeakBytes": Double(serverPeak),
                "clientPeakBytes": Double(fixture.clientPeakBytes), "smallPeakBytes": Double(smallPeak),
                "smallServerPeakBytes": Double(smallServerPeak), "smallClientPeakBytes": Double(small.clientPeakBytes),
            ],
            notes: [
                "peak resident memory (VmHWM) of spi serve \(BenchFormat.bytes(serverPeak)) and spi sync "
                    + "\(BenchFormat.bytes(fixture.clientPeakBytes)); the larger is reported; ratio = against the "
                    + "register ten times smaller"
            ],
            error: nil)
    }
}
