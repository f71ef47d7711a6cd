import ArgumentParser
import SPIRegister

/// The options of `spi raci add` and `spi raci set` (table `raci_assignment`).
struct RACIFields: NounFields {
    static let table = "raci_assignment"
    static let examples = """
          spi raci add --interface SPI-INC-FAB --activity INC-LOG --party FAB --role R --title "Service desk agent"
          spi raci add --interface SPI-INC-FAB --activity INC-LOG --party NW --role A
          spi raci set SPI-INC-FAB --from-csv raci.csv      # a whole matrix: activity,NWR,SIAM,FAB / INC-LOG,C,A,R
          spi raci copy --from SPI-INC-FAB --to SPI-INC-CON --party FAB=CON
          spi raci list --where interface_id=SPI-INC-FAB
        """

    static var setCommand: any ParsableCommand.Type { RACISetCommand.self }

    static var extraSubcommands: [any ParsableCommand.Type] { [RACICopyCommand.self] }

    @Option(help: fieldHelp("raci_assignment", "interface_id")) var interface: String?
    @Option(help: fieldHelp("raci_assignment", "activity_id")) var activity: String?
    @Option(help: fieldHelp("raci_assignment", "party_id")) var party: String?
    @Option(help: fieldHelp("raci_assignment", "role")) var role: String?
    @Option(help: fieldHelp("raci_assignment", "role_title")) var title: String?
    @Flag(help: "Allow an activity of another practice than the SPI's (refused by default).")
    var otherPractice = false

    var values: [String: String] {
        collect([
            ("interface_id", interface), ("activity_id", activity), ("party_id", party), ("role", role),
            ("role_title", title),
        ])
    }

    func configure(_ store: inout RecordStore) {
        store.allowsOtherPractice = otherPractice
    }
}
