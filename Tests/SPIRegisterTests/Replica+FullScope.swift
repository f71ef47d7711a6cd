import Foundation
@testable import SPIReplication
import SwiftProtobuf

extension Replica {
    /// The batches (serialized) of a delta for `peer` with `scope` evaluated over every row, the way repairs
    /// evaluate it: the incremental evaluation an ordinary sync uses must send exactly these (issue 20's
    /// differential check, run in every scoped session of the property tests).
    func fullScopeBatches(for peer: Knowledge, scope: (any ReadScope)?, maxCells: Int) throws -> [Data] {
        var cursor = try deltaCursor(for: peer, scope: scope, everyRow: true)
        var batches: [Data] = []
        while let batch = try nextBatch(&cursor, maxCells: maxCells)?.message {
            batches.append(try batch.serializedData())
        }
        return batches
    }

    /// Sets how many rows a scoped delta looks up one by one before it runs a rule over the table instead, so that
    /// the property tests cross both paths (the default is 2,000; their registers are small).
    func setScopeLookupLimit(_ limit: Int) { scopeLookupLimit = limit }
}

extension Replica {
    /// ``apply(_:gate:from:since:)`` for a batch as its protobuf message: tests build and alter batches as messages.
    @discardableResult
    func apply(
        _ batch: Spi_V1_ChangeBatch, gate: (any WriteGate)? = nil, from peer: String? = nil, since: Knowledge? = nil
    ) throws -> ApplyReport {
        try apply(ChangeBatch(batch), gate: gate, from: peer, since: since)
    }
}

/// Whether a batch of an incremental scoped delta differs from the same batch of the full evaluation.
struct IncrementalScopeMismatch: Error, CustomStringConvertible {
    var batch: Int
    var incremental: Int
    var full: Int

    var description: String {
        "the incremental scope evaluation sent batch \(batch) differently from the full one (\(incremental) bytes "
            + "against \(full); \(full == 0 ? "the full delta had fewer batches" : "same position"))"
    }

    /// Throws when `batch`, the `index`th sent, is not the full delta's `index`th.
    static func check(_ batch: Spi_V1_ChangeBatch, index: Int, against full: [Data]) throws {
        let data = try batch.serializedData()
        guard index < full.count else { throw IncrementalScopeMismatch(batch: index, incremental: data.count, full: 0) }
        if data != full[index] {
            throw IncrementalScopeMismatch(batch: index, incremental: data.count, full: full[index].count)
        }
    }
}
