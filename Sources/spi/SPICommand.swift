import ArgumentParser
import SPIProtocol
import SPIRegister

/// The `spi` command: the register of service provider interfaces, kept in a local SQLite replica.
struct SPICommand: AsyncParsableCommand {
    /// What `spi --version` prints: the release, and the formats this build reads and writes.
    static let version =
        "spi 0.1.0-dev (register schema \(RegisterSchema.currentVersion), sync protocol v\(SyncProtocol.currentVersion))"

    static let configuration = CommandConfiguration(
        commandName: "spi",
        abstract: "Keep a register of service provider interfaces (SPIs) in a local SQLite replica.",
        discussion: """
            A register records, for each practice and provider, who hands what to whom (integration points), who is \
            responsible for what (RACI), and what management information flows between the parties. Each party \
            keeps its own replica of the register; replicas exchange changes and converge.

            Every command takes --db PATH (default: $SPI_DB, else ./spi.db). Wherever an id is expected you may give \
            a short code instead: a party FAB, an interface SPI-INC-FAB, a practice INC, an activity INC-LOG, a \
            service or agreement code, or a person's email.

            Start with `spi init --name "Northwind Retail" --kind organization`, or try `spi demo`.
            Exit status: 0 success, 64 invalid input or usage, 1 other failures.
            """,
        version: SPICommand.version,
        subcommands: [
            InitCommand.self, WhoamiCommand.self, KeyCommand.self,
            NounCommand<PartyFields>.self, NounCommand<PersonFields>.self, NounCommand<ServiceFields>.self,
            NounCommand<AgreementFields>.self, NounCommand<TargetFields>.self, NounCommand<InterfaceFields>.self,
            NounCommand<RACIFields>.self, NounCommand<IntegrationFields>.self, NounCommand<InfoFields>.self,
            NounCommand<ReviewFields>.self, NounCommand<PracticeFields>.self, NounCommand<ActivityFields>.self,
            NounCommand<LevelFields>.self, NounCommand<MetricFields>.self,
            RecordCommand.self, SchemaCommand.self, ExportCommand.self, ImportCommand.self, DigestCommand.self,
            CheckCommand.self, ReportCommand.self, ChangesCommand.self, ConflictsCommand.self, HistoryCommand.self,
            PeerCommand.self, ScopeCommand.self, SyncCommand.self, ServeCommand.self,
            DueCommand.self, FindingCommand.self, DemoCommand.self, AppCommand.self,
        ]
    )
}
