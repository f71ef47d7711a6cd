import ArgumentParser
import SPIRegister

/// `spi scope PARTY`: what a party can see and write.
struct ScopeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scope",
        abstract: "Show what a party can see and write.",
        discussion: """
            For each register table: how many of its rows the party's replicas receive, the read rule, and what \
            they may write. Review it before binding a replica to the party (`spi party bind`). The rules are \
            documented in docs/permissions.md. With --json, an object with the keys party, actor and tables \
            (each with table, visibleRows, totalRows, read and write).

            Examples:
              spi scope FAB
              spi scope CON --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The party: its code or id.", valueName: "party"))
    var party: String

    @Flag(name: .customLong("json"), help: "Print JSON.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let actor = try register.actor(ofParty: party)
        let (code, tables) = try register.read { store in
            let record = try store.record("party", party)
            return (record.values["code"]?.textValue ?? record.id, try TableScope.all(for: actor, store.db))
        }
        if json {
            let object: JSONValue = [
                "party": .string(code), "actor": .string(actor.isOrganization ? "organization" : "party"),
                "tables": .array(
                    tables.map { scope in
                        [
                            "table": .string(scope.table), "visibleRows": .integer(Int64(scope.visibleRows)),
                            "totalRows": .integer(Int64(scope.totalRows)), "read": .string(scope.read),
                            "write": .string(scope.write),
                        ] as JSONValue
                    }),
            ]
            print(object.canonicalText)
        } else {
            print(
                "\(code) \(actor.isOrganization ? "acts for the organization" : "is a provider party"): what its replicas see and may write"
            )
            print(
                Output.table(
                    header: ["table", "sees", "read rule", "may write"],
                    rows: tables.map { ["\($0.table)", "\($0.visibleRows) of \($0.totalRows)", $0.read, $0.write] },
                    limit: nil))
        }
    }
}
