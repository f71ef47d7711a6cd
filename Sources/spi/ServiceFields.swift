import ArgumentParser

/// The options of `spi service add` and `spi service set`.
struct ServiceFields: NounFields {
    static let table = "service"
    static let examples = """
          spi service add --code SD --name "Service desk" --type technical --status catalogue --provider FAB \\
              --customer NW --owner jane@northwind.example
          spi service set SD --status retired
        """

    @Option(help: fieldHelp("service", "code")) var code: String?
    @Option(help: fieldHelp("service", "name")) var name: String?
    @Option(help: fieldHelp("service", "type")) var type: String?
    @Option(help: fieldHelp("service", "status")) var status: String?
    @Option(help: fieldHelp("service", "owner_id")) var owner: String?
    @Option(help: fieldHelp("service", "customer_id")) var customer: String?
    @Option(help: fieldHelp("service", "provider_id")) var provider: String?
    @Option(help: fieldHelp("service", "description")) var description: String?

    var values: [String: String] {
        collect([
            ("code", code), ("name", name), ("type", type), ("status", status), ("owner_id", owner),
            ("customer_id", customer), ("provider_id", provider), ("description", description),
        ])
    }
}
