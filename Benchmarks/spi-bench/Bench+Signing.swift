import Foundation
import SPIRegister
import SPIReplication
import SPISQLite

/// One side of B9's delta on B3's path: a sender, the receiver it fills batch by batch, and the seconds each step took.
struct BenchDeltaSide {
    /// The replica the delta is read from (with or without a signer).
    let sender: Replica
    /// The replica the batches are applied to.
    let receiver: Replica
    var cursor: DeltaCursor?
    /// Starting the delta.
    var startSeconds = 0.0
    /// Making the batches: with a signer, signing the groups each carries, and attaching their proofs.
    var readSeconds = 0.0
    /// Applying the batches, which verifies and stores every proof they carry.
    var applySeconds = 0.0
    var report = ApplyReport()
    var batches = 0
    var proofs = 0

    init(sender: Replica, receiver: Replica) {
        self.sender = sender
        self.receiver = receiver
    }

    /// The whole path: sender and receiver.
    var seconds: Double { startSeconds + readSeconds + applySeconds }

    /// Starts the delta for the receiver's knowledge.
    mutating func start() throws {
        let knowledge = try receiver.knowledge()
        let sender = sender
        (cursor, startSeconds) = try BenchClock.measure { try sender.deltaCursor(for: knowledge) }
    }

    /// Reads the next batch and applies it; false once the delta is finished.
    mutating func step() throws -> Bool {
        guard var current = cursor else { return false }
        let sender = sender
        let (next, read) = try BenchClock.measure { try sender.nextBatch(&current) }
        cursor = current
        readSeconds += read
        guard let batch = next else {
            cursor = nil
            return false
        }
        let receiver = receiver
        let (applied, seconds) = try BenchClock.measure { try receiver.apply(batch) }
        applySeconds += seconds
        report.add(applied)
        batches += 1
        proofs += batch.message.proofs.count
        return true
    }
}

extension BenchRunner {
    // MARK: - B9: signing and verifying on the paths of B1, B2 and B3

    /// B9 (issue 20): what origin proofs (protocol/changes.md §7) add to the paths of B1, B2 and B3, each against the
    /// same path without them, in the same run; one result per path, each of which may fail on its own.
    func runSigning() -> [BenchResult] {
        let parts: [(String, () throws -> BenchResult)] = [
            ("B1", runSigningLocalWrites), ("B2", runVerifyingApply), ("B3", runSigningDelta),
        ]
        return parts.map { part, measure in
            do {
                var result = try measure()
                result.part = part
                return result
            } catch {
                progress.say("B9 (\(part)): failed: \(error)")
                return .failure(.b9, error, part: part)
            }
        }
    }

