import SPIProtocol
import SPIReplication
import Testing

@Suite("Batch size limit")
struct BatchSizeLimitTests {
    /// A delta of `count` cells of 100 bytes each; the cursor is the index of the next cell.
    struct Delta {
        var count: Int
        var reads: [(from: Int, cells: Int)] = []

        mutating func read(_ cursor: inout Int, _ cells: Int) -> ChangeBatch? {
            reads.append((cursor, cells))
            guard cursor < count else { return nil }
            let taken = min(cells, count - cursor)
            var row = Spi_V1_RowChange()
            row.cells = (0..<taken).map { _ in
                var cell = Spi_V1_CellChange()
                cell.text = String(repeating: "x", count: 100)
                return cell
            }
            var batch = Spi_V1_ChangeBatch()
            batch.rows = [row]
            cursor += taken
            return ChangeBatch(batch)
        }
    }

    @Test("a batch that fits is read once, with the most cells, and the cursor moves past it")
    func fits() throws {
        var delta = Delta(count: 10)
        var cursor = 0
        let batch = try BatchSizeLimit(maximumCells: 8).nextBatch(from: &cursor) { delta.read(&$0, $1) }
        #expect(batch?.message.rows.first?.cells.count == 8)
        #expect(cursor == 8)
        #expect(delta.reads.map(\.cells) == [8])
    }

    @Test("a batch too large for a frame is read again from the same place with a quarter of the cells")
    func cutsSmaller() throws {
        var delta = Delta(count: 100)
        var cursor = 10
        // Room for about 9 cells of 100 bytes.
        let limit = BatchSizeLimit(maximumFrameSize: 1_000, maximumCells: 64)
        let batch = try limit.nextBatch(from: &cursor) { delta.read(&$0, $1) }
        #expect(batch?.message.rows.first?.cells.count == 4)
        #expect(delta.reads.map(\.cells) == [64, 16, 4])
        #expect(delta.reads.map(\.from) == [10, 10, 10])
        #expect(cursor == 14)
    }

    @Test("an exhausted delta gives nil and leaves the cursor at its end")
    func exhausted() throws {
        var delta = Delta(count: 3)
        var cursor = 3
        #expect(try BatchSizeLimit().nextBatch(from: &cursor) { delta.read(&$0, $1) } == nil)
        #expect(cursor == 3)
    }

    @Test("a single change too large for a frame is an internal error, and the cursor does not move")
    func singleChangeTooLarge() throws {
        var delta = Delta(count: 5)
        var cursor = 0
        let limit = BatchSizeLimit(maximumFrameSize: 100, maximumCells: 16)
        #expect {
            _ = try limit.nextBatch(from: &cursor) { delta.read(&$0, $1) }
        } throws: { ($0 as? SyncError)?.code == .internalError }
        #expect(delta.reads.map(\.cells) == [16, 4, 1])
        #expect(cursor == 0)
    }
}
