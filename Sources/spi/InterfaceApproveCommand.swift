import ArgumentParser
import SPIRegister

/// `spi interface approve ID --by PERSON`: an SPI in review is approved once every approval gate passes.
struct InterfaceApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve an SPI that is in review (in_review → approved).",
        discussion: """
            Checks the approval gates first:
              - every activity of the SPI's practice has exactly one Accountable (A) in the SPI's RACI;
              - the SPI has at least one integration point and at least one information item;
              - it has a next review date after today (and after the approval date): --next-review, else the \
                approval date plus the SPI's review interval (review_interval_months), else its own.
            When any gate fails, nothing changes and the error names every failing gate on its own line (exit \
            status 64). When all pass, the status becomes approved, approved_by the approver, approved_on the date, \
            and next_review the --next-review date if given. Only an SPI in review can be approved (submit a draft \
            with `spi interface submit`), and only on the organization's replica, by a person of the organization \
            (or of an internal party) who is not the SPI's owner: segregation of duties. Prints the change, or with \
            --json the SPI's row as it is now.

            Examples:
              spi interface approve SPI-CHG-TAIL --by sofia.lindqvist@northwind.example --next-review 2026-03-01
              spi interface approve SPI-CHG-TAIL --by sofia.lindqvist@northwind.example --date 2025-03-01 --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The SPI to approve: its id or code, such as SPI-CHG-TAIL.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The approving person: an id or an email. Required.", valueName: "person"))
    var by: String

    @Option(help: ArgumentHelp("The approval date, YYYY-MM-DD (default: today).", valueName: "date"))
    var date: String?

    @Option(
        help: ArgumentHelp(
            "Set the next review date, YYYY-MM-DD (default: the approval date plus the SPI's review interval, else its own).",
            valueName: "date"))
    var nextReview: String?

    @Flag(help: "Print the SPI's row (every column) as a JSON object.")
    var json = false

    func validate() throws {
        try DateOption.validate(("--date", date), ("--next-review", nextReview))
    }

    func run() async throws {
        let register = try global.openRegister()
        do {
            let (change, row, approver) = try register.write { store in
                let change = try Governance.approve(id, by: by, on: date, nextReview: nextReview, in: store)
                let row = try store.record("interface", change.interfaceID)
                let approver = try row["approved_by"].textValue.flatMap { try store.label("person", $0) } ?? by
                return (change, row, approver)
            }
            if json {
                print(row.json.canonicalText)
            } else {
                let on = row["approved_on"].textValue ?? "-"
                let next = row["next_review"].textValue ?? "-"
                print("\(change.code): \(change.from) → \(change.to), by \(approver) on \(on); next review \(next)")
            }
        } catch let error as GovernanceError {
            throw error.reported()
        }
    }
}
