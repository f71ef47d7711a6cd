import Foundation
import SPIRegister
import SPIReplication
import SPISQLite

/// B1's measurements: seconds for the inserts and the updates, tracked and plain, and the files' sizes after both.
struct BenchLocalOutcome {
    var rows: Int
    var plainInsert = 0.0
    var trackedInsert = 0.0
    var plainUpdate = 0.0
    var trackedUpdate = 0.0
    /// The part of the tracked times spent stamping the versions still pending at the end of each phase.
    var finalStamps = 0.0
    /// The same writes into a third file with the register's capture triggers and log but no replication: what
    /// capture in plain SQL costs before any version is recorded.
    var captureInsert = 0.0
    var captureUpdate = 0.0
    var plainBytes = 0
    var trackedBytes = 0
    /// The tracked replica's file (B9 signs what B1 wrote in it).
    var trackedPath = ""
}

/// B2's measurements, which B9 reuses: the receiver's applies of the peer's signed batches, the same batches applied
/// without their proofs to a byte-for-byte copy of the receiver, and the plain upserts, alternating batch by batch.
struct BenchApplyOutcome {
    /// Interface groups the peer updated, deleted and inserted.
    var updated = 0
    var deleted = 0
    var inserted = 0
    /// What the receiver's applies reported.
    var report = ApplyReport()
    /// What the copy's applies (the same batches without proofs) reported.
    var unsignedReport = ApplyReport()
    var batches = 0
    /// Seconds applying the signed batches (B2's figure).
    var applySeconds = 0.0
    /// Seconds applying the same batches without their origin proofs, to the copy (B9's baseline on B2's path).
    var unsignedApplySeconds = 0.0
    /// Seconds upserting the same rows into plain SQLite (B2's baseline).
    var upsertSeconds = 0.0
    /// Origin proofs the batches carried (one per origin group a batch holds changes of).
    var proofs = 0
    /// Bytes of the proofs' signatures, digests and leaves, and of the sites' keys, in all batches.
    var proofBytes = 0
}

extension BenchRunner {
    // MARK: - B1 and B6: local writes and file size

