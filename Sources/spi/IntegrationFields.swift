import ArgumentParser
import SPIRegister

/// The options of `spi integration add` and `spi integration set` (table `integration_point`), plus the data
/// items the hand-off carries.
struct IntegrationFields: NounFields {
    static let table = "integration_point"
    static let examples = """
          spi integration add --interface SPI-INC-FAB --name "Incident assignment" --from-party NW \\
              --from-practice INC --to-party FAB --to-practice INC --channel e_bonding \\
              --standard "TMF621 Trouble Ticket" --timing "within 15 minutes" --correlation-key "ticket number" \\
              --mandatory-item short_description --mandatory-item priority --data-item attachments
        """

    @Option(help: fieldHelp("integration_point", "interface_id")) var interface: String?
    @Option(help: fieldHelp("integration_point", "name")) var name: String?
    @Option(help: fieldHelp("integration_point", "from_party_id")) var fromParty: String?
    @Option(help: fieldHelp("integration_point", "from_practice_id")) var fromPractice: String?
    @Option(help: fieldHelp("integration_point", "to_party_id")) var toParty: String?
    @Option(help: fieldHelp("integration_point", "to_practice_id")) var toPractice: String?
    @Option(help: fieldHelp("integration_point", "trigger_event")) var trigger: String?
    @Option(help: fieldHelp("integration_point", "channel")) var channel: String?
    @Option(help: fieldHelp("integration_point", "standard")) var standard: String?
    @Option(help: fieldHelp("integration_point", "timing")) var timing: String?
    @Option(help: fieldHelp("integration_point", "correlation_key")) var correlationKey: String?
    @Option(
        name: .customLong("data-item"),
        help: ArgumentHelp("An optional data item the hand-off carries; repeatable.", valueName: "name"))
    var dataItems: [String] = []
    @Option(
        name: .customLong("mandatory-item"),
        help: ArgumentHelp("A data item every hand-off must carry; repeatable.", valueName: "name"))
    var mandatoryItems: [String] = []

    var values: [String: String] {
        collect([
            ("interface_id", interface), ("name", name), ("from_party_id", fromParty),
            ("from_practice_id", fromPractice), ("to_party_id", toParty), ("to_practice_id", toPractice),
            ("trigger_event", trigger), ("channel", channel), ("standard", standard), ("timing", timing),
            ("correlation_key", correlationKey),
        ])
    }

    func writeLinks(_ store: RecordStore, id: String) throws {
        for (names, mandatory) in [(mandatoryItems, "1"), (dataItems, "0")] {
            for name in names {
                try store.put(
                    "integration_data_item",
                    fields: ["integration_point_id": id, "name": name, "mandatory": mandatory],
                    mode: .insert)
            }
        }
    }
}
