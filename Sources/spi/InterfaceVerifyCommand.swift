import ArgumentParser
import SPIRegister

/// `spi interface verify [ID]`: checks every signature of an SPI (or of every signed SPI) on this replica.
struct InterfaceVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an SPI's signatures against its current content and the signers' bindings.",
        discussion: """
            For each signature: the content it holds must hash to its digest and be this SPI's, the signature must \
            verify with the key it carries, that key's replica must have been bound to the signing party when it \
            signed, and the person must be one of the party's. A signature that passes is "valid, of the current \
            content" or "valid, of earlier content". The SPI's state follows: in force (approved, and the \
            organization's and the provider's latest valid signatures are of the current content), changed since \
            signed (with each change in words, by whom and when), awaiting a signature, or not signed.

            Runs offline, on any replica that holds the SPI. Exit status 0 when every signature is valid (whatever \
            the state), 1 when any is invalid (forged, altered, or by a replica not bound to its party).

            Examples:
              spi interface verify SPI-INC-FAB
              spi interface verify --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The SPI to check: its id or code (default: every SPI that has a signature).", valueName: "id"))
    var id: String?

    @Flag(help: "Print the states as a JSON array of objects.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        _ = try register.replica.stamp()
        let registerID = register.replica.registerID
        let states = try register.read { store in
            if let id { return [try Governance.signOff(of: id, registerID: registerID, in: store)] }
            return try Governance.signOffStates(registerID: registerID, in: store)
        }
        if json {
            print(Output.jsonArray(states.map(Output.signOffJSON)))
        } else if states.isEmpty {
            print("no SPI has a signature yet; sign one with `spi interface sign`")
        } else {
            print(states.map { Output.signOff($0).joined(separator: "\n") }.joined(separator: "\n\n"))
        }
        let invalid = states.flatMap(\.checks).filter { $0.verdict == .invalid }.count
        if invalid > 0 {
            SPIMain.printError(
                "\(Output.count(invalid, "invalid signature")): forged, altered, or by a replica not bound to its party"
            )
            throw ExitCode.failure
        }
    }
}
