import ArgumentParser
import Foundation
import SPIIdentity
import SPIRegister
import SPIReplication

/// `spi key`: the replica's key, which is its identity.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage the replica's key (its peer id and site).",
        discussion: """
            A replica is its key: its peer id and its site id are derived from it, every change it makes is signed \
            with it, and TLS proves it to peers. The key is REPLICA.db.key, beside the replica file (mode 0600); \
            back it up together with the replica file. It is never made again silently: when it is missing, every \
            command that needs it says so.
            """,
        subcommands: [KeyRotateCommand.self]
    )
}

/// `spi key rotate`: a new key, on purpose (a lost, stolen or shared key).
struct KeyRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Give the replica a new key, hence a new peer id and site.",
        discussion: """
            Use it when the key is lost (its file deleted or damaged), may be in someone else's hands, or is shared \
            with another replica (a copied replica file: run it on the copy). The replica keeps everything it holds. \
            The changes it made under the old key stay that key's, and stay valid everywhere; what it writes from \
            now on is signed with the new key. When the old key is still there, it first signs the replica's last \
            changes, so that nothing is lost; when it is lost, the changes it never signed (made since the last \
            sync or export) become the new key's, and the organization refuses them because they predate the new \
            binding: make them again.

            The new peer id speaks for no party until the organization binds it: the command prints the steps. The \
            register's authority (the organization's first replica) cannot rotate its key.

            Examples:
              spi key rotate --db fabrikam.db
              spi key rotate --db fabrikam.db --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(
        help: ArgumentHelp(
            "Print a JSON object: previousPeerId (null when the old key was lost), peerId, siteId, previousSiteId, "
                + "reattributed, replaces (the site ids to give `spi party bind --replaces`)."))
    var json = false

    func run() async throws {
        let path = global.path
        // What the replica is, and the party its old site spoke for (for the steps printed at the end).
        // A replica that rotated before without being bound again names its earlier sites too, and its party is the
        // one its latest bound site spoke for.
        let (site, isAuthority, party, oldPeer, replaced) = try {
            let register = try global.openRegister()
            let replica = register.replica
            let (bindings, replaced) = try register.read { store in
                (
                    try PartyBinding.all(store),
                    try PartyBinding.sitesToReplace(last: replica.siteID, earlier: replica.previousSiteIDs, store)
                )
            }
            let binding = ([replica.siteID] + replica.previousSiteIDs.reversed()).lazy
                .compactMap { site in bindings.last { $0.siteID == site.description } }.first
            let oldPeer = try? PeerIdentity.load(forReplicaAt: path, site: replica.siteID, logger: global.logger).peerID
            return (
                replica.siteID, replica.siteID == replica.registerID, binding.flatMap { $0.partyCode ?? $0.partyID },
                oldPeer, replaced
            )
        }()
        if isAuthority {
            throw RegisterError(
                .forbidden,
                "\(path) is the register's authority: every replica recognises the authority by its site, so its key "
                    + "cannot be rotated; restore its key from a backup")
        }
        let (rotation, identity) = try Replica.rotateKey(ofReplicaAt: path, logger: global.logger)
        if json {
            let values: [String: JSONValue] = [
                "previousPeerId": oldPeer.map { .string($0.description) } ?? .null,
                "peerId": .string(identity.peerID.description),
                "siteId": .string(rotation.site.description),
                "previousSiteId": .string(site.description),
                "reattributed": .integer(Int64(rotation.reattributed)),
                "replaces": .array(replaced.map { .string($0.description) }),
            ]
            print(JSONValue.object(values).canonicalText)
            return
        }
        print("rotated the key of \(path)")
        print("  new peer id:  \(identity.peerID)")
        if let oldPeer {
            print("  old peer id:  \(oldPeer) (site \(site)): its changes stay valid")
        } else {
            print("  old site:     \(site) (its key was lost): its changes stay valid")
        }
        if rotation.reattributed > 0 {
            print(
                "  never signed by the old key (made since its last sync or export): "
                    + "\(Output.count(rotation.reattributed, "change")); they are the new key's now, and the organization "
                    + "refuses them as made before the new binding: make them again once it has arrived")
        }
        print("")
        print("Next steps:")
        print("  1. On the organization's first replica (the authority):")
        let names = replaced.dropLast().map(\.description) + [oldPeer?.description ?? site.description]
        print(
            "       spi party bind \(party ?? "PARTY") --peer \(identity.peerID) --replaces \(names.joined(separator: ","))"
        )
        if let oldPeer {
            print("       spi party unbind --peer \(oldPeer)    # certainly if the old key may be in other hands")
        }
        print("  2. On every replica that syncs with this one, trust the new peer id instead of the old one:")
        print("       spi peer remove NAME && spi peer add --name NAME --id \(identity.peerID)")
        print("  3. Sync this replica with the organization before editing: until the binding arrives, it speaks for")
        print("     no party, and `spi` refuses its edits.")
    }
}