    /// B9 on B1's path: B1's tracked writes, then the signing a replica does before any of them leaves it (a delta
    /// signs the origin groups of its own that each batch carries, as it makes the batch). B1's replica is opened
    /// with its key, as `spi sync` opens it, and a whole delta for a peer that knows nothing is read three times:
    /// without the key (no proofs; this also warms the caches), with it (signing every group), and again (every group
    /// signed: the proofs are only attached). The signing is the second less the third. Ratio: writes + signing
    /// against writes.
    func runSigningLocalWrites() throws -> BenchResult {
        let o = try measureLocalWrites()
        let writes = o.trackedInsert + o.trackedUpdate
        let replica = try Replica(path: o.trackedPath, logger: BenchFiles.logger)
        guard let signer = replica.signer else { throw BenchError(.unexpected, "B1's replica opened without its key") }
        /// Reads a whole delta for a peer that knows nothing; returns the seconds and the proofs it carried.
        func readDelta() throws -> (seconds: Double, proofs: Int) {
            var proofs = 0
            let seconds = try BenchClock.measure {
                var cursor = try replica.deltaCursor(for: Knowledge())
                while let batch = try replica.nextBatch(&cursor) { proofs += batch.message.proofs.count }
            }.1
            return (seconds, proofs)
        }
        progress.say("  a delta of what B1 wrote: without the key, signing it, then signed")
        replica.signer = nil
        let unsigned = try readDelta()
        replica.signer = signer
        let first = try readDelta()
        let again = try readDelta()
        guard unsigned.proofs == 0, first.proofs == again.proofs, first.proofs > 0 else {
            throw BenchError(
                .unexpected,
                "the deltas carried \(unsigned.proofs), \(first.proofs) and \(again.proofs) proofs")
        }
        let signing = max(0, first.seconds - again.seconds)
        let (groups, leafBytes) = try replica.read { db in
            (
                try db.scalar("SELECT count(*) FROM _spi_group")?.integerValue ?? 0,
                try db.scalar("SELECT coalesce(sum(length(leaves)), 0) FROM _spi_group_chunk")?.integerValue ?? 0
            )
        }
        guard groups > 0 else { throw BenchError(.unexpected, "the delta signed no origin group of B1's writes") }
        let signedBytes = try BenchFiles.checkpointedSize(o.trackedPath)
        let entries = Int(leafBytes) / 16 // a leaf is 16 bytes (protocol/changes.md §7.1)
        let ratio = (writes + signing) / writes
        return BenchResult(
            scenario: .b9, title: "signing B1's writes before they leave",
            measured: "\(BenchFormat.seconds(writes + signing)) (signing \(BenchFormat.seconds(signing)))",
            baseline: "\(BenchFormat.seconds(writes)) of tracked writes", ratio: ratio,
            target: BenchScenario.b9.target, met: ratio <= 1.05,
            values: [
                "writeSeconds": writes, "signingSeconds": signing, "signingDeltaSeconds": first.seconds,
                "signedDeltaSeconds": again.seconds, "unsignedDeltaSeconds": unsigned.seconds, "groups": Double(groups),
                "entries": Double(entries),
                "fileBytes": Double(o.trackedBytes), "signedFileBytes": Double(signedBytes),
            ],
            notes: [
                "B1's \(BenchFormat.count(o.rows)) inserts + \(BenchFormat.count(o.rows)) updates "
                    + "(\(BenchFormat.seconds(writes)), stamping included), then a whole delta that signs "
                    + "\(BenchFormat.count(Int(groups))) origin groups, \(BenchFormat.count(entries)) entries, as it "
                    + "makes its batches (\(BenchFormat.seconds(first.seconds))), against the same delta once they "
                    + "are signed (\(BenchFormat.seconds(again.seconds))); without the key, no proofs: "
                    + "\(BenchFormat.seconds(unsigned.seconds))",
                "the stored proofs grow B1's replica file from \(BenchFormat.bytes(o.trackedBytes)) (B6) to "
                    + "\(BenchFormat.bytes(signedBytes))",
            ],
            error: nil)
    }

    /// B9 on B2's path: B2's receiver applies the peer's signed batches, verifying every origin proof (and storing
    /// it); a byte-for-byte copy of the receiver applies the same batches without their proofs, alternating batch by
    /// batch (see ``measureApply()``). Ratio: the signed applies against the unsigned ones.
    func runVerifyingApply() throws -> BenchResult {
        let o = try measureApply()
        let added = o.applySeconds - o.unsignedApplySeconds
        let ratio = o.applySeconds / o.unsignedApplySeconds
        return BenchResult(
            scenario: .b9, title: "verifying the origin proofs of B2's batches",
            measured: "\(BenchFormat.seconds(o.applySeconds)) (proofs \(BenchFormat.seconds(added)))",
            baseline: "\(BenchFormat.seconds(o.unsignedApplySeconds)) without proofs", ratio: ratio,
            target: BenchScenario.b9.target, met: ratio <= 1.05,
            values: [
                "applySeconds": o.applySeconds, "unsignedApplySeconds": o.unsignedApplySeconds,
                "proofSeconds": added, "cells": Double(o.report.total), "batches": Double(o.batches),
                "proofs": Double(o.proofs), "proofBytes": Double(o.proofBytes),
            ],
            notes: [
                "B2's \(BenchFormat.count(o.batches)) batches (\(BenchFormat.count(o.report.total)) cell changes) "
                    + "carry \(BenchFormat.count(o.proofs)) origin proofs, \(BenchFormat.bytes(o.proofBytes)) of "
                    + "signatures, digests, leaves and keys; each applied with its proofs (checked and stored) and, "
                    + "to a copy of the receiver, without them; applies alternate"
            ],
            error: nil)
    }

