import ArgumentParser

/// The options of `spi practice add` and `spi practice set`: the seeded ITIL 4 practices, and any you add.
struct PracticeFields: NounFields {
    static let table = "practice"
    static let examples = """
          spi practice list
          spi practice set INC --owner jane@northwind.example
          spi practice show CFG
        """

    @Option(help: fieldHelp("practice", "code")) var code: String?
    @Option(help: fieldHelp("practice", "name")) var name: String?
    @Option(help: fieldHelp("practice", "category")) var category: String?
    @Option(help: fieldHelp("practice", "stage")) var stage: String?
    @Option(help: fieldHelp("practice", "owner_id")) var owner: String?
    @Option(help: fieldHelp("practice", "description")) var description: String?

    var values: [String: String] {
        collect([
            ("code", code), ("name", name), ("category", category), ("stage", stage), ("owner_id", owner),
            ("description", description),
        ])
    }
}
