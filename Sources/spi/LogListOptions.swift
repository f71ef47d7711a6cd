import ArgumentParser

/// The options of the commands that list a local log (`spi peer held`, `spi peer refusals`): how many entries, and
/// JSON or a table.
struct LogListOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How many entries to show (the order is in the command's help).", valueName: "n"))
    var limit = 50

    @Flag(name: .customLong("json"), help: "Print JSON.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }
}
