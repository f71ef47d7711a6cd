import ArgumentParser
import SPIRegister

/// `spi NOUN show ID`: one row, every column.
struct NounShowCommand<Fields: NounFields>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "show",
            abstract: "Show one \(Fields.noun) with every field.",
            discussion: "References show the referenced row's code and id. --json prints the row object."
        )
    }

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The \(Fields.noun) to show: its id\(Fields.spec.lookupColumn.map { " or \($0)" } ?? "").", valueName: "id")
    )
    var id: String

    @Flag(help: "Print the row as a JSON object.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let text = try register.read { store in
            let record = try store.record(Fields.table, id)
            if json { return record.json.canonicalText }
            var text = try Output.record(record, spec: Fields.spec, store: store)
            let name = Fields.spec.lookupColumn.flatMap { record[$0].textValue } ?? record.id
            for (child, column) in FieldCatalog.referencesTo(Fields.table) where column.isOwnedByReference {
                let count = try store.records(child.name, matching: [column.name: .text(record.id)]).count
                guard count > 0 else { continue }
                let how =
                    child.noun.map { "spi \($0) list --where \(column.name)=\(name)" }
                    ?? "spi record list \(child.name) \(column.name)=\(name)"
                text += "\n\(child.name): \(count) (\(how))"
            }
            return text
        }
        print(text)
    }
}
