import ArgumentParser
import SPIRegister
import SPIReplication

/// `spi init`: creates a new register file.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new register file.",
        discussion: """
            Creates a replica with a new site id, the register's tables and its reference data (the 34 ITIL 4 \
            practices and the activities of the common ones).

            An organization starts a new register. A provider joins the organization's register: give its register \
            id, which `spi whoami` prints on the organization's side. init never touches an existing file.

            Examples:
              spi init --name "Northwind Retail" --kind organization
              spi --db fabrikam.db init --name "Fabrikam Service Desk" --kind provider --register 5f0c…
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The register's display name on this replica, such as \"Northwind Retail\".")
    var name: String

    @Option(help: ArgumentHelp("Which side this replica is on: organization or provider.", valueName: "kind"))
    var kind: String

    @Option(
        name: .customLong("register"),
        help: ArgumentHelp("The register id to join (required for a provider).", valueName: "id"))
    var registerID: String?

    func validate() throws {
        guard ReplicaKind(rawValue: kind.lowercased()) != nil else {
            throw ValidationError(
                "invalid kind '\(kind)': expected one of \(ReplicaKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if let registerID, RegisterID(registerID) == nil {
            throw ValidationError("invalid register id '\(registerID)': expected a UUID")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the name is empty") }
    }

    func run() async throws {
        let register = try Register.create(
            at: global.path, name: name, kind: ReplicaKind(rawValue: kind.lowercased())!,
            registerID: registerID.flatMap(RegisterID.init), logger: global.logger)
        print("created \(global.path): \(register.kind.rawValue) \"\(register.name)\"")
        print("register id: \(register.replica.registerID)")
        print("site id:     \(register.replica.siteID)")
    }
}
