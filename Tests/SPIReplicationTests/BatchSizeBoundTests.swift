import Foundation
@testable import SPIReplication
import SPITestSupport
import SwiftProtobuf
import Testing

/// The sender trusts `serializedSizeBound` to keep batches under the frame limit without encoding them: it must never
/// be below the real size, whatever the batch holds.
@Suite struct BatchSizeBoundTests {
    struct Rng {
        var base: SplitMix64
        mutating func next() -> UInt64 { base.next() }
        mutating func next(_ n: Int) -> Int { base.next(below: n) }
        /// A value that is small, large or extreme, so that varints of every length occur.
        mutating func wide() -> UInt64 { [0, 1, 127, 128, 1 << 35, UInt64.max, next()][next(7)] }
        mutating func text() -> String {
            let pieces = ["a", "é", "€", "😀", "\u{0}", "SPI-INC-", String(repeating: "x", count: 300)]
            return (0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined()
        }
    }

    static func randomBatch(_ rng: inout Rng) -> Spi_V1_ChangeBatch {
        var batch = Spi_V1_ChangeBatch()
        for _ in 0..<rng.next(4) { batch.sites.append(Data((0..<16).map { _ in UInt8(rng.next(256)) })) }
        for _ in 0..<rng.next(3) {
            var table = Spi_V1_TableColumns()
            table.name = rng.text()
            table.columns = (0..<rng.next(20)).map { _ in rng.text() }
            batch.tables.append(table)
        }
        for _ in 0..<rng.next(3) {
            var cover = Spi_V1_Coverage()
            cover.site = Data((0..<16).map { _ in UInt8(rng.next(256)) })
            cover.hlc = rng.wide()
            batch.covers.append(cover)
        }
        for _ in 0..<rng.next(40) {
            var row = Spi_V1_RowChange()
            row.table = UInt32(truncatingIfNeeded: rng.wide())
            if rng.next(2) == 0 {
                row.uuid = Data((0..<16).map { _ in UInt8(rng.next(256)) })
            } else {
                row.text = rng.text()
            }
            row.cl = rng.wide()
            row.hlc = rng.wide()
            row.site = UInt32(truncatingIfNeeded: rng.wide())
            row.rowVersion = rng.next(2) == 0
            for _ in 0..<rng.next(16) {
                var cell = Spi_V1_CellChange()
                cell.column = UInt32(truncatingIfNeeded: rng.wide())
                switch rng.next(5) {
                case 0: cell.null = true
                case 1: cell.integer = Int64(bitPattern: rng.wide())
                case 2: cell.real = Double(bitPattern: rng.next())
                case 3: cell.text = rng.text()
                default: cell.blob = Data((0..<rng.next(500)).map { _ in UInt8(rng.next(256)) })
                }
                cell.hlc = rng.wide()
                cell.site = UInt32(truncatingIfNeeded: rng.wide())
                cell.priorHlc = rng.wide()
                cell.priorSite = UInt32(truncatingIfNeeded: rng.wide())
                row.cells.append(cell)
            }
            batch.rows.append(row)
        }
        return batch
    }

    @Test("the size bound is never below the encoded size, and within a small factor of it for register-like batches")
    func boundHolds() throws {
        var rng = Rng(base: SplitMix64(seed: 20261203))
        for _ in 0..<2_000 {
            let batch = Self.randomBatch(&rng)
            let exact = (try batch.serializedBytes() as [UInt8]).count
            #expect(batch.serializedSizeBound >= exact, "bound \(batch.serializedSizeBound) < size \(exact)")
        }
        // A batch as a delta builds it: one table, UUID ids, short texts, small clocks: the bound stays useful.
        var batch = Spi_V1_ChangeBatch()
        batch.sites = [Data(repeating: 7, count: 16)]
        var table = Spi_V1_TableColumns()
        table.name = "interface"
        table.columns = (0..<14).map { "column\($0)" }
        batch.tables = [table]
        for n in 0..<400 {
            var row = Spi_V1_RowChange()
            row.uuid = Data(repeating: UInt8(n % 256), count: 16)
            row.cl = 1
            row.hlc = 0x0001_9AE0_0000_0000 + UInt64(n)
            row.site = 1
            row.rowVersion = true
            row.cells = (0..<14).map { column in
                var cell = Spi_V1_CellChange()
                cell.column = UInt32(column)
                cell.text = "value \(n).\(column)"
                return cell
            }
            batch.rows.append(row)
        }
        let exact = (try batch.serializedBytes() as [UInt8]).count
        #expect(batch.serializedSizeBound >= exact)
        #expect(batch.serializedSizeBound <= 10 * exact)
    }
}
