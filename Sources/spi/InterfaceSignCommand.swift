import ArgumentParser
import SPIRegister

/// `spi interface sign ID --by PERSON`: a party signs the SPI's current content with its replica's key.
struct InterfaceSignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an SPI's current content for your party, with this replica's key.",
        discussion: """
            Computes the canonical digest of the SPI's content (the SPI row without its status, approval and review \
            dates, and every row it owns or cites: services, RACI, integration points and their data items, \
            information items and their recipients, its agreement's targets), signs it with this replica's key and \
            stores the signature, with the content as signed, as a replicated row (protocol/signoff.md). Every \
            replica that receives it can check it offline with `spi interface verify`.

            The signing person must belong to the party this replica speaks for: the organization signs on its own \
            replicas, a provider on its own and only its own SPIs. An SPI is in force once the organization has \
            approved it and both the organization and the provider have signed the same content; any later change \
            to that content shows everywhere as "changed since signed" until both sign again. Retired SPIs are not \
            signed.

            Examples:
              spi interface sign SPI-INC-FAB --by sofia.lindqvist@northwind.example
              spi interface sign SPI-INC-FAB --by grace.holloway@fabrikam.example --db fabrikam.db --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The SPI to sign: its id or code, such as SPI-INC-FAB.", valueName: "id"))
    var id: String

    @Option(
        help: ArgumentHelp(
            "The person who signs: an id or an email, of this replica's party. Required.", valueName: "person"))
    var by: String

    @Option(help: ArgumentHelp("The signing date, YYYY-MM-DD (default: today).", valueName: "date"))
    var date: String?

    @Flag(help: "Print the SPI's sign-off state after signing as a JSON object.")
    var json = false

    func validate() throws {
        try DateOption.validate(("--date", date))
    }

    func run() async throws {
        let register = try global.openRegister()
        let signer = try global.signer(for: register)
        let registerID = register.replica.registerID
        let signature = try register.write { store in
            try Governance.sign(id, by: by, on: date, signer: signer, registerID: registerID, in: store)
        }
        _ = try register.replica.stamp()
        let state = try register.read { store in
            try Governance.signOff(of: signature.interfaceID, registerID: registerID, in: store)
        }
        if json {
            print(Output.signOffJSON(state).canonicalText)
            return
        }
        let party = state.checks.last { $0.signature.id == signature.id }?.party ?? "?"
        print("\(state.code): signed for \(party) by \(by) on \(signature.signedOn), digest \(signature.digest)")
        print("\(state.code) is now: \(state.summary)")
    }
}
