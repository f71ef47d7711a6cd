import ArgumentParser
import SPIRegister

/// `spi record list TABLE [COLUMN=VALUE...]`.
struct RecordListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the rows of a register table, optionally filtered.",
        discussion: "Each COLUMN=VALUE keeps only rows whose column equals the value (codes resolve)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The register table.", valueName: "table"))
    var table: String

    @Argument(help: ArgumentHelp("Filters.", valueName: "column=value"))
    var filters: [String] = []

    @Flag(help: "Print a JSON array of row objects.")
    var json = false

    func run() async throws {
        let matching = try Assignment.parse(filters)
        let register = try global.openRegister()
        let text = try register.read { store in
            let spec = try store.spec(table)
            let records = try store.records(table, matchingFields: matching)
            if json { return Output.jsonArray(records.map(\.json)) }
            return try Output.list(records, spec: spec, store: store)
        }
        print(text)
    }
}
