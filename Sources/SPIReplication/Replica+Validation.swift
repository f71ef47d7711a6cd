import Foundation
import SPISQLite

/// A batch checked against this replica's tables, with its sites, tables and row ids decoded.
struct BatchPlan {
    var sites: [SiteID]
    var tables: [TrackedTable]
    /// Per batch table: batch column number → local column number.
    var columnMaps: [[Int]]
    var rowIDs: [String]
    var covers: [(SiteID, UInt64)]
    var maxClock: UInt64
}

extension Replica {
    /// Checks a batch before anything is written: every reference in range, every table and column replicated
    /// here, every value of a type its column holds, every clock within the allowed drift of local time.
    func validate(_ batch: Spi_V1_ChangeBatch, checkingClocks: Bool = true) throws -> BatchPlan {
        func malformed(_ message: String) -> ReplicationError {
            ReplicationError(.malformed, "invalid change batch: \(message)")
        }
        let sites = try OriginProofs.sites(of: batch)
        var tables: [TrackedTable] = []
        var columnMaps: [[Int]] = []
        for entry in batch.tables {
            guard let table = tablesByName[entry.name] else {
                throw ReplicationError(
                    .unknownTable, "the change set names table \"\(entry.name)\", which this replica does not replicate"
                )
            }
            tables.append(table)
            columnMaps.append(entry.columns.map { table.columnIndex[$0] ?? -1 })
        }
        let limit = (now() &+ UInt64(maximumClockDrift.components.seconds * 1000)) << 16
        var maxClock: UInt64 = 0
        func checkClock(_ clock: UInt64) throws {
            if checkingClocks && clock > limit {
                throw ReplicationError(
                    .clockTooFarAhead,
                    "the change set carries clock \(HybridLogicalClock(rawValue: clock)), more than "
                        + "\(maximumClockDrift.components.seconds) s ahead of local time; nothing was applied "
                        + "(check the sender's system clock)")
            }
            maxClock = max(maxClock, clock)
        }
        var rowIDs: [String] = []
        rowIDs.reserveCapacity(batch.rows.count)
        for (n, row) in batch.rows.enumerated() {
            guard Int(row.table) < tables.count else {
                throw malformed("row \(n) names table number \(row.table) of \(tables.count)")
            }
            guard let id = row.idText, !id.isEmpty, id.utf8.count <= 512 else {
                throw malformed("row \(n) has no valid id")
            }
            guard row.cl >= 1, row.cl < UInt64(Int64.max) else {
                throw malformed("row \(n) has causal length \(row.cl)")
            }
            guard row.site >= 1, Int(row.site) <= sites.count else {
                throw malformed("row \(n) names site number \(row.site)")
            }
            guard row.hlc > 0 else { throw malformed("row \(n) has no clock") }
            if row.cl % 2 == 0 && !row.cells.isEmpty { throw malformed("row \(n) is deleted but carries cell values") }
            try checkClock(row.hlc)
            let table = tables[Int(row.table)]
            let map = columnMaps[Int(row.table)]
            for cell in row.cells {
                guard Int(cell.column) < map.count else {
                    throw malformed("row \(n) names column number \(cell.column)")
                }
                let column = map[Int(cell.column)]
                guard column >= 0 else {
                    throw ReplicationError(
                        .unknownColumn,
                        "the change set writes column \"\(batch.tables[Int(row.table)].columns[Int(cell.column)])\" of "
                            + "\(table.name), which this replica does not have")
                }
                guard let value = BatchBuilder.value(of: cell) else {
                    throw malformed("row \(n) has a cell without a value")
                }
                guard value.limitedByteCount <= Replica.maximumValueBytes else {
                    throw malformed(
                        "row \(n) puts a value of \(value.limitedByteCount) bytes in \(table.name).\(table.columns[column].name), "
                            + "more than the \(Replica.maximumValueBytes) bytes a cell may hold")
                }
                guard table.accepts(value, column: column) else {
                    throw ReplicationError(
                        .invalidValue,
                        "the change set puts a \(value.typeName) value in \(table.name).\(table.columns[column].name), "
                            + "which holds \(table.columns[column].type.isEmpty ? "any" : table.columns[column].type)")
                }
                guard Int(cell.site) <= sites.count, Int(cell.priorSite) <= sites.count else {
                    throw malformed("row \(n) has a cell naming a site number out of range")
                }
                if cell.hlc != 0 { try checkClock(cell.hlc) }
            }
            rowIDs.append(id)
        }
        var covers: [(SiteID, UInt64)] = []
        for coverage in batch.covers {
            guard let site = SiteID(bytes: coverage.site) else {
                throw malformed("a coverage site id of \(coverage.site.count) bytes")
            }
            try checkClock(coverage.hlc)
            covers.append((site, coverage.hlc))
        }
        try validateMarks(batch, tables: tables, sites: sites.count)
        return BatchPlan(
            sites: sites, tables: tables, columnMaps: columnMaps, rowIDs: rowIDs, covers: covers, maxClock: maxClock)
    }
}
