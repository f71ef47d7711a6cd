import ArgumentParser
import SPIRegister

/// `spi interface diff ID FROM [TO]`: what changed between two versions of an SPI, in words.
struct InterfaceDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed in an SPI between two versions, in words.",
        discussion: """
            FROM and TO are each a frozen version's number (see `spi interface versions`), a digest prefix of at \
            least 8 hex digits, or `current` (TO's default). Rows are named by their codes, names and emails (RACI \
            INC-LOG / FAB, integration point 'Change e-bonding'), never by bare ids. Exit status 0 whether or not \
            anything changed.

            Examples:
              spi interface diff SPI-INC-FAB 2.1
              spi interface diff SPI-INC-FAB 2.0 2.1 --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The SPI: its id or code, such as SPI-INC-FAB.", valueName: "id"))
    var id: String

    @Argument(
        help: ArgumentHelp("The version to compare from: a number, a digest prefix, or current.", valueName: "from"))
    var from: String

    @Argument(help: ArgumentHelp("The version to compare to: a number, a digest prefix, or current.", valueName: "to"))
    var to: String = "current"

    @Flag(help: "Print the changes as a JSON array of objects.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let (changes, fromLabel, toLabel) = try register.read { store in
            let old = try Governance.content(of: id, at: from, in: store)
            let new = try Governance.content(of: id, at: to, in: store)
            return (try old.content.changes(to: new.content, in: store), old.label, new.label)
        }
        if json {
            print(
                Output.jsonArray(
                    changes.map { change in
                        .object([
                            "kind": .string(change.kind.rawValue), "table": .string(change.table),
                            "columns": .array(change.columns.map(JSONValue.string)),
                            "description": .string(change.description),
                        ])
                    }))
            return
        }
        guard !changes.isEmpty else {
            print("\(id): no change from \(fromLabel) to \(toLabel)")
            return
        }
        print("\(id): \(Output.count(changes.count, "change")) from \(fromLabel) to \(toLabel)")
        for change in changes { print("  \(change.description)") }
    }
}