    /// B9 on B3's path: a delta over B3's whole register, read and applied in-process, with the signing it carries
    /// (the sender signs every group at the delta's start and attaches the proofs to each batch; the receiver checks
    /// and stores them) and without (a byte-for-byte copy of the register with no key, to a second new receiver).
    /// The two deltas alternate batch by batch. Ratio: the signed path against the unsigned one.
    func runSigningDelta() throws -> BenchResult {
        let directory = try subdirectory("b9-delta")
        let signedPath = directory + "/org.db"
        let unsignedPath = directory + "/org-unsigned.db"
        let registerID = try makeOrganization(at: signedPath, rows: sizes.syncRows).replica.registerID
        try BenchFiles.copyReplica(signedPath, to: unsignedPath)
        func receiver(_ name: String) throws -> Replica {
            try Register.create(
                at: directory + "/\(name).db", name: "Bench B9 \(name)", kind: .provider, registerID: registerID,
                logger: BenchFiles.logger
            ).replica
        }
        var signed = BenchDeltaSide(
            sender: try Replica(path: signedPath, logger: BenchFiles.logger), receiver: try receiver("provider"))
        var unsigned = BenchDeltaSide(
            sender: try Replica(path: unsignedPath, logger: BenchFiles.logger),
            receiver: try receiver("provider-unsigned"))
        guard signed.sender.signer != nil, unsigned.sender.signer == nil else {
            throw BenchError(.unexpected, "the signed register has no key, or its copy has one")
        }
        progress.say("  a delta of \(BenchFormat.count(sizes.syncRows)) rows with and without origin proofs")
        try unsigned.start()
        try signed.start()
        var turn = 0
        var more = (signed: true, unsigned: true)
        while more.signed || more.unsigned {
            if turn % 2 == 0 {
                if more.signed { more.signed = try signed.step() }
                if more.unsigned { more.unsigned = try unsigned.step() }
            } else {
                if more.unsigned { more.unsigned = try unsigned.step() }
                if more.signed { more.signed = try signed.step() }
            }
            turn += 1
            progress.step("cells applied", signed.report.total, of: sizes.syncRows * 8)
        }
        guard signed.report.total > 0, signed.report.applied == unsigned.report.applied, unsigned.proofs == 0 else {
            throw BenchError(
                .unexpected,
                "the signed delta applied \(signed.report.applied) changes, the unsigned one "
                    + "\(unsigned.report.applied) with \(unsigned.proofs) proofs")
        }
        let ratio = signed.seconds / unsigned.seconds
        func describe(_ side: BenchDeltaSide) -> String {
            "start \(BenchFormat.seconds(side.startSeconds)), batches read \(BenchFormat.seconds(side.readSeconds)), "
                + "applied \(BenchFormat.seconds(side.applySeconds))"
        }
        return BenchResult(
            scenario: .b9,
            title: "a delta of \(BenchFormat.count(sizes.syncRows)) rows with its signing, sender and receiver",
            measured: "\(BenchFormat.seconds(signed.seconds)) (proofs "
                + "\(BenchFormat.seconds(signed.seconds - unsigned.seconds)))",
            baseline: "\(BenchFormat.seconds(unsigned.seconds)) without proofs", ratio: ratio,
            target: BenchScenario.b9.target, met: ratio <= 1.05,
            values: [
                "seconds": signed.seconds, "unsignedSeconds": unsigned.seconds,
                "startSeconds": signed.startSeconds, "unsignedStartSeconds": unsigned.startSeconds,
                "readSeconds": signed.readSeconds, "unsignedReadSeconds": unsigned.readSeconds,
                "applySeconds": signed.applySeconds, "unsignedApplySeconds": unsigned.applySeconds,
                "cells": Double(signed.report.total), "batches": Double(signed.batches),
                "proofs": Double(signed.proofs),
            ],
            notes: [
                "signed: \(describe(signed)); \(BenchFormat.count(signed.proofs)) proofs in "
                    + "\(BenchFormat.count(signed.batches)) batches",
                "unsigned: \(describe(unsigned))",
                "in-process (no TLS, no processes), unscoped, applied without a gate; the two deltas alternate "
                    + "batch by batch",
            ],
            error: nil)
    }
}
