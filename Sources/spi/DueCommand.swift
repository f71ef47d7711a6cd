import ArgumentParser
import Foundation
import SPIRegister

/// `spi due`: SPI reviews and agreement ends falling due soon, and those overdue.
struct DueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "List the SPI reviews and agreement ends due soon, and those overdue.",
        discussion: """
            Lists, sorted by date, every SPI whose next review date falls within DAYS days of today (retired SPIs \
            left out) and every active agreement whose end date does, together with those whose date has already \
            passed, marked overdue. The table shows the date, how far it is, what falls due, the code, title and \
            owner; --json prints an array of objects (kind review or agreement-end, table, id, code, title, date, \
            days from today, overdue, status, owner, provider) for scripts.

            Examples:
              spi due
              spi due --within 90
              spi due --json | jq -r '.[] | select(.overdue) | .code'
              spi due --today 2025-03-01 --within 30
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("How many days ahead to look (0 or more).", valueName: "days"))
    var within: Int = 30

    @Option(help: ArgumentHelp("Count from this date instead of today (YYYY-MM-DD).", valueName: "date"))
    var today: String?

    @Flag(help: "Print a JSON array of due items.")
    var json = false

    func validate() throws {
        if within < 0 { throw ValidationError("--within must be 0 or more days, not \(within)") }
        try DateOption.validate(("--today", today))
    }

    func run() async throws {
        let register = try global.openRegister()
        let date = today ?? register.today
        let items = try register.read { store in try Governance.dueItems(in: store, today: date, within: within) }
        if json {
            print(try Output.encodedArray(items))
            return
        }
        let span = "within \(within) day\(within == 1 ? "" : "s") of \(date)"
        guard !items.isEmpty else {
            print("nothing due \(span)")
            return
        }
        let rows = items.map { item in
            [item.date, item.when, item.kind.label, item.code, item.title, item.owner ?? "-"]
        }
        print(Output.table(header: ["date", "when", "due", "code", "title", "owner"], rows: rows))
        let overdue = items.filter(\.isOverdue).count
        let count = "\(items.count) item\(items.count == 1 ? "" : "s")"
        print("\n\(count) due \(span)\(overdue > 0 ? ", \(overdue) overdue" : "")")
    }
}
