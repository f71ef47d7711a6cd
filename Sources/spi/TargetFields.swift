import ArgumentParser

/// The options of `spi target add` and `spi target set` (table `service_level_target`).
struct TargetFields: NounFields {
    static let table = "service_level_target"
    static let examples = """
          spi target add --agreement SLA-NW --service SD --metric time_to_resolve --priority P1 --value 4 \\
              --unit hours --period month
          spi target add --agreement UC-FAB --service SD --metric time_to_resolve --priority P1 --value 3 \\
              --unit hours --supports 0193…
          spi target list --where agreement_id=UC-FAB
        """

    @Option(help: fieldHelp("service_level_target", "agreement_id")) var agreement: String?
    @Option(help: fieldHelp("service_level_target", "service_id")) var service: String?
    @Option(help: fieldHelp("service_level_target", "metric")) var metric: String?
    @Option(help: fieldHelp("service_level_target", "priority")) var priority: String?
    @Option(help: fieldHelp("service_level_target", "target")) var value: String?
    @Option(help: fieldHelp("service_level_target", "unit")) var unit: String?
    @Option(help: fieldHelp("service_level_target", "period")) var period: String?
    @Option(help: fieldHelp("service_level_target", "supports_id")) var supports: String?
    @Option(help: fieldHelp("service_level_target", "notes")) var notes: String?

    var values: [String: String] {
        collect([
            ("agreement_id", agreement), ("service_id", service), ("metric", metric), ("priority", priority),
            ("target", value), ("unit", unit), ("period", period), ("supports_id", supports), ("notes", notes),
        ])
    }
}
