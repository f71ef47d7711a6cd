import ArgumentParser
import SPIRegister

/// `spi interface retire ID --by PERSON`: an SPI is retired, with a record of who retired it.
struct InterfaceRetireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire",
        abstract: "Retire an SPI (any status → retired), recording who retired it, when and why.",
        discussion: """
            Writes a review with outcome `retired` (the person, the date, the notes, and the version and digest of \
            what was retired) and sets the SPI's status to retired, in one transaction. Retiring is held to the \
            approval's segregation of duties: only on the organization's replica, by a person of the organization \
            (or of an internal party) who does not own the SPI, and, once the register names approvers, by one of \
            them; a refusal names the rule (exit status 64) and changes nothing. Setting the status to retired any \
            other way is refused, and `spi check` reports a retired SPI with no such record \
            (retirement-not-segregated). A retired SPI drops out of the content, RACI and review checks and out of \
            `spi due`. Prints the change, or with --json the SPI's row as it is now.

            Examples:
              spi interface retire SPI-ISM-FAB --by sofia.lindqvist@northwind.example --notes "Merged into SPI-INC-FAB"
              spi interface retire SPI-ISM-FAB --by sofia.lindqvist@northwind.example --date 2026-01-31 --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The SPI to retire: its id or code, such as SPI-ISM-FAB.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The retiring person: an id or an email. Required.", valueName: "person"))
    var by: String

    @Option(help: ArgumentHelp("The retirement date, YYYY-MM-DD (default: today).", valueName: "date"))
    var date: String?

    @Option(help: ArgumentHelp("Why it is retired, in words (kept in the retirement record).", valueName: "text"))
    var notes: String?

    @Flag(help: "Print the SPI's row (every column) as a JSON object.")
    var json = false

    func validate() throws {
        try DateOption.validate(("--date", date))
    }

    func run() async throws {
        let register = try global.openRegister()
        do {
            let (change, row, person) = try register.write { store in
                let change = try Governance.retire(id, by: by, on: date, notes: notes, in: store)
                let row = try store.record("interface", change.interfaceID)
                let person = try store.label("person", try store.resolve("person", by)) ?? by
                return (change, row, person)
            }
            if json {
                print(row.json.canonicalText)
            } else {
                print("\(change.code): \(change.from) → \(change.to), by \(person) on \(date ?? register.today)")
            }
        } catch let error as GovernanceError {
            throw error.reported()
        }
    }
}
