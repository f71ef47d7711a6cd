import ArgumentParser
import SPIRegister

/// `spi NOUN list`: the rows of the noun's table.
struct NounListCommand<Fields: NounFields>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "list",
            abstract: "List \(Fields.noun) rows.",
            discussion: """
                Filter with --where COLUMN=VALUE (repeatable; codes resolve as everywhere), for example \
                --where interface_id=SPI-INC-FAB. --json prints an array of row objects with every column.
                """
        )
    }

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .customLong("where"),
        help: ArgumentHelp("Only rows whose COLUMN equals VALUE.", valueName: "column=value"))
    var filters: [String] = []

    @Flag(help: "Print a JSON array of row objects.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let matching = try Assignment.parse(filters)
        let text = try register.read { store in
            let records = try store.records(Fields.table, matchingFields: matching)
            if json { return Output.jsonArray(records.map(\.json)) }
            return try Output.list(records, spec: Fields.spec, store: store)
        }
        print(text)
    }
}