    /// Inserts then updates `localRows` rows (interfaces with 4 RACI rows each) in transactions of 1,000 rows, into a
    /// tracked register and a plain SQLite file with the same schema and pragmas, alternating one transaction of each
    /// (the order rotating every time) so that load from elsewhere on the machine falls on both alike.
    ///
    /// A third file, the plain one plus the tracked file's capture triggers and log (emptied after each transaction,
    /// as stamping would), takes the same writes: the floor that capture in plain SQL sets, before versions.
    func measureLocalWrites() throws -> BenchLocalOutcome {
        if let localOutcome { return localOutcome }
        let directory = try subdirectory("b1")
        let trackedPath = directory + "/tracked.db"
        let plainPath = directory + "/plain.db"
        let provider = BenchParty.provider(1)
        let rows = BenchRows(provider: provider, space: 1)
        var outcome = BenchLocalOutcome(rows: sizes.localRows)
        do {
            let register = try Register.create(
                at: trackedPath, name: "Bench B1", kind: .organization, registerID: nil, logger: BenchFiles.logger)
            let plain = try BenchFiles.plainRegister(at: plainPath)
            let captureOnly = try BenchFiles.captureOnlyRegister(
                at: directory + "/capture-only.db", triggersFrom: register.replica,
                tables: ["interface", "raci_assignment"])
            try register.replica.write { db in try BenchParty.write([provider], organization: true, into: db) }
            try plain.transaction { db in try BenchParty.write([provider], organization: true, into: db) }
            try captureOnly.transaction { db in try BenchParty.write([provider], organization: true, into: db) }

            let groups = sizes.localRows / 5
            let groupsPerTransaction = max(1, sizes.transactionRows / 5)
            for phase in 0..<2 {
                var chunk = 0
                for start in stride(from: 0, to: groups, by: groupsPerTransaction) {
                    let end = min(groups, start + groupsPerTransaction)
                    // The rows' values are made before the clocks start (a RACI id is a SHA-1 UUIDv5): only the
                    // writes are timed, on both sides.
                    var statements: [(String, [DatabaseValue])] = []
                    statements.reserveCapacity((end - start) * 5)
                    for g in start..<end {
                        let raci = (0..<4).map { rows.raci(g, $0) }
                        if phase == 0 {
                            statements.append((BenchRows.insertInterface, rows.interface(g)))
                            for values in raci { statements.append((BenchRows.insertRACI, values)) }
                        } else {
                            statements.append(
                                (
                                    BenchRows.updateInterfaceTitle,
                                    [.text("Updated interface \(g)"), .text("in_review"), .text(rows.interfaceID(g))]
                                ))
                            for (k, values) in raci.enumerated() {
                                statements.append(
                                    (BenchRows.updateRACITitle, [.text("Updated role \(g).\(k)"), values[0]]))
                            }
                        }
                    }
                    let body: (Connection) throws -> Void = { db in
                        for (sql, values) in statements { try db.execute(sql, values) }
                    }
                    var plainTime = 0.0
                    var trackedTime = 0.0
                    var captureTime = 0.0
                    for turn in 0..<3 {
                        switch (turn + chunk) % 3 {
                        case 0: plainTime = try BenchClock.measure { try plain.transaction(.immediate, body) }.1
                        case 1: trackedTime = try BenchClock.measure { try register.replica.write(body) }.1
                        default:
                            captureTime = try BenchClock.measure {
                                try captureOnly.transaction(.immediate) { db in
                                    try body(db)
                                    try db.execute("DELETE FROM _spi_capture")
                                }
                            }.1
                        }
                    }
                    if phase == 0 {
                        outcome.plainInsert += plainTime
                        outcome.trackedInsert += trackedTime
                        outcome.captureInsert += captureTime
                    } else {
                        outcome.plainUpdate += plainTime
                        outcome.trackedUpdate += trackedTime
                        outcome.captureUpdate += captureTime
                    }
                    chunk += 1
                    progress.step(phase == 0 ? "inserted" : "updated", end * 5, of: groups * 5)
                }
                // Writes leave the bookkeeping of versions pending (up to `pendingStampLimit` log entries, then
                // stamp in bulk). What is still pending at the end of the phase is stamped here, on the tracked
                // side's clock, so that B1 pays for every version it wrote.
                let finalStamp = try BenchClock.measure { try register.replica.stamp() }.1
                outcome.finalStamps += finalStamp
                if phase == 0 { outcome.trackedInsert += finalStamp } else { outcome.trackedUpdate += finalStamp }
            }
        }
        outcome.plainBytes = try BenchFiles.checkpointedSize(plainPath)
        outcome.trackedBytes = try BenchFiles.checkpointedSize(trackedPath)
        outcome.trackedPath = trackedPath
        localOutcome = outcome
        return outcome
    }

    /// B1: the tracked inserts and updates against plain SQLite.
    func runLocalWrites() throws -> BenchResult {
        let o = try measureLocalWrites()
        let tracked = o.trackedInsert + o.trackedUpdate
        let plain = o.plainInsert + o.plainUpdate
        let ratio = tracked / plain
        return BenchResult(
            scenario: .b1, title: "\(BenchFormat.count(o.rows)) inserts + \(BenchFormat.count(o.rows)) updates",
            measured: BenchFormat.seconds(tracked), baseline: BenchFormat.seconds(plain), ratio: ratio,
            target: BenchScenario.b1.target, met: ratio <= 1.5,
            values: [
                "rows": Double(o.rows), "trackedInsertSeconds": o.trackedInsert, "plainInsertSeconds": o.plainInsert,
                "trackedUpdateSeconds": o.trackedUpdate, "plainUpdateSeconds": o.plainUpdate,
                "insertRatio": o.trackedInsert / o.plainInsert, "updateRatio": o.trackedUpdate / o.plainUpdate,
                "finalStampSeconds": o.finalStamps, "captureOnlyRatio": (o.captureInsert + o.captureUpdate) / plain,
                "captureOnlyInsertRatio": o.captureInsert / o.plainInsert,
                "captureOnlyUpdateRatio": o.captureUpdate / o.plainUpdate,
            ],
            notes: [
                "inserts \(BenchFormat.seconds(o.trackedInsert)) vs \(BenchFormat.seconds(o.plainInsert)) "
                    + "(\(BenchFormat.ratio(o.trackedInsert / o.plainInsert))); updates "
                    + "\(BenchFormat.seconds(o.trackedUpdate)) vs \(BenchFormat.seconds(o.plainUpdate)) "
                    + "(\(BenchFormat.ratio(o.trackedUpdate / o.plainUpdate)))",
                "tracked times include stamping what each phase left pending (\(BenchFormat.seconds(o.finalStamps)))",
                "capture triggers alone, no versions (a third file): "
                    + "\(BenchFormat.ratio((o.captureInsert + o.captureUpdate) / plain)) "
                    + "(inserts \(BenchFormat.ratio(o.captureInsert / o.plainInsert)), "
                    + "updates \(BenchFormat.ratio(o.captureUpdate / o.plainUpdate)))",
                "rows: interfaces (15 columns) and their RACI rows, 1 : 4; updates: interface title + status, "
                    + "RACI role_title",
            ],
            error: nil)
    }

