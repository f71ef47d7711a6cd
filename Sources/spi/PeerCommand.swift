import ArgumentParser
import Foundation
import SPIRegister
import SPITransport
import SPIIdentity

/// `spi peer`: which replicas this one trusts to sync with.
struct PeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Manage the peers this replica trusts (pinned peer ids, as in Syncthing).",
        discussion: """
            A replica only syncs with peers whose peer id it trusts, and only when they trust it back. Exchange ids \
            with `spi whoami --json` (the `peerId` key), then on each side add the other:
              spi peer add --name northwind --id PEERID --address hub.example.com:7373
            See docs/sync-guide.md.
            """,
        subcommands: [
            PeerAddCommand.self, PeerListCommand.self, PeerRemoveCommand.self, PeerRefusalsCommand.self,
            PeerHeldCommand.self,
        ]
    )
}

/// `spi peer add --name NAME --id PEERID [--address HOST:PORT]`.
struct PeerAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Trust a peer by its peer id.",
        discussion:
            "The peer id is the fingerprint of the peer's public key, as its `spi whoami --json` prints it. The name is yours to choose; the address is where `spi serve --peer` and `spi sync` find it."
    )

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .customLong("name"),
        help: ArgumentHelp("A short local name for the peer (letters, digits, - and _).", valueName: "name"))
    var name: String

    @Option(
        name: .customLong("id"),
        help: ArgumentHelp("The peer's id, from its `spi whoami --json`.", valueName: "peer-id"))
    var id: String

    @Option(
        name: .customLong("address"),
        help: ArgumentHelp("Where the peer listens (default port 7373).", valueName: "host:port"))
    var address: String?

    func run() async throws {
        let register = try global.openRegister()
        let peerID = try PeerID(parsing: id)
        let address = try self.address.map { try PeerAddress(parsing: $0, defaultPort: 7373) }
        let own = try global.identity(for: register).peerID
        let peers = try TrustedPeerStore(replica: register.replica)
        try peers.add(name: name, peerID: peerID, address: address, ownPeerID: own)
        print("trusted \(name) (\(peerID))")
    }
}

/// `spi peer list [--json]`.
struct PeerListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the trusted peers.",
        discussion: """
            Shows each peer's bound party: the party whose rules judge its changes and whose scope limits what it \
            receives (`spi party bind`), "organization (authority)" for the organization's first replica, or \
            "unbound". With --json, an array of objects with the keys name, peerId, address, created and party.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .customLong("json"), help: "Print JSON.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let peers = try TrustedPeerStore(replica: register.replica).list()
        let bindings = try register.read { try PartyBinding.all($0) }
        let registerID = register.replica.registerID
        func party(_ peer: TrustedPeer) -> String {
            if peer.peerID.siteID == registerID { return "organization (authority)" }
            guard let binding = bindings.first(where: { $0.peerID == peer.peerID.description }) else {
                return "unbound"
            }
            return binding.partyCode ?? binding.partyID
        }
        if json {
            print(
                Output.jsonArray(
                    peers.map { peer in
                        [
                            "name": .string(peer.name), "peerId": .string(peer.peerID.description),
                            "address": peer.address.map { .string($0.description) } ?? .null,
                            "created": .string(peer.created),
                            "party": .string(party(peer)),
                        ] as JSONValue
                    }))
        } else if peers.isEmpty {
            print("no trusted peers; add one with `spi peer add --name NAME --id PEERID`")
        } else {
            print(
                Output.table(
                    header: ["name", "party", "peer id", "address"],
                    rows: peers.map {
                        [$0.name, party($0), $0.peerID.description, $0.address?.description ?? "-"]
                    }, limit: nil))
        }
    }
}

/// `spi peer remove NAME`.
struct PeerRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop trusting a peer.",
        discussion: "Sessions with the peer are refused from then on; what was already exchanged stays."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The peer's local name.", valueName: "name"))
    var name: String

    func run() async throws {
        let register = try global.openRegister()
        let removed = try TrustedPeerStore(replica: register.replica).remove(name: name)
        print("removed \(removed.name) (\(removed.peerID))")
    }
}
