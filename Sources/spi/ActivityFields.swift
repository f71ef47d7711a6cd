import ArgumentParser

/// The options of `spi activity add` and `spi activity set`: the steps of a practice that RACI cells refer to.
struct ActivityFields: NounFields {
    static let table = "activity"
    static let examples = """
          spi activity list --where practice_id=INC
          spi activity add --practice INC --code INC-COMM --name "Communicate with users" --position 8
        """

    @Option(help: fieldHelp("activity", "practice_id")) var practice: String?
    @Option(help: fieldHelp("activity", "code")) var code: String?
    @Option(help: fieldHelp("activity", "name")) var name: String?
    @Option(help: fieldHelp("activity", "position")) var position: String?
    @Option(help: fieldHelp("activity", "description")) var description: String?

    var values: [String: String] {
        collect([
            ("practice_id", practice), ("code", code), ("name", name), ("position", position),
            ("description", description),
        ])
    }
}
