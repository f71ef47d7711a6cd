import ArgumentParser
import Foundation
import SPICommandSupport
import SPIRegister

/// `spi export`: the canonical JSON of the register's content.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the register's content as canonical JSON.",
        discussion: """
            An object keyed by table name (all sixteen tables), each table's rows as objects sorted by id, keys \
            sorted, one row per line, and no replication or local metadata: two replicas with the same content \
            produce the same bytes. `spi import` loads the file back. `spi digest` is its SHA-256.

            With --for PARTY, only the rows that party's replicas may see (see `spi scope`): on the organization's \
            replica, this is what a provider's replica holds once synced.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    @Option(
        name: .customLong("for"),
        help: ArgumentHelp("Only the rows this party may see (its code or id).", valueName: "party"))
    var party: String?

    func run() async throws {
        let register = try global.openRegister()
        let viewer = try party.map { try register.actor(ofParty: $0) }
        let bytes = try register.exportCanonical(visibleTo: viewer)
        if let out {
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw RegisterError(.database, "cannot write \(out): \(error.localizedDescription)")
            }
        } else {
            StandardStreams.writeOutput(bytes)
        }
    }
}
