import ArgumentParser

/// The options of `spi agreement add` and `spi agreement set`.
struct AgreementFields: NounFields {
    static let table = "agreement"
    static let examples = """
          spi agreement add --code UC-FAB --title "Service desk contract" --type uc --customer NW --provider FAB \\
              --start-date 2025-01-01 --end-date 2026-12-31 --status active
          spi agreement set UC-FAB --end-date 2027-06-30
        """

    @Option(help: fieldHelp("agreement", "code")) var code: String?
    @Option(help: fieldHelp("agreement", "title")) var title: String?
    @Option(help: fieldHelp("agreement", "type")) var type: String?
    @Option(help: fieldHelp("agreement", "customer_id")) var customer: String?
    @Option(help: fieldHelp("agreement", "provider_id")) var provider: String?
    @Option(help: fieldHelp("agreement", "start_date")) var startDate: String?
    @Option(help: fieldHelp("agreement", "end_date")) var endDate: String?
    @Option(help: fieldHelp("agreement", "status")) var status: String?
    @Option(help: fieldHelp("agreement", "owner_id")) var owner: String?
    @Option(help: fieldHelp("agreement", "notes")) var notes: String?

    var values: [String: String] {
        collect([
            ("code", code), ("title", title), ("type", type), ("customer_id", customer), ("provider_id", provider),
            ("start_date", startDate), ("end_date", endDate), ("status", status), ("owner_id", owner),
            ("notes", notes),
        ])
    }
}
