import ArgumentParser
import SPIRegister

/// `spi NOUN set ID`: updates the given columns of a row.
struct NounSetCommand<Fields: NounFields>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "set",
            abstract: "Change fields of \(Fields.nounWithArticle).",
            discussion: """
                Only the options you give change; an empty value (--notes "") clears an optional field. The edit is \
                validated like add; on error nothing changes. Prints the id.
                """
        )
    }

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The \(Fields.noun) to change: its id\(Fields.spec.lookupColumn.map { " or \($0)" } ?? "").",
            valueName: "id"))
    var id: String

    @OptionGroup var fields: Fields

    func run() async throws {
        let register = try global.openRegister()
        let id = try register.write { store in
            var store = store
            fields.configure(&store)
            let id = try store.put(Fields.table, id: self.id, fields: fields.values, mode: .update)
            try fields.writeLinks(store, id: id)
            return id
        }
        print(id)
    }
}
