import ArgumentParser
import SPIRegister
import SPITransport

/// `spi whoami`: which replica and register a file is.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show this replica's site id, register id, name, kind and peer id.",
        discussion: """
            The register id is what a provider needs to join with `spi init --kind provider --register ID`.

            Example:
              spi whoami --json    # {"kind":"organization","name":"Northwind Retail","registerId":"…","siteId":"…"}
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON object with the keys siteId, registerId, name, kind and peerId.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let peerID = try PeerIdentity.loadOrCreate(forReplicaAt: register.replica.path, logger: global.logger).peerID
        if json {
            let object: JSONValue = [
                "siteId": .string(register.replica.siteID.description),
                "registerId": .string(register.replica.registerID.description),
                "name": .string(register.name),
                "kind": .string(register.kind.rawValue),
                "peerId": .string(peerID.description),
            ]
            print(object.canonicalText)
        } else {
            print("name:     \(register.name)")
            print("kind:     \(register.kind.rawValue)")
            print("register: \(register.replica.registerID)")
            print("site:     \(register.replica.siteID)")
            print("peer id:  \(peerID)")
            print("file:     \(register.replica.path)")
        }
    }
}
