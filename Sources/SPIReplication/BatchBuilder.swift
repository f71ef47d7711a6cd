import Foundation
import SPISQLite

/// Assembles one ``Spi_V1_ChangeBatch``: numbers the sites and tables it mentions, groups cells by row, and records
/// the coverage the receiver may claim.
struct BatchBuilder {
    var batch = Spi_V1_ChangeBatch()
    private var siteNumbers: [SiteID: UInt32] = [:]
    private var tableNumbers: [Int64: UInt32] = [:]
    private(set) var cellCount = 0
    /// The cells left out because their value exceeds ``Replica/maximumValueBytes``: table, row id, column, bytes.
    /// Cells left out because they cannot be sent (see ``isSendable(_:table:id:column:)``).
    private(set) var unsendable: [(table: String, id: String, column: String, problem: UnsendableValue)] = []

    var isEmpty: Bool { batch.rows.isEmpty && batch.covers.isEmpty && batch.marks.isEmpty }

    mutating func number(of site: SiteID) -> UInt32 {
        if let n = siteNumbers[site] { return n }
        batch.sites.append(Data(site.bytes))
        let n = UInt32(batch.sites.count)
        siteNumbers[site] = n
        return n
    }

    private mutating func number(of table: TrackedTable) -> UInt32 {
        if let n = tableNumbers[table.index] { return n }
        var entry = Spi_V1_TableColumns()
        entry.name = table.name
        entry.columns = table.columns.map(\.name)
        batch.tables.append(entry)
        let n = UInt32(batch.tables.count - 1)
        tableNumbers[table.index] = n
        return n
    }

    mutating func cover(_ site: SiteID, clock: Int64) {
        var coverage = Spi_V1_Coverage()
        coverage.site = Data(site.bytes)
        coverage.hlc = UInt64(bitPattern: clock)
        batch.covers.append(coverage)
    }

    /// Adds a refusal mark (protocol/changes.md §8.2): `column` nil for the row's life.
    mutating func addMark(
        table: TrackedTable, id: String, column: String?, site: SiteID, clock: UInt64, causalLength: UInt64
    ) {
        var mark = Spi_V1_RefusalMark()
        mark.table = number(of: table)
        mark.setRowID(id)
        mark.column = column ?? ""
        mark.site = number(of: site)
        mark.hlc = clock
        mark.cl = causalLength
        batch.marks.append(mark)
    }

    /// Whether a cell's value may be sent: at most ``Replica/maximumValueBytes``, and of a storage class its column
    /// takes (text that is not valid UTF-8 reads as bytes, which a text column does not take: a receiver would
    /// refuse the batch). Any other is recorded in ``unsendable`` and left out, on every path that adds cells.
    private mutating func isSendable(_ value: DatabaseValue, table: TrackedTable, id: String, column: Int) -> Bool {
        if value.limitedByteCount > Replica.maximumValueBytes {
            unsendable.append((table.name, id, table.columns[column].name, .tooLarge(value.limitedByteCount)))
            return false
        }
        if case .blob = value, table.accepted[column] & 0b1000 == 0 {
            unsendable.append((table.name, id, table.columns[column].name, .notText))
            return false
        }
        return true
    }

    /// Adds a row's causal-length change and, for a live row, every cell that still has the row's version.
    mutating func addRow(
        _ item: DeltaCursor.RowPosition, causalLength: Int64, site: SiteID, replica: Replica, _ db: Connection
    ) throws {
        guard let table = replica.tablesByIndex[item.table] else { return }
        var change = Spi_V1_RowChange()
        change.table = number(of: table)
        change.setRowID(item.id)
        change.cl = UInt64(causalLength)
        change.hlc = UInt64(bitPattern: item.clock)
        change.site = number(of: site)
        change.rowVersion = true
        if causalLength % 2 == 1 {
            let key = RowKey(table: item.table, id: item.id)
            let ownColumns = Set(try replica.cellEntries(key, db).keys)
            if let values = try replica.catalog.rowValues(key, table: table, db) {
                for (column, value) in values.enumerated() where !ownColumns.contains(column) {
                    guard isSendable(value, table: table, id: item.id, column: column) else { continue }
                    var cell = Spi_V1_CellChange()
                    cell.column = UInt32(column)
                    Self.setValue(value, on: &cell)
                    change.cells.append(cell)
                }
            }
        }
        cellCount += change.cells.count + 1 // the row's own change (its life) counts as one, as `apply` counts it
        batch.rows.append(change)
    }

