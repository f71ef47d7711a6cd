import ArgumentParser

/// The options of `spi party add` and `spi party set`.
struct PartyFields: NounFields {
    static let table = "party"
    static let examples = """
          spi party add --code NW --name "Northwind Retail" --kind organization --internal true
          spi party add --code FAB --name "Fabrikam Service Desk" --kind provider
          spi party set FAB --notes "Runs Jira Service Management"
          spi party list --json
          spi party bind FAB --peer MBYOJGC-X37EYFV-XKWJW3W-LQLVQQJ-DS5VW7N-3RXKEPH-XACHPHD-IB6RKQF
        """
    static var extraSubcommands: [any ParsableCommand.Type] { [PartyBindCommand.self, PartyUnbindCommand.self] }

    @Option(help: fieldHelp("party", "code")) var code: String?
    @Option(help: fieldHelp("party", "name")) var name: String?
    @Option(help: fieldHelp("party", "kind")) var kind: String?
    @Option(help: fieldHelp("party", "internal")) var `internal`: String?
    @Option(help: fieldHelp("party", "notes")) var notes: String?

    var values: [String: String] {
        collect([("code", code), ("name", name), ("kind", kind), ("internal", `internal`), ("notes", notes)])
    }
}
