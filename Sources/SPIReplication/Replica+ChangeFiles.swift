import Crypto
import Foundation
import SwiftProtobuf

extension Replica {
    /// Writes this replica's knowledge to a file, for another replica to compute what this one lacks.
    ///
    /// ```swift
    /// try provider.writeKnowledge(to: "fabrikam.knowledge")
    /// // … carried to the organization …
    /// try organization.exportChanges(since: organization.readKnowledge(from: "fabrikam.knowledge"), to: "for-fabrikam.changes")
    /// ```
    ///
    /// With a `signer` (the replica's own key), a second frame signs the first, so that the exporter can trust which
    /// replica the knowledge is from (`spi changes export` scopes the file to that replica's party).
    public func writeKnowledge(to path: String, signer: ChangeSetSigner? = nil) throws {
        var file = Spi_V1_KnowledgeFile()
        file.formatVersion = ChangeSetFile.formatVersion
        file.registerID = Data(registerID.bytes)
        file.site = Data(siteID.bytes)
        file.knowledge = try knowledge().proto
        let payload: [UInt8] = try file.serializedBytes()
        var bytes = ChangeSetFile.knowledgeMagic + ChangeSetFile.frame(payload)
        if let signer {
            try checkSigner(signer)
            var signature = Spi_V1_KnowledgeSignature()
            signature.signerKey = Data(signer.publicKeyDER)
            signature.signature = Data(try signer.sign(ChangeSetSigner.knowledgeMessage(payload: payload)))
            bytes += ChangeSetFile.frame(try signature.serializedBytes())
        }
        try writeAtomically(bytes, to: path)
    }

    /// Refuses a signer whose key is not this replica's.
    func checkSigner(_ signer: ChangeSetSigner) throws {
        guard signer.site == siteID else {
            throw ReplicationError(
                .badSignature,
                "the key given to sign belongs to site \(signer.site), not to this replica (site \(siteID)): files are "
                    + "signed with the replica's own key")
        }
    }

    /// Reads a knowledge file written by a replica of the same register.
    ///
    /// - Throws: `ReplicationError.Code.registerMismatch` for another register's file; `malformed`, `truncated`
    ///   or `unsupportedVersion` for a damaged or foreign one.
    public func readKnowledge(from path: String) throws -> Knowledge {
        try readKnowledgeFile(from: path).knowledge
    }

    /// Reads a knowledge file written by a replica of the same register: the site that wrote it, and its knowledge.
    ///
    /// - Throws: as ``readKnowledge(from:)``, and `malformed` when the writing site is not a valid site id.
    ///
    /// With `requireSignature`, the file must carry a valid signature by the key of the site it names (see
    /// ``writeKnowledge(to:signer:)``); `signed` says whether it did.
    public func readKnowledgeFile(from path: String, requireSignature: Bool = false) throws
        -> (site: SiteID, knowledge: Knowledge, signed: Bool)
    {
        let reader = try FrameReader(path: path, magic: ChangeSetFile.knowledgeMagic, kind: "an SPI knowledge file")
        guard let payload = try reader.next() else {
            throw ReplicationError(.truncated, "\(path) is cut short: it holds no knowledge")
        }
        let file: Spi_V1_KnowledgeFile
        do {
            file = try Spi_V1_KnowledgeFile(serializedBytes: payload)
        } catch {
            throw ReplicationError(.malformed, "\(path) does not decode as a knowledge file (\(error))")
        }
        guard file.formatVersion == ChangeSetFile.formatVersion else {
            throw ReplicationError(
                .unsupportedVersion,
                "\(path) has knowledge format \(file.formatVersion); this build reads \(ChangeSetFile.formatVersion)")
        }
        try checkRegister(file.registerID, source: path)
        guard let site = SiteID(bytes: file.site) else {
            throw ReplicationError(.malformed, "\(path) names no valid site")
        }
        var signed = false
        if let second = try reader.next() {
            guard let signature = try? Spi_V1_KnowledgeSignature(serializedBytes: second),
                ChangeSetSigner.verifies(
                    signature: signature.signature, by: signature.signerKey,
                    of: ChangeSetSigner.knowledgeMessage(payload: payload), for: site)
            else {
                throw ReplicationError(
                    .badSignature,
                    "\(path) carries a signature that is not site \(site)'s: the file is forged or damaged")
            }
            signed = true
        }
        if requireSignature && !signed {
            throw ReplicationError(
                .badSignature,
                "\(path) is not signed: ask its replica for a new one (`spi changes knowledge` signs it with the replica's key)"
            )
        }
        return (site, try Knowledge(proto: file.knowledge), signed)
    }

