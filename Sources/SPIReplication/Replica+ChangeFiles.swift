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
    public func writeKnowledge(to path: String) throws {
        var file = Spi_V1_KnowledgeFile()
        file.formatVersion = ChangeSetFile.formatVersion
        file.registerID = Data(registerID.bytes)
        file.site = Data(siteID.bytes)
        file.knowledge = try knowledge().proto
        let bytes = ChangeSetFile.knowledgeMagic + ChangeSetFile.frame(try file.serializedBytes())
        try writeAtomically(bytes, to: path)
    }

    /// Reads a knowledge file written by a replica of the same register.
    ///
    /// - Throws: ``ReplicationError/Code/registerMismatch`` for another register's file; `malformed`, `truncated`
    ///   or `unsupportedVersion` for a damaged or foreign one.
    public func readKnowledge(from path: String) throws -> Knowledge {
        try readKnowledgeFile(from: path).knowledge
    }

    /// Reads a knowledge file written by a replica of the same register: the site that wrote it, and its knowledge.
    ///
    /// - Throws: as ``readKnowledge(from:)``, and `malformed` when the writing site is not a valid site id.
    public func readKnowledgeFile(from path: String) throws -> (site: SiteID, knowledge: Knowledge) {
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
            throw ReplicationError(.unsupportedVersion, "\(path) has knowledge format \(file.formatVersion); this build reads \(ChangeSetFile.formatVersion)")
        }
        try checkRegister(file.registerID, source: path)
        guard let site = SiteID(bytes: file.site) else {
            throw ReplicationError(.malformed, "\(path) names no valid site")
        }
        return (site, try Knowledge(proto: file.knowledge))
    }

    /// Writes every change the given knowledge lacks (all changes for empty knowledge) to a change-set file.
    ///
    /// The file is written beside its destination and renamed into place when complete, so a crash never leaves a
    /// half-written file under the final name.
    @discardableResult
    public func exportChanges(
        since knowledge: Knowledge = Knowledge(), to path: String, maxCells: Int = 4096, scope: (any ReadScope)? = nil,
        progress: ((ChangeSetSummary) -> Void)? = nil
    ) throws -> ChangeSetSummary {
        var cursor = try deltaCursor(for: knowledge, scope: scope)
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
                let bytes = ChangeSetFile.frame(try frame.serializedBytes())
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
            while let batch = try nextBatch(&cursor, maxCells: maxCells) {
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
            frame.trailer = trailer
            try emit(frame)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        logger.info("exported changes", metadata: [
            "changes.path": "\(path)", "changes.batches": "\(summary.batches)", "changes.cells": "\(summary.cells)",
        ])
        return summary
    }

    /// Merges a change-set file, batch by batch, each batch in its own transaction with its bookkeeping.
    ///
    /// A file from another register is refused before anything is applied. A file cut short is detected: its
    /// complete batches stay applied (each is self-contained and exact about the knowledge it grants), then
    /// ``ReplicationError/Code/truncated`` is thrown; `progress` has by then reported what was applied. With a `gate`,
    /// each change is judged by its origin, as in ``apply(_:gate:from:since:)``. Coverage is claimed only for sites
    /// whose `since` in the file's header this replica's own knowledge reaches: a file made for another replica
    /// applies its changes but never raises this replica's knowledge past what it received.
    @discardableResult
    public func applyChanges(
        from path: String, gate: (any WriteGate)? = nil, progress: ((ApplyReport) -> Void)? = nil
    ) throws -> ApplyReport {
        let reader = try FrameReader(path: path, magic: ChangeSetFile.changeSetMagic, kind: "an SPI change-set file")
        func decode(_ payload: [UInt8]) throws -> Spi_V1_ChangeSetFrame {
            do {
                return try Spi_V1_ChangeSetFrame(serializedBytes: payload)
            } catch {
                throw ReplicationError(.malformed, "\(path) holds a frame that does not decode (\(error))")
            }
        }
        guard let first = try reader.next() else {
            throw ReplicationError(.truncated, "\(path) is cut short: it has no header")
        }
        guard case .header(let header) = try decode(first).kind else {
            throw ReplicationError(.malformed, "\(path) does not start with a change-set header")
        }
        guard header.formatVersion == ChangeSetFile.formatVersion else {
            throw ReplicationError(.unsupportedVersion, "\(path) has change-set format \(header.formatVersion); this build reads \(ChangeSetFile.formatVersion)")
        }
        try checkRegister(header.registerID, source: path)
        let since = try Knowledge(proto: header.since)
        var report = ApplyReport()
        while let payload = try reader.next() {
            switch try decode(payload).kind {
            case .batch(let batch):
                report.add(try apply(batch, gate: gate, from: "file \(path)", since: since))
                progress?(report)
            case .trailer(let trailer):
                guard trailer.batches == UInt64(report.batches) else {
                    throw ReplicationError(.malformed, "\(path) announces \(trailer.batches) batches but holds \(report.batches)")
                }
                guard try reader.next() == nil else {
                    throw ReplicationError(.malformed, "\(path) has data after its trailer")
                }
                logger.info("applied changes", metadata: [
                    "changes.path": "\(path)", "changes.applied": "\(report.applied)", "changes.lost": "\(report.lost)",
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
                "\(source) belongs to register \(register), not to this replica's register \(registerID); nothing was applied")
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
