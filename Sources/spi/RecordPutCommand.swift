import ArgumentParser
import SPIRegister

/// `spi record put TABLE [--id ID] COLUMN=VALUE...`.
struct RecordPutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Insert a row, or update the given columns of an existing one, and print its id.",
        discussion: """
            Without --id a new row is inserted (reference and link rows get the id derived from their natural key, \
            so putting the same RACI cell twice updates it). With --id (an id, or a code or email), the row is \
            updated when it exists and inserted with that id when it does not. An empty VALUE clears the column.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The register table.", valueName: "table"))
    var table: String

    @Option(help: ArgumentHelp("The row's id (a UUID), or its code or email.", valueName: "id"))
    var id: String?

    @Argument(help: ArgumentHelp("The values to write.", valueName: "column=value"))
    var assignments: [String] = []

    func run() async throws {
        let fields = try Assignment.parse(assignments)
        let register = try global.openRegister()
        let id = try register.write { store in try store.put(table, id: self.id, fields: fields) }
        print(id)
    }
}