    /// B6: the replica's file size after B1 against the plain file's.
    func runFileSize() throws -> BenchResult {
        let o = try measureLocalWrites()
        let ratio = Double(o.trackedBytes) / Double(o.plainBytes)
        return BenchResult(
            scenario: .b6, title: "file after B1 (\(BenchFormat.count(o.rows)) rows, each updated once)",
            measured: BenchFormat.bytes(o.trackedBytes), baseline: BenchFormat.bytes(o.plainBytes), ratio: ratio,
            target: BenchScenario.b6.target, met: ratio <= 2,
            values: ["trackedBytes": Double(o.trackedBytes), "plainBytes": Double(o.plainBytes)],
            notes: ["after a TRUNCATE checkpoint of each file's write-ahead log"], error: nil)
    }

    // MARK: - B2: applying a peer's changes

    /// B2: a peer's replica inserts, updates and deletes rows; the receiver has meanwhile updated some of the same
    /// cells (later, so its values win); then the receiver applies the peer's delta batch by batch, and the plain
    /// SQLite baseline upserts (or deletes) exactly the rows and cells of each batch.
    func runApply() throws -> BenchResult {
        let o = try measureApply()
        let report = o.report
        let ratio = o.applySeconds / o.upsertSeconds
        let rate = Double(report.total) / o.applySeconds
        let lostShare = Double(report.lost) / Double(report.total)
        return BenchResult(
            scenario: .b2, title: "apply \(BenchFormat.count(report.total)) cell changes from a peer",
            measured: "\(BenchFormat.seconds(o.applySeconds)), \(BenchFormat.rate(rate, "cells"))",
            baseline: BenchFormat.seconds(o.upsertSeconds), ratio: ratio, target: BenchScenario.b2.target,
            met: ratio <= 2 && rate >= 300_000,
            values: [
                "cells": Double(report.total), "applied": Double(report.applied), "lost": Double(report.lost),
                "alreadyKnown": Double(report.alreadyKnown), "applySeconds": o.applySeconds,
                "upsertSeconds": o.upsertSeconds, "cellsPerSecond": rate, "batches": Double(o.batches),
                "conflicts": Double(report.conflicts),
            ],
            notes: [
                "\(BenchFormat.count(report.applied)) applied, \(BenchFormat.count(report.lost)) lost to newer local "
                    + "values (\(String(format: "%.0f%%", lostShare * 100))), \(BenchFormat.count(o.batches)) batches",
                "peer: \(BenchFormat.count(o.updated)) interfaces updated (8 columns) with their 4 RACI rows "
                    + "(role_title), "
                    + "\(BenchFormat.count(o.deleted)) deleted with their RACI rows, "
                    + "\(BenchFormat.count(o.inserted)) inserted with 4 RACI rows each",
            ],
            error: nil)
    }

