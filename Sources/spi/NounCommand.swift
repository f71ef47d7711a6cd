import ArgumentParser
import SPIRegister

/// A noun's command group, such as `spi party`, with `add`, `set`, `remove`, `list` and `show`, then the noun's
/// ``NounFields/extraSubcommands`` (such as `spi interface submit` and `approve`).
struct NounCommand<Fields: NounFields>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        let spec = Fields.spec
        return CommandConfiguration(
            commandName: Fields.noun,
            abstract: spec.summary,
            discussion: """
                Rows of the \(spec.name) table. \(spec.lookupColumn.map { "Rows are named by id or by \($0)." } ?? "Rows are named by id.") \
                References accept an id or a short code (a party FAB, an interface SPI-INC-FAB, a practice INC, an \
                activity INC-LOG) or a person's email.

                Examples:
                \(Fields.examples)
                """,
            subcommands: [
                Fields.addCommand, Fields.setCommand, NounRemoveCommand<Fields>.self,
                NounListCommand<Fields>.self, NounShowCommand<Fields>.self,
            ] + Fields.extraSubcommands
        )
    }
}
