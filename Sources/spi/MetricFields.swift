import ArgumentParser

/// The options of `spi metric add` and `spi metric set`: what service level targets measure.
struct MetricFields: NounFields {
    static let table = "metric"
    static let examples = """
          spi metric list
          spi metric add --code first_contact_resolution --name "First-contact resolution" --unit percent
          spi metric add --code reopen_rate --name "Reopen rate" --unit percent --higher-is-better false
          spi target add --agreement UC-FAB --service SDESK --metric reopen_rate --target 5 --unit percent --period month
        """

    @Option(help: fieldHelp("metric", "code")) var code: String?
    @Option(help: fieldHelp("metric", "name")) var name: String?
    @Option(help: fieldHelp("metric", "unit")) var unit: String?
    @Option(
        name: .customLong("higher-is-better"), help: fieldHelp("metric", "higher_is_better", valueName: "true|false"))
    var higherIsBetter: String?
    @Option(help: fieldHelp("metric", "notes")) var notes: String?

    var values: [String: String] {
        collect([
            ("code", code), ("name", name), ("unit", unit), ("higher_is_better", higherIsBetter), ("notes", notes),
        ])
    }
}
