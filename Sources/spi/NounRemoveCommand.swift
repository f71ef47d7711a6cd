import ArgumentParser
import SPIRegister

/// `spi NOUN remove ID`: deletes a row and the rows it owns.
struct NounRemoveCommand<Fields: NounFields>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "remove",
            abstract: "Remove \(Fields.nounWithArticle).",
            discussion: """
                Also removes the rows it owns (an SPI's RACI cells, integration points, information items, reviews \
                and service links; an agreement's targets). Refuses, changing nothing, while other rows still refer \
                to it.
                """
        )
    }

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The \(Fields.noun) to remove: its id\(Fields.spec.lookupColumn.map { " or \($0)" } ?? "").",
            valueName: "id"))
    var id: String

    func run() async throws {
        let register = try global.openRegister()
        let removed = try register.write { store in try store.delete(Fields.table, id) }
        let owned = removed.count - 1
        print(
            "removed \(Fields.noun) \(removed[0].id)"
                + (owned > 0 ? " and \(owned) row\(owned == 1 ? "" : "s") it owned" : ""))
    }
}
