import ArgumentParser
import SPIRegister

/// `spi record get TABLE ID`.
struct RecordGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print one row of a register table.",
        discussion: "Text output lists every column with references resolved to codes; --json prints the row object."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The register table.", valueName: "table"))
    var table: String

    @Argument(help: ArgumentHelp("The row's id, or its code or email.", valueName: "id"))
    var id: String

    @Flag(help: "Print the row as a JSON object with every column.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let text = try register.read { store in
            let spec = try store.spec(table)
            let record = try store.record(table, id)
            return json ? record.json.canonicalText : try Output.record(record, spec: spec, store: store)
        }
        print(text)
    }
}
