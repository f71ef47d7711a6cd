import ArgumentParser

/// `spi record`: generic commands on any register table, for scripts.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Put, get, delete and list rows of any register table (for scripts).",
        discussion: """
            TABLE is one of the sixteen register tables (see `spi schema`); columns are named as in SQLite. Values \
            are validated exactly as the noun commands validate them, and codes resolve wherever an id is expected.

            Examples:
              spi record put party code=FAB name="Fabrikam Service Desk" kind=provider
              spi record put practice --id INC owner_id=jane@northwind.example
              spi record get interface SPI-INC-FAB --json
              spi record list activity practice_id=INC
              spi record delete interface_service 7c1e…
            """,
        subcommands: [RecordPutCommand.self, RecordGetCommand.self, RecordDeleteCommand.self, RecordListCommand.self]
    )
}
