import ArgumentParser
import SPIRegister

/// `spi interface submit ID`: a draft SPI goes to review.
struct InterfaceSubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a draft SPI for review (draft → in_review).",
        discussion: """
            The first step of an SPI's approval: its status goes from draft to in_review, and the organization can \
            then approve it with `spi interface approve`. Refused, changing nothing, when the SPI is not a draft \
            (the error names its status). Prints the change, or with --json the SPI's row as it is now.

            Examples:
              spi interface submit SPI-CFG-TAIL
              spi interface submit SPI-CFG-TAIL --json | jq -r .status
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The SPI to submit: its id or code, such as SPI-CFG-TAIL.", valueName: "id"))
    var id: String

    @Flag(help: "Print the SPI's row (every column) as a JSON object.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        do {
            let (change, row) = try register.write { store in
                let change = try Governance.submit(id, in: store)
                return (change, try store.record("interface", change.interfaceID))
            }
            print(json ? row.json.canonicalText : "\(change.code): \(change.from) → \(change.to)")
        } catch let error as GovernanceError {
            throw error.reported()
        }
    }
}
