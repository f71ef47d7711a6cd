import ArgumentParser
import SPIRegister

/// `spi review add [INTERFACE] --outcome OUTCOME [--by PERSON] …`: records a review of an SPI.
struct ReviewAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record a review of an SPI and print the new review's id.",
        discussion: """
            Give the SPI reviewed as the argument (its id or code) or with --interface. Required: --outcome, one of \
            \(FieldCatalog.reviewOutcomes.filter { $0 != Governance.retired }.joined(separator: ", ")) (a \
            retirement is recorded by `spi interface retire`). The date defaults to today and the version \
            reviewed to the SPI's current version; --by (or --reviewer) names the person who chaired or signed the \
            review. Recording a review does not change the SPI's status: approve it with \
            `spi interface approve`. An approving review of an SPI with a review interval moves its next review \
            to that many months after the review's date. The review records the digest of the content it saw. The \
            row is validated before anything is written; on error nothing changes.

            Examples:
              spi review add SPI-INC-FAB --outcome approved --by sofia.lindqvist@northwind.example
              spi review add SPI-CHG-TAIL --outcome changes_required --by sofia.lindqvist@northwind.example \\
                  --date 2025-03-01 --body "Change advisory board" --notes "Settle who authorizes changes"
              spi review add --interface SPI-INC-FAB --date 2025-02-20 --outcome approved \\
                  --reviewer cio@northwind.example
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The SPI reviewed: its id or code, such as SPI-INC-FAB (or give --interface).",
            valueName: "interface"))
    var subject: String?

    @OptionGroup var fields: ReviewFields

    func validate() throws {
        switch (subject, fields.interface) {
        case (nil, nil):
            throw ValidationError("give the SPI reviewed: spi review add SPI-INC-FAB --outcome approved …")
        case (let argument?, let option?) where argument != option:
            throw ValidationError("the SPI is given twice, as '\(argument)' and as --interface '\(option)'")
        default:
            break
        }
        if fields.outcome == nil {
            throw ValidationError(
                "missing --outcome: one of \(FieldCatalog.reviewOutcomes.joined(separator: ", "))")
        }
        if fields.outcome?.lowercased() == Governance.retired {
            throw ValidationError(
                "a retirement is recorded by `spi interface retire SPI --by PERSON`, which also retires the SPI")
        }
    }

    func run() async throws {
        let register = try global.openRegister()
        let id = try register.write { store in
            try Governance.recordReview(
                of: subject ?? fields.interface ?? "", outcome: fields.outcome ?? "", by: fields.reviewer,
                on: fields.date, body: fields.body, version: fields.version, notes: fields.notes, in: store)
        }
        print(id)
    }
}
