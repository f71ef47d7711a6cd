import ArgumentParser
import SPIRegister

/// `spi interface versions ID`: the SPI's frozen versions.
struct InterfaceVersionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "List an SPI's frozen versions: each approval and signature freezes the content it covered.",
        discussion: """
            Approving an SPI and signing it freeze its content as a version: its number, its digest and the content \
            itself, replicated like any row, so that every replica that holds the SPI can show it again and compare \
            it (`spi interface diff`, `spi report document --version`). The same content is frozen once.

            Examples:
              spi interface versions SPI-INC-FAB
              spi interface versions SPI-INC-FAB --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The SPI: its id or code, such as SPI-INC-FAB.", valueName: "id"))
    var id: String

    @Flag(help: "Print the versions as a JSON array of objects (without their content).")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let (versions, current) = try register.read { store in
            (try Governance.versions(of: id, in: store), try InterfaceContent(of: id, in: store).digest)
        }
        if json {
            print(
                Output.jsonArray(
                    versions.map { version in
                        .object([
                            "version": version.version.map(JSONValue.string) ?? .null,
                            "digest": .string(version.digest),
                            "frozenOn": .string(version.frozenOn),
                            "frozenBy": version.frozenBy.map(JSONValue.string) ?? .null,
                            "event": .string(version.event), "current": .bool(version.digest == current),
                        ])
                    }))
            return
        }
        guard !versions.isEmpty else {
            print("\(id) has no frozen version yet: approving or signing it freezes one")
            return
        }
        print(
            Output.table(
                header: ["version", "digest", "frozen_on", "event", "by", "current"],
                rows: versions.map { version in
                    [
                        version.version ?? "-", String(version.digest.prefix(12)), version.frozenOn, version.event,
                        version.frozenBy ?? "-", version.digest == current ? "yes" : "",
                    ]
                }, limit: nil))
    }
}
