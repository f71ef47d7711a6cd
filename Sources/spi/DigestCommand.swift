import ArgumentParser
import SPIRegister

/// `spi digest`: the SHA-256 of the canonical export.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the SHA-256 of the canonical export, as hex.",
        discussion: "Two replicas print the same digest exactly when their content is the same, for example after a sync."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        print(try global.openRegister().digest())
    }
}