    /// B2's setup and measurement (once; B9 reuses it). Each batch of the peer's delta goes, in rotating order, to the
    /// receiver (timed: B2), to a byte-for-byte copy of the receiver without the batch's origin proofs (timed: B9's
    /// baseline, an apply with nothing to verify), and to the plain SQLite file (timed: B2's baseline).
    func measureApply() throws -> BenchApplyOutcome {
        if let applyOutcome { return applyOutcome }
        let directory = try subdirectory("b2")
        let provider = BenchParty.provider(1)
        let base = BenchRows(provider: provider, space: 2)
        let added = BenchRows(provider: provider, space: 3)
        let peer = try Register.create(
            at: directory + "/peer.db", name: "Bench B2 peer", kind: .organization, registerID: nil,
            logger: BenchFiles.logger)
        let receiverPath = directory + "/receiver.db"
        let receiver = try Register.create(
            at: receiverPath, name: "Bench B2 receiver", kind: .provider,
            registerID: peer.replica.registerID, logger: BenchFiles.logger)
        let plain = try BenchFiles.plainRegister(at: directory + "/plain.db")
        var outcome = BenchApplyOutcome(
            updated: sizes.applyUpdatedGroups, deleted: sizes.applyDeletedGroups, inserted: sizes.applyInsertedGroups)
        let updated = outcome.updated
        let deleted = outcome.deleted
        let inserted = outcome.inserted
        let perTransaction = max(1, sizes.transactionRows / 5)
        /// Runs `body` for every group in `range`, in transactions of 1,000 rows, on the replica or the plain file.
        func inTransactions(
            _ range: Range<Int>, _ what: String, replica: Replica?, _ body: @escaping (Connection, Int) throws -> Void
        ) throws {
            for start in stride(from: range.lowerBound, to: range.upperBound, by: perTransaction) {
                let end = min(range.upperBound, start + perTransaction)
                let work: (Connection) throws -> Void = { db in for g in start..<end { try body(db, g) } }
                if let replica { try replica.write(work) } else { try plain.transaction(.immediate, work) }
                progress.step(what, end - range.lowerBound, of: range.count)
            }
        }
        let insertGroup: (BenchRows) -> (Connection, Int) throws -> Void = { rows in
            { db, g in
                try db.execute(BenchRows.insertInterface, rows.interface(g))
                for k in 0..<4 { try db.execute(BenchRows.insertRACI, rows.raci(g, k)) }
            }
        }
        let updateGroup: (Int) -> (Connection, Int) throws -> Void = { revision in
            { db, g in
                try db.execute(BenchRows.updateInterfaceWide, base.wideUpdate(g, revision: revision))
                for k in 0..<4 {
                    let values = base.raci(g, k, revision: revision)
                    try db.execute(BenchRows.updateRACITitle, [values[5], values[0]])
                }
            }
        }

        // Setup: the common base on all three, the receiver's through a real apply.
        try peer.replica.write { db in try BenchParty.write([provider], organization: true, into: db) }
        try plain.transaction { db in try BenchParty.write([provider], organization: true, into: db) }
        try inTransactions(0..<(updated + deleted), "base groups on the peer", replica: peer.replica, insertGroup(base))
        try inTransactions(0..<(updated + deleted), "base groups on the baseline", replica: nil, insertGroup(base))
        var cursor = try peer.replica.deltaCursor(for: try receiver.replica.knowledge())
        while let batch = try peer.replica.nextBatch(&cursor) {
            _ = try receiver.replica.apply(batch)
            progress.step("base changes applied to the receiver", cursor.cells, of: 39 * (updated + deleted))
        }

        // The peer's changes: wide updates, deletes of whole groups, inserts of new groups.
        try inTransactions(0..<updated, "peer updates", replica: peer.replica, updateGroup(1))
        try inTransactions(updated..<(updated + deleted), "peer deletes", replica: peer.replica) { db, g in
            for k in 0..<4 { try db.execute(BenchRows.deleteRACI, [base.raciID(g, k)]) }
            try db.execute(BenchRows.deleteInterface, [.text(base.interfaceID(g))])
        }
        try inTransactions(0..<inserted, "peer inserts", replica: peer.replica, insertGroup(added))

        // The receiver's later local edits of the same cells: 30% of the changes it will receive lose to them.
        // Changes per group: an update 8 + 4 cells; a delete 5 rows; an insert 5 rows and 14 + 4 × 5 cells.
        let expectedCells = 12 * updated + 5 * deleted + 39 * inserted
        let losingGroups = min(updated, Int((0.3 * Double(expectedCells) / 12).rounded()))
        Thread.sleep(forTimeInterval: 0.01) // a later clock reading than the peer's last edit, even on a fast machine
        try inTransactions(0..<losingGroups, "receiver's local edits", replica: receiver.replica, updateGroup(2))
        try inTransactions(0..<losingGroups, "baseline's local edits", replica: nil, updateGroup(2))

        // The copy applies the same batches without their proofs: it starts from the receiver's very bytes (a
        // checkpointed file, no key beside it, which an apply does not need).
        let unsignedPath = directory + "/receiver-unsigned.db"
        try BenchFiles.copyReplica(receiverPath, to: unsignedPath)
        let unsigned = try Replica(path: unsignedPath, logger: BenchFiles.logger)

        // Measured: apply each batch, the same without its proofs to the copy, and upsert the same rows and cells
        // into the plain file; the order rotates batch by batch.
        var upserter = BenchUpserter()
        cursor = try peer.replica.deltaCursor(for: try receiver.replica.knowledge())
        while let batch = try peer.replica.nextBatch(&cursor) {
            var stripped = batch
            stripped.message.proofs = []
            stripped.message.keys = []
            outcome.proofs += batch.message.proofs.count
            outcome.proofBytes += batch.message.proofs.reduce(0) { sum, proof in
                sum + proof.signature.count + proof.chunkDigests.count
                    + proof.chunks.reduce(0) { $0 + $1.otherLeaves.count }
            }
            outcome.proofBytes += batch.message.keys.reduce(0) { $0 + $1.key.count }
            for turn in 0..<3 {
                switch (turn + outcome.batches) % 3 {
                case 0:
                    let (applied, seconds) = try BenchClock.measure { try receiver.replica.apply(batch) }
                    outcome.report.add(applied)
                    outcome.applySeconds += seconds
                case 1:
                    let (applied, seconds) = try BenchClock.measure { try unsigned.apply(stripped) }
                    outcome.unsignedReport.add(applied)
                    outcome.unsignedApplySeconds += seconds
                default:
                    outcome.upsertSeconds += try BenchClock.measure {
                        try plain.transaction(.immediate) { db in try upserter.upsert(batch.message, into: db) }
                    }.1
                }
            }
            outcome.batches += 1
            progress.step("cells applied", outcome.report.total, of: expectedCells)
        }
        guard outcome.report.total > 0 else { throw BenchError(.unexpected, "the peer's delta was empty") }
        guard outcome.unsignedReport.applied == outcome.report.applied,
            outcome.unsignedReport.lost == outcome.report.lost
        else {
            throw BenchError(
                .unexpected,
                "the copy applied \(outcome.unsignedReport.applied) and lost \(outcome.unsignedReport.lost) of the "
                    + "batches without proofs, the receiver \(outcome.report.applied) and \(outcome.report.lost)")
        }
        applyOutcome = outcome
        return outcome
    }
}

