import ArgumentParser
import SPIRegister

/// `spi digest`: the SHA-256 of the canonical export.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the SHA-256 of the canonical export, as hex.",
        discussion: """
            Two replicas print the same digest exactly when their content is the same, for example after a sync. \
            With --for PARTY, the digest of the rows that party may see: on the organization's replica, it equals \
            the digest of that party's synced replica.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .customLong("for"),
        help: ArgumentHelp("Only the rows this party may see (its code or id).", valueName: "party"))
    var party: String?

    func run() async throws {
        let register = try global.openRegister()
        print(try register.digest(visibleTo: party.map { try register.actor(ofParty: $0) }))
    }
}
