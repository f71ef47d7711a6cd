import ArgumentParser

/// The options of `spi review add` and `spi review set` (`--by` is another name for `--reviewer`).
struct ReviewFields: NounFields {
    static let table = "review"
    static let examples = """
          spi review add SPI-INC-FAB --outcome approved --by cio@northwind.example --notes "Annual review"
          spi review add --interface SPI-INC-FAB --date 2025-02-20 --body "Service review board" \\
              --outcome approved --reviewer cio@northwind.example --version 1.0
          spi review list --where interface_id=SPI-INC-FAB --json
        """

    static var addCommand: any ParsableCommand.Type { ReviewAddCommand.self }

    @Option(help: fieldHelp("review", "interface_id")) var interface: String?
    @Option(help: fieldHelp("review", "review_date")) var date: String?
    @Option(help: fieldHelp("review", "body")) var body: String?
    @Option(help: fieldHelp("review", "outcome")) var outcome: String?
    @Option(name: [.customLong("reviewer"), .customLong("by")], help: fieldHelp("review", "reviewer_id"))
    var reviewer: String?
    @Option(help: fieldHelp("review", "version_reviewed")) var version: String?
    @Option(help: fieldHelp("review", "notes")) var notes: String?

    var values: [String: String] {
        collect([
            ("interface_id", interface), ("review_date", date), ("body", body), ("outcome", outcome),
            ("reviewer_id", reviewer), ("version_reviewed", version), ("notes", notes),
        ])
    }
}
