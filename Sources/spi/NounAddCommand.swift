import ArgumentParser
import SPIRegister

/// `spi NOUN add`: inserts a row and prints its id.
struct NounAddCommand<Fields: NounFields>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        let required = Fields.spec.columns.filter(\.isRequired).map { "--\($0.optionName)" }
        // The options are shared with `set`, where none is required, so the parser shows them all in brackets; the
        // usage line says which ones `add` needs.
        let usage = Fields.spec.columns.filter(\.isRequired).map { "--\($0.optionName) <\(defaultValueName(of: $0))>" }
        return CommandConfiguration(
            commandName: "add",
            abstract: "Add \(Fields.nounWithArticle) and print its new id.",
            usage: "spi \(Fields.noun) add " + (usage + ["[<options>]"]).joined(separator: " "),
            discussion: """
                Required: \(required.joined(separator: ", ")). The new row is validated (enumerations, dates, \
                references, unique codes, domain rules) before anything is written; on error nothing changes.
                """
        )
    }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var fields: Fields

    func run() async throws {
        let register = try global.openRegister()
        let id = try register.write { store in
            var store = store
            fields.configure(&store)
            let id = try store.put(Fields.table, fields: fields.values, mode: .insert)
            try fields.writeLinks(store, id: id)
            return id
        }
        print(id)
    }
}
