import ArgumentParser

/// The options of `spi person add` and `spi person set`.
struct PersonFields: NounFields {
    static let table = "person"
    static let examples = """
          spi person add --party NW --name "Jane Doe" --email jane@northwind.example --role "Incident process owner"
          spi person set jane@northwind.example --active false
          spi person set sofia.lindqvist@northwind.example --approver true
        """

    @Option(help: fieldHelp("person", "party_id")) var party: String?
    @Option(help: fieldHelp("person", "name")) var name: String?
    @Option(help: fieldHelp("person", "email")) var email: String?
    @Option(help: fieldHelp("person", "role")) var role: String?
    @Option(help: fieldHelp("person", "active")) var active: String?
    @Option(help: fieldHelp("person", "approver")) var approver: String?

    var values: [String: String] {
        collect([
            ("party_id", party), ("name", name), ("email", email), ("role", role), ("active", active),
            ("approver", approver),
        ])
    }
}