    /// Writes every change the given knowledge lacks (all changes for empty knowledge) to a change-set file.
    ///
    /// The file is written beside its destination and renamed into place when complete, so a crash never leaves a
    /// half-written file under the final name.
    ///
    /// With a `signer` (the replica's own key) the trailer carries the writer's signature over every frame, and a
    /// receiver can verify that this replica wrote the file (``applyChanges(from:requireSignature:gate:progress:)``).
    @discardableResult
    public func exportChanges(
        since knowledge: Knowledge = Knowledge(), to path: String, maxCells: Int = 4096, scope: (any ReadScope)? = nil,
        signer: ChangeSetSigner? = nil, progress: ((ChangeSetSummary) -> Void)? = nil
    ) throws -> ChangeSetSummary {
        if let signer { try checkSigner(signer) }
        var cursor = try deltaCursor(for: knowledge, scope: scope)
        var frameDigests: [[UInt8]] = []
        var summary = ChangeSetSummary()
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw ReplicationError(.malformed, "cannot write \(temporary)")
        }
        do {
            defer { try? handle.close() }
            func emit(_ frame: Spi_V1_ChangeSetFrame) throws {
                let payload: [UInt8] = try frame.serializedBytes()
                if case .trailer = frame.kind {} else { frameDigests.append(Array(SHA256.hash(data: payload))) }
                let bytes = ChangeSetFile.frame(payload)
                try handle.write(contentsOf: bytes)
                summary.bytes += bytes.count
            }
            try handle.write(contentsOf: ChangeSetFile.changeSetMagic)
            summary.bytes += ChangeSetFile.changeSetMagic.count
            var header = Spi_V1_ChangeSetHeader()
            header.formatVersion = ChangeSetFile.formatVersion
            header.registerID = Data(registerID.bytes)
            header.senderSite = Data(siteID.bytes)
            header.schemaVersion = UInt32(try connection.scalar("PRAGMA user_version")?.integerValue ?? 0)
            header.since = knowledge.proto
            header.createdUnixMs = Int64(now())
            var frame = Spi_V1_ChangeSetFrame()
            frame.header = header
            try emit(frame)
            while let batch = try nextBatchMessage(&cursor, maxCells: maxCells) {
                frame.batch = batch
                try emit(frame)
                summary.batches = cursor.batches
                summary.rows = cursor.rows
                summary.cells = cursor.cells
                progress?(summary)
            }
            var trailer = Spi_V1_ChangeSetTrailer()
            trailer.batches = UInt64(summary.batches)
            trailer.rows = UInt64(summary.rows)
            trailer.cells = UInt64(summary.cells)
            if let signer {
                trailer.signerKey = Data(signer.publicKeyDER)
                trailer.signature = Data(
                    try signer.sign(
                        ChangeSetSigner.changeSetMessage(
                            frameDigests: frameDigests, batches: trailer.batches, rows: trailer.rows,
                            cells: trailer.cells)))
            }
            frame.trailer = trailer
            try emit(frame)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        logger.info(
            "exported changes",
            metadata: [
                "changes.path": "\(path)", "changes.batches": "\(summary.batches)", "changes.cells": "\(summary.cells)",
            ])
        return summary
    }

