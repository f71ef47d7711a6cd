import Foundation
import SPIRegister
import SPISQLite
import Testing

/// The demo's resource (`Sources/SPIRegister/Resources/northwind-demo.json`): no absolute date in it, and every date
/// moves with the day the demo is built around.
@Suite("Northwind demo resource")
struct NorthwindDemoResourceTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/SPIRegister/Resources/northwind-demo.json")

    /// A whole value that is one date placeholder, as `RelativeDate` reads it.
    static var placeholder: Regex<(Substring, Substring, Substring?, Substring?)> {
        #/\{(today|month|due[1-9][0-9]?)([+-][0-9]+[dm])*(:period)?\}/#
    }

    /// The resource's rows, by table.
    static func resource() throws -> [String: [[String: JSONValue]]] {
        let bytes = Array(try Data(contentsOf: file))
        let tables = try #require(try JSONValue(parsing: bytes).objectValue)
        return try tables.mapValues { value in
            let rows = value.arrayValue?.compactMap { $0.objectValue }
            return try #require(rows)
        }
    }

    @Test("the resource writes every date as an offset from today: no absolute date is left")
    func noAbsoluteDate() throws {
        let resource = try Self.resource()
        var dates = 0
        for (table, rows) in resource {
            let spec = try #require(FieldCatalog.table(table), "unknown table \(table)")
            for row in rows {
                for (name, value) in row {
                    guard let text = value.stringValue else { continue }
                    if spec.column(name)?.type == .date || (name == "period" && spec.derivedID != nil) {
                        #expect(text.wholeMatch(of: Self.placeholder) != nil, "\(table).\(name): \(text)")
                        dates += 1
                    }
                    // Ids are UUIDs; anything else that looks like a date or a month is a date left absolute.
                    guard name != "id", !(spec.column(name)?.references != nil) else { continue }
                    #expect(text.firstMatch(of: #/(19|20)[0-9]{2}-[01][0-9]/#) == nil, "\(table).\(name): \(text)")
                }
            }
        }
        #expect(dates > 80)
    }

    /// The demo built on `today`: per table, its rows with their dates and a key that is the same whatever the day
    /// (the id, or for rows keyed by a period, the parent and the row's rank, latest first).
    static func demo(on today: String) throws -> [String: [String: [String: DatabaseValue]]] {
        try CheckFixture.withRegister { db in
            try db.transaction { db in try NorthwindDemo.populate(db, today: today) }
            var tables: [String: [String: [String: DatabaseValue]]] = [:]
            for spec in FieldCatalog.tables {
                let parents = ["service_level_result": "target_id", "information_delivery": "information_item_id"]
                let parent = parents[spec.name]
                var ranks: [String: Int] = [:]
                let order = parent.map { "\($0), period DESC" } ?? "id"
                let columns = spec.columnNames.joined(separator: ", ")
                for row in try db.rows("SELECT \(columns) FROM \(spec.name) ORDER BY \(order)") {
                    var values: [String: DatabaseValue] = [:]
                    for (name, value) in zip(spec.columnNames, row) { values[name] = value }
                    var key = values["id"]?.textValue ?? ""
                    if let parent, let owner = values[parent]?.textValue {
                        ranks[owner, default: 0] += 1
                        key = "\(owner)#\(ranks[owner]!)"
                    }
                    tables[spec.name, default: [:]][key] = values
                }
            }
            return tables
        }
    }

    @Test("built a week later, every date relative to today is a week later and nothing else changes")
    func shiftsWithToday() throws {
        // Every date the two days move to by days is before the 29th, so that adding months never rolls over.
        let (first, second) = ("2025-06-10", "2025-06-17")
        let a = try Self.demo(on: first)
        let b = try Self.demo(on: second)
        #expect(a.keys == b.keys)
        var shifted = 0
        for (table, rowsA) in a {
            let spec = try #require(FieldCatalog.table(table))
            let rowsB = try #require(b[table])
            #expect(Set(rowsA.keys) == Set(rowsB.keys), "\(table)")
            for (key, rowA) in rowsA {
                let rowB = try #require(rowsB[key], "\(table) \(key)")
                for name in spec.columnNames {
                    let (valueA, valueB) = (rowA[name] ?? .null, rowB[name] ?? .null)
                    if table == "interface", name == "next_review",
                        let months = rowB["review_interval_months"]?
                            .integerValue
                    {
                        // A next review is the approval date plus the review interval in months (`{today-75d+6m}`):
                        // it moves with the approval date, give or take the lengths of the months in between.
                        for row in [rowA, rowB] {
                            let approved = row["approved_on"]?.textValue.flatMap(CivilDate.init)
                            #expect(row[name]?.textValue == approved?.adding(months: Int(months)).text, "\(key)")
                        }
                        shifted += 1
                    } else if spec.column(name)?.type == .date, let dateA = valueA.textValue.flatMap(CivilDate.init),
                        let dateB = valueB.textValue.flatMap(CivilDate.init)
                    {
                        // Deliveries are anchored on their item's due dates (the 5th business day of the month):
                        // the same for both days, which are after June's and before July's.
                        let expected = table == "information_delivery" ? 0 : 7
                        #expect(dateB.dayNumber - dateA.dayNumber == expected, "\(table).\(name) \(key)")
                        shifted += 1
                    } else if name != "id" {
                        #expect(valueA == valueB, "\(table).\(name) \(key)")
                    }
                }
            }
        }
        #expect(shifted > 60)
    }

    @Test("built on days months apart, every date moves by as many days as today, and each report keeps its lateness")
    func shiftsAcrossMonths() throws {
        let (first, second) = ("2025-03-14", "2026-01-09")
        let days = CivilDate(second)!.dayNumber - CivilDate(first)!.dayNumber
        let a = try Self.demo(on: first)
        let b = try Self.demo(on: second)
        // Dates written as days from today (contracts, approvals, reviews) move by exactly as many days as today.
        for (table, columns) in [
            ("agreement", ["start_date", "end_date"]), ("interface", ["approved_on"]), ("review", ["review_date"]),
        ] {
            for (key, rowA) in try #require(a[table]) {
                for column in columns {
                    guard let dateA = rowA[column]?.textValue.flatMap(CivilDate.init) else { continue }
                    let dateB = try #require(b[table]?[key]?[column]?.textValue.flatMap(CivilDate.init))
                    #expect(dateB.dayNumber - dateA.dayNumber == days, "\(table).\(column) \(key)")
                }
            }
        }
        // A delivery is as late (or early) against its due date, the 5th business day of its month, on both days.
        func lateness(_ row: [String: DatabaseValue]) throws -> Int {
            let period = try #require(row["period"]?.textValue)
            var due = try #require(CivilDate(period + "-01"))
            var businessDays = due.isBusinessDay ? 1 : 0
            while businessDays < 5 {
                due = due.adding(days: 1)
                if due.isBusinessDay { businessDays += 1 }
            }
            return try #require(row["delivered_on"]?.textValue.flatMap(CivilDate.init)).dayNumber - due.dayNumber
        }
        let deliveries = try #require(a["information_delivery"])
        #expect(deliveries.count == 8)
        for (key, rowA) in deliveries {
            let rowB = try #require(b["information_delivery"]?[key], "delivery \(key)")
            #expect(try lateness(rowA) == lateness(rowB), "delivery \(key)")
            #expect(rowA["period"] != rowB["period"])
        }
    }
}