    /// Adds a cell that has a version of its own, grouped with the previous cell when it is the same row and clock.
    mutating func addCell(
        _ item: DeltaCursor.CellPosition, prior: (Int64, Int64), site: SiteID, replica: Replica, _ db: Connection
    ) throws {
        // A column past the table's own: an entry that files stamped before 2026-12-03 could hold for a row of a
        // narrower table that INSERT OR REPLACE rewrote. It has no cell to send.
        guard let table = replica.tablesByIndex[item.table], Int(item.column) < table.columns.count else { return }
        let key = RowKey(table: item.table, id: item.id)
        guard let meta = try replica.rowMeta(key, db), meta.isAlive,
            let value = try replica.catalog.cellValue(key, table: table, column: Int(item.column), db)
        else { return }
        guard isSendable(value, table: table, id: item.id, column: Int(item.column)) else { return }
        var cell = Spi_V1_CellChange()
        cell.column = UInt32(item.column)
        Self.setValue(value, on: &cell)
        if prior.0 != 0 || prior.1 != 0 {
            cell.priorHlc = UInt64(bitPattern: prior.0)
            if let priorSite = try replica.catalog.site(at: prior.1, db) { cell.priorSite = number(of: priorSite) }
        }
        let tableNumber = number(of: table)
        let siteNumber = number(of: site)
        if var last = batch.rows.last, !last.rowVersion, last.table == tableNumber,
            last.hlc == UInt64(bitPattern: item.clock),
            last.site == siteNumber, last.idText == item.id
        {
            last.cells.append(cell)
            batch.rows[batch.rows.count - 1] = last
        } else {
            var change = Spi_V1_RowChange()
            change.table = tableNumber
            change.setRowID(item.id)
            change.cl = UInt64(meta.causalLength)
            change.hlc = UInt64(bitPattern: item.clock)
            change.site = siteNumber
            change.cells = [cell]
            batch.rows.append(change)
        }
        cellCount += 1
    }

    // MARK: - Encoding helpers

    static func setValue(_ value: DatabaseValue, on cell: inout Spi_V1_CellChange) {
        switch value {
        case .null: cell.null = true
        case .integer(let i): cell.integer = i
        case .real(let d): cell.real = d
        case .text(let s): cell.text = s
        case .blob(let b): cell.blob = Data(b)
        }
    }

    static func value(of cell: Spi_V1_CellChange) -> DatabaseValue? {
        switch cell.value {
        case .null: return .null
        case .integer(let i): return .integer(i)
        case .real(let d): return d.isNaN ? .null : .real(d)
        case .text(let s): return .text(s)
        case .blob(let b): return .blob(Array(b))
        case nil: return nil
        }
    }
}

/// Canonical lowercase UUID text ⇄ 16 bytes, for compact row ids on the wire.
enum UUIDText {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The 16 bytes of a canonical lowercase UUID string, or nil for any other text.
    static func bytes(_ text: String) -> [UInt8]? {
        var utf8 = text.utf8.makeIterator()
        var out = [UInt8]()
        out.reserveCapacity(16)
        var position = 0
        var high: UInt8? = nil
        while let c = utf8.next() {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                if c != UInt8(ascii: "-") { return nil }
                continue
            }
            let nibble: UInt8
            switch c {
            case 48...57: nibble = c - 48
            case 97...102: nibble = c - 87
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return position == 36 && out.count == 16 ? out : nil
    }

    /// Lowercase hexadecimal, two digits per byte.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var chars = [UInt8]()
        chars.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            chars.append(hexDigits[Int(b >> 4)])
            chars.append(hexDigits[Int(b & 0xF)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// The canonical lowercase text of 16 bytes.
    static func string(_ bytes: [UInt8]) -> String {
        var chars = [UInt8]()
        chars.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { chars.append(UInt8(ascii: "-")) }
            chars.append(hexDigits[Int(b >> 4)])
            chars.append(hexDigits[Int(b & 0xF)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}

/// Why a cell's value cannot be sent.
enum UnsendableValue: Sendable {
    /// Larger than ``Replica/maximumValueBytes``, with its size in bytes.
    case tooLarge(Int)
    /// Bytes in a text column: text that is not valid UTF-8.
    case notText
}