    /// Merges a change-set file, batch by batch, each batch in its own transaction with its bookkeeping.
    ///
    /// A file from another register is refused before anything is applied. A file cut short is detected: its
    /// complete batches stay applied (each is self-contained and exact about the knowledge it grants), then
    /// `ReplicationError.Code.truncated` is thrown; `progress` has by then reported what was applied. With a `gate`,
    /// each change is judged by its origin, as in ``apply(_:gate:from:since:)``. Coverage is claimed only for sites
    /// whose `since` in the file's header this replica's own knowledge reaches: a file made for another replica
    /// applies its changes but never raises this replica's knowledge past what it received.
    @discardableResult
    public func applyChanges(
        from path: String, gate: (any WriteGate)? = nil, progress: ((ApplyReport) -> Void)? = nil
    ) throws -> ApplyReport {
        try applyChanges(from: path, requireSignature: false, gate: { _ in gate }, progress: progress)
    }

    /// Merges a change-set file after checking who wrote it.
    ///
    /// The file is read twice: first to check its signature (see ``exportChanges(since:to:maxCells:scope:signer:progress:)``),
    /// then to apply it, each frame checked against the first reading, so that a file changed in between applies
    /// nothing it did not sign. `gate` is made for the verified writer (nil when the file is unsigned and no
    /// signature is required).
    ///
    /// - Throws: `ReplicationError.Code.badSignature` with `requireSignature` when the file is unsigned, when its
    ///   signature is not valid, or when its key is not the key of the site its header names: nothing is applied.
    ///   A file cut short applies nothing when a signature is required (it cannot be verified).
    @discardableResult
    public func applyChanges(
        from path: String, requireSignature: Bool, gate makeGate: (SiteID?) throws -> (any WriteGate)?,
        progress: ((ApplyReport) -> Void)? = nil
    ) throws -> ApplyReport {
        func decode(_ payload: [UInt8]) throws -> Spi_V1_ChangeSetFrame {
            do {
                return try Spi_V1_ChangeSetFrame(serializedBytes: payload)
            } catch {
                throw ReplicationError(.malformed, "\(path) holds a frame that does not decode (\(error))")
            }
        }
        // First reading: the header, and the signature over every frame.
        var digests: [[UInt8]] = []
        var writer: SiteID?
        do {
            let reader = try FrameReader(
                path: path, magic: ChangeSetFile.changeSetMagic, kind: "an SPI change-set file")
            guard let first = try reader.next() else {
                throw ReplicationError(.truncated, "\(path) is cut short: it has no header")
            }
            guard case .header(let header) = try decode(first).kind else {
                throw ReplicationError(.malformed, "\(path) does not start with a change-set header")
            }
            guard header.formatVersion == ChangeSetFile.formatVersion else {
                throw ReplicationError(
                    .unsupportedVersion,
                    "\(path) has change-set format \(header.formatVersion); this build reads \(ChangeSetFile.formatVersion)"
                )
            }
            try checkRegister(header.registerID, source: path)
            digests.append(Array(SHA256.hash(data: first)))
            var trailer: Spi_V1_ChangeSetTrailer?
            // The first change whose origin proof fails: reported once the file's own signature has been checked
            // (a file altered on its way is reported as such).
            var proofError: (any Error)?
            do {
                while let payload = try reader.next() {
                    let frame = try decode(payload)
                    if case .trailer(let t) = frame.kind {
                        trailer = t
                        break
                    }
                    if requireSignature, proofError == nil, case .batch(let batch) = frame.kind {
                        // Every change's origin proof, before anything is applied: a forged change refuses the file.
                        do {
                            _ = try verifyProofs(of: batch, required: true, nil)
                        } catch {
                            proofError = error
                        }
                    }
                    digests.append(Array(SHA256.hash(data: payload)))
                }
            } catch let error as ReplicationError where error.code == .truncated && !requireSignature {
                // An unsigned file cut short: its complete batches still apply (below).
            }
            if let trailer, !trailer.signature.isEmpty || !trailer.signerKey.isEmpty {
                let claimed = SiteID(bytes: header.senderSite)
                let message = ChangeSetSigner.changeSetMessage(
                    frameDigests: digests, batches: trailer.batches, rows: trailer.rows, cells: trailer.cells)
                guard
                    ChangeSetSigner.verifies(
                        signature: trailer.signature, by: trailer.signerKey, of: message, for: claimed)
                else {
                    throw ReplicationError(
                        .badSignature,
                        "\(path) is not what its writer signed: its signature does not match the site it names "
                            + "(\(claimed.map { "\($0)" } ?? "none")) or its content; it is forged or damaged, and nothing was applied"
                    )
                }
                writer = claimed
            } else if requireSignature {
                throw ReplicationError(
                    .badSignature,
                    trailer == nil
                        ? "\(path) is cut short, so its signature cannot be checked; nothing was applied: ask the sender for a new change set"
                        : "\(path) is not signed, so nothing proves who wrote it; nothing was applied: ask the sender to export it again with this version of spi"
                )
            }
            if let proofError { throw proofError }
        }
        let gate = try makeGate(writer)

        // Second reading: apply, each frame checked against the first.
        let reader = try FrameReader(path: path, magic: ChangeSetFile.changeSetMagic, kind: "an SPI change-set file")
        var index = 0
        func nextChecked() throws -> [UInt8]? {
            guard let payload = try reader.next() else { return nil }
            if index < digests.count, Array(SHA256.hash(data: payload)) != digests[index] {
                throw ReplicationError(
                    .badSignature,
                    "\(path) changed while it was being applied; what was applied before the change was verified")
            }
            index += 1
            return payload
        }
        guard let first = try nextChecked(), case .header(let header) = try decode(first).kind else {
            throw ReplicationError(.malformed, "\(path) does not start with a change-set header")
        }
        let since = try Knowledge(proto: header.since)
        var report = ApplyReport()
        report.fileBytes = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
        while let payload = try nextChecked() {
            report.bytesRead = reader.offset
            switch try decode(payload).kind {
            case .batch(let batch):
                if writer != nil && index > digests.count {
                    throw ReplicationError(.badSignature, "\(path) holds more batches than its writer signed")
                }
                report.add(
                    try apply(
                        batch, gate: gate, from: "file \(path)", since: since,
                        signaturesChecked: writer != nil && requireSignature))
                progress?(report)
            case .trailer(let trailer):
                guard trailer.batches == UInt64(report.batches) else {
                    throw ReplicationError(
                        .malformed, "\(path) announces \(trailer.batches) batches but holds \(report.batches)")
                }
                guard try reader.next() == nil else {
                    throw ReplicationError(.malformed, "\(path) has data after its trailer")
                }
                logger.info(
                    "applied changes",
                    metadata: [
                        "changes.path": "\(path)", "changes.applied": "\(report.applied)",
                        "changes.lost": "\(report.lost)",
                    ])
                return report
            case .header, nil:
                throw ReplicationError(.malformed, "\(path) has a second header or an unknown frame")
            }
        }
        throw ReplicationError(
            .truncated,
            "\(path) is cut short after \(report.batches) complete batches (\(report.applied) changes applied); "
                + "ask the sender for a new change set")
    }

    func checkRegister(_ bytes: Data, source: String) throws {
        guard let register = RegisterID(bytes: bytes) else {
            throw ReplicationError(.malformed, "\(source) names no valid register id")
        }
        guard register == registerID else {
            throw ReplicationError(
                .registerMismatch,
                "\(source) belongs to register \(register), not to this replica's register \(registerID); nothing was applied"
            )
        }
    }

    func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw ReplicationError(.malformed, "cannot write \(temporary)")
        }
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }
}
