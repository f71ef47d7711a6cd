import ArgumentParser
import SPIRegister
import SPITransport
import SPIIdentity

/// `spi whoami`: which replica and register a file is.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show this replica's site id, register id, name, kind, peer id and party.",
        discussion: """
            The register id is what a provider needs to join with `spi init --kind provider --register ID`; the peer \
            id is what the organization binds to the provider's party (`spi party bind PARTY --peer PEERID`). The \
            party line says whom this replica speaks for: the authority (the organization's first replica), a bound \
            party, or "unbound".

            Examples:
              spi whoami --json    # {"kind":"organization","name":"Northwind Retail","registerId":"…","siteId":"…"}
              spi whoami --field peerId
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON object with the keys siteId, registerId, name, kind, peerId and party.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Print only this value: siteId, registerId, name, kind, peerId or party (for scripts: "
                + "--register \"$(spi whoami --field registerId)\").", valueName: "key"))
    var field: String?

    static let fields = ["siteId", "registerId", "name", "kind", "peerId", "party"]

    func validate() throws {
        if let field, !Self.fields.contains(field) {
            throw ValidationError("unknown field '\(field)'; the fields are \(Self.fields.joined(separator: ", "))")
        }
        if field != nil && json { throw ValidationError("give either --field or --json, not both") }
    }

    func run() async throws {
        let register = try global.openRegister()
        let peerID = try global.identity(for: register).peerID
        let party: String
        if register.replica.siteID == register.replica.registerID {
            party = "organization (authority)"
        } else if let binding = try register.read({ try PartyBinding.all($0) }).first(where: {
            $0.siteID == register.replica.siteID.description
        }) {
            party = binding.partyCode ?? binding.partyID
        } else {
            party = "unbound"
        }
        let values: [String: String] = [
            "siteId": register.replica.siteID.description,
            "registerId": register.replica.registerID.description,
            "name": register.name,
            "kind": register.kind.rawValue,
            "peerId": peerID.description,
            "party": party,
        ]
        if let field {
            print(values[field] ?? "")
        } else if json {
            print(JSONValue.object(values.mapValues { .string($0) }).canonicalText)
        } else {
            print("name:     \(register.name)")
            print("kind:     \(register.kind.rawValue)")
            print("register: \(register.replica.registerID)")
            print("site:     \(register.replica.siteID)")
            print("peer id:  \(peerID)")
            print("party:    \(party)")
            print("file:     \(register.replica.path)")
        }
    }
}