/// The plain SQLite baseline of B2: upserts each row of a change batch (or deletes it), with one cached statement
/// per table and column set.
struct BenchUpserter {
    private struct Shape: Hashable {
        var table: String
        var columns: [UInt32]
    }
    private var statements: [Shape: String] = [:]

    /// Writes the batch's rows and cells into `db`: a deleted row is deleted, a live one upserted with its cells.
    mutating func upsert(_ batch: Spi_V1_ChangeBatch, into db: Connection) throws {
        for row in batch.rows {
            let table = batch.tables[Int(row.table)]
            let id: DatabaseValue
            switch row.rowID {
            case .uuid(let bytes): id = .text(BenchUpserter.uuidText(bytes))
            case .text(let text): id = .text(text)
            case nil: continue
            }
            if row.cl % 2 == 0 {
                try db.execute("DELETE FROM \(table.name) WHERE id = ?", [id])
                continue
            }
            let shape = Shape(table: table.name, columns: row.cells.map(\.column))
            let sql: String
            if let cached = statements[shape] {
                sql = cached
            } else {
                let names = shape.columns.map { table.columns[Int($0)] }
                let assignments = names.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
                sql =
                    "INSERT INTO \(table.name)(id" + names.map { ", " + $0 }.joined()
                    + ") VALUES (?" + String(repeating: ", ?", count: names.count) + ") ON CONFLICT(id) DO "
                    + (names.isEmpty ? "NOTHING" : "UPDATE SET \(assignments)")
                statements[shape] = sql
            }
            var values: [DatabaseValue] = [id]
            values.reserveCapacity(row.cells.count + 1)
            for cell in row.cells { values.append(BenchUpserter.value(cell.value)) }
            try db.execute(sql, values)
        }
    }

    /// A cell's value as SQLite stores it.
    static func value(_ value: Spi_V1_CellChange.OneOf_Value?) -> DatabaseValue {
        switch value {
        case .integer(let i): .integer(i)
        case .real(let r): .real(r)
        case .text(let t): .text(t)
        case .blob(let b): .blob([UInt8](b))
        case .null, nil: .null
        }
    }

    /// The raw bytes of a value: text and blob lengths, 8 for numbers, 0 for NULL.
    static func rawBytes(_ value: Spi_V1_CellChange.OneOf_Value?) -> Int {
        switch value {
        case .integer, .real: 8
        case .text(let t): t.utf8.count
        case .blob(let b): b.count
        case .null, nil: 0
        }
    }

    /// 16 bytes as a lowercase canonical UUID.
    static func uuidText(_ bytes: Data) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
