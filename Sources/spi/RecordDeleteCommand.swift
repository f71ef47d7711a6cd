import ArgumentParser
import SPIRegister

/// `spi record delete TABLE ID`.
struct RecordDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete one row of a register table, with the rows it owns.",
        discussion: """
            Refuses, changing nothing, while other rows still refer to it. Prints every deleted row as \
            `TABLE ID`, the named one first.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The register table.", valueName: "table"))
    var table: String

    @Argument(help: ArgumentHelp("The row's id, or its code or email.", valueName: "id"))
    var id: String

    func run() async throws {
        let register = try global.openRegister()
        let removed = try register.write { store in try store.delete(table, id) }
        for key in removed { print("\(key.table) \(key.id)") }
    }
}
