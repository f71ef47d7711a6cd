@testable import SPIRegister
import SPISQLite
import Testing

/// The demo's resource against the Swift writer it replaces: the same rows, written in the same order, on any day.
@Suite("Northwind demo resource equivalence")
struct NorthwindDemoEquivalenceTests {
    /// Days around month ends, leap days and year ends, and a spread of ordinary days.
    static let days: [String] = {
        var days = [
            "2024-02-29", "2024-03-31", "2024-12-31", "2025-01-01", "2025-01-31", "2025-02-28", "2025-03-14",
            "2026-12-31", "2027-05-31", "2028-02-29", "2031-07-01", "2030-08-30",
        ]
        for n in stride(from: 0, to: 3_000, by: 37) { days.append(CivilDate("2024-01-01")!.adding(days: n).text) }
        return days
    }()

    /// Every row of every table, in insertion (rowid) order.
    static func rows(_ db: Connection) throws -> [String] {
        var lines: [String] = []
        for table in RegisterSchema.tableNames {
            for row in try db.rows("SELECT * FROM \(table) ORDER BY rowid") {
                lines.append(table + ":" + row.map(\.description).joined(separator: "|"))
            }
        }
        return lines
    }

    @Test("the resource loads the rows the writer wrote, in the same order", arguments: days)
    func sameRows(today: String) throws {
        let written = try CheckFixture.withRegister { db in
            try db.transaction { db in try NorthwindDemo.Writer(db: db, today: today).writeAll() }
            return try (Self.rows(db), RecordStore(db: db, kind: .organization, today: today).canonicalExport())
        }
        let loaded = try CheckFixture.withRegister { db in
            try db.transaction { db in try NorthwindDemo.populateFromResource(db, today: today) }
            return try (Self.rows(db), RecordStore(db: db, kind: .organization, today: today).canonicalExport())
        }
        #expect(loaded.0 == written.0)
        #expect(loaded.1 == written.1)
    }
}
