import ArgumentParser
import SPIRegister

/// The options of `spi interface add` and `spi interface set`: the SPI itself, plus the services it covers.
struct InterfaceFields: NounFields {
    static let table = "interface"
    static let examples = """
          spi interface add --code SPI-INC-FAB --title "Incident management with Fabrikam" --practice INC \\
              --provider FAB --owner jane@northwind.example --stage operation --service SD
          spi interface set SPI-INC-FAB --status approved --approved-by cio@northwind.example \\
              --approved-on 2025-03-01 --next-review 2026-03-01
          spi interface show SPI-INC-FAB
          spi interface submit SPI-CFG-TAIL
          spi interface approve SPI-CFG-TAIL --by cio@northwind.example --next-review 2026-03-01
        """

    static var extraSubcommands: [any ParsableCommand.Type] {
        [
            InterfaceSubmitCommand.self, InterfaceApproveCommand.self, InterfaceRetireCommand.self,
            InterfaceSignCommand.self, InterfaceVerifyCommand.self, InterfaceVersionsCommand.self,
            InterfaceDiffCommand.self,
        ]
    }

    @Option(help: fieldHelp("interface", "code")) var code: String?
    @Option(help: fieldHelp("interface", "title")) var title: String?
    @Option(help: fieldHelp("interface", "practice_id")) var practice: String?
    @Option(help: fieldHelp("interface", "provider_id")) var provider: String?
    @Option(help: fieldHelp("interface", "stage")) var stage: String?
    @Option(help: fieldHelp("interface", "owner_id")) var owner: String?
    @Option(help: fieldHelp("interface", "status")) var status: String?
    @Option(help: fieldHelp("interface", "version")) var version: String?
    @Option(help: fieldHelp("interface", "approved_by")) var approvedBy: String?
    @Option(help: fieldHelp("interface", "approved_on")) var approvedOn: String?
    @Option(help: fieldHelp("interface", "review_interval_months")) var reviewInterval: String?
    @Option(help: fieldHelp("interface", "next_review")) var nextReview: String?
    @Option(help: fieldHelp("interface", "agreement_id")) var agreement: String?
    @Option(help: fieldHelp("interface", "description")) var description: String?
    @Option(
        name: .customLong("service"),
        help: ArgumentHelp("A service the SPI covers (id or code); repeatable. Adds a link.", valueName: "ref"))
    var services: [String] = []

    var values: [String: String] {
        collect([
            ("code", code), ("title", title), ("practice_id", practice), ("provider_id", provider), ("stage", stage),
            ("owner_id", owner), ("status", status), ("version", version), ("approved_by", approvedBy),
            ("approved_on", approvedOn), ("review_interval_months", reviewInterval), ("next_review", nextReview),
            ("agreement_id", agreement), ("description", description),
        ])
    }

    func writeLinks(_ store: RecordStore, id: String) throws {
        for service in services {
            try store.put("interface_service", fields: ["interface_id": id, "service_id": service])
        }
    }
}
