import ArgumentParser

/// The options of `spi level add` and `spi level set` (table `service_level_result`): achieved service levels.
struct LevelFields: NounFields {
    static let table = "service_level_result"
    static let examples = """
          spi level record 7c865136 --period 2026-11 --value 8.5 --source "Jira SLA report, November"
          spi level list --where target_id=7c865136
          spi report levels --provider FAB
        """

    static var extraSubcommands: [any ParsableCommand.Type] { [LevelRecordCommand.self] }

    @Option(help: fieldHelp("service_level_result", "target_id")) var target: String?
    @Option(help: fieldHelp("service_level_result", "period")) var period: String?
    @Option(help: fieldHelp("service_level_result", "value")) var value: String?
    @Option(help: fieldHelp("service_level_result", "source")) var source: String?
    @Option(help: fieldHelp("service_level_result", "recorded_on")) var date: String?

    var values: [String: String] {
        collect([
            ("target_id", target), ("period", period), ("value", value), ("source", source), ("recorded_on", date),
        ])
    }
}
