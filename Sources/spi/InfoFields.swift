import ArgumentParser
import SPIRegister

/// The options of `spi info add` and `spi info set` (table `information_item`), plus its recipients.
struct InfoFields: NounFields {
    static let table = "information_item"
    static let examples = """
          spi info add --interface SPI-INC-FAB --name "Monthly incident report" --frequency monthly \\
              --due-rule "5th business day" --format PDF --sender FAB --recipient NW --recipient jane@northwind.example
          spi info list --where frequency=monthly
        """

    static var extraSubcommands: [any ParsableCommand.Type] { [InfoDeliverCommand.self] }

    @Option(help: fieldHelp("information_item", "interface_id")) var interface: String?
    @Option(help: fieldHelp("information_item", "name")) var name: String?
    @Option(help: fieldHelp("information_item", "content")) var content: String?
    @Option(help: fieldHelp("information_item", "frequency")) var frequency: String?
    @Option(help: fieldHelp("information_item", "due_rule")) var dueRule: String?
    @Option(help: fieldHelp("information_item", "format")) var format: String?
    @Option(help: fieldHelp("information_item", "sender_id")) var sender: String?
    @Option(
        name: .customLong("recipient"),
        help: ArgumentHelp(
            "A recipient: a party (id or code) or a person (id or email); repeatable. Adds a link.", valueName: "ref"))
    var recipients: [String] = []

    var values: [String: String] {
        collect([
            ("interface_id", interface), ("name", name), ("content", content), ("frequency", frequency),
            ("due_rule", dueRule), ("format", format), ("sender_id", sender),
        ])
    }

    func writeLinks(_ store: RecordStore, id: String) throws {
        for recipient in recipients {
            let column: String
            if (try? store.resolve("party", recipient)) != nil {
                column = "party_id"
            } else if (try? store.resolve("person", recipient)) != nil {
                column = "person_id"
            } else {
                throw RegisterError(
                    .unknownReference,
                    "recipient '\(recipient)' is neither a party (id or code) nor a person (id or email)")
            }
            try store.put("information_recipient", fields: ["information_item_id": id, column: recipient])
        }
    }
}
