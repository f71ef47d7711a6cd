import ArgumentParser
import Foundation
import SPIRegister
import SPITransport
import SPIIdentity

/// `spi party bind PARTY --peer PEERID`: states which replica speaks for a party.
struct PartyBindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bind",
        abstract: "Bind a replica to the party it speaks for (organization only).",
        discussion: """
            From then on, every replica judges the changes made by that replica with the party's write rules, and \
            sends it only the rows the party may see (review them first with `spi scope PARTY`). The binding \
            replicates to every party. Binding the same peer again moves it to the new party: bindings are \
            append-only, the latest counts, and each change stays judged by the binding its replica had when it \
            made it. A replica that no party is bound to receives only public data and may write nothing \
            (`spi party unbind`). Only the register's authority (the organization's first replica) binds.

            The peer id is what the provider's `spi whoami` prints. Binding a party of kind organization makes the \
            replica act for the organization: it may write everything, and what it relays is accepted without being \
            judged again.

            After `spi key rotate`, bind the new peer id with --replaces OLD: the new replica holds every change of \
            the old one, and every replica takes the old site's coverage from it (without it, a site that never \
            syncs again keeps some changes held on other replicas). A replica that rotated more than once before \
            this binding names each earlier one, separated by commas, as its last `spi key rotate` prints them.

            Examples:
              spi party bind FAB --peer MBYOJGC-X37EYFV-XKWJW3W-LQLVQQJ-DS5VW7N-3RXKEPH-XACHPHD-IB6RKQF
              spi party bind FAB --peer NEWPEER --replaces OLDPEER
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The party: its code or id.", valueName: "party"))
    var party: String

    @Option(help: ArgumentHelp("The replica's peer id, as its `spi whoami` prints it.", valueName: "peer-id"))
    var peer: String

    @Option(
        help: ArgumentHelp(
            "The replica it succeeds after `spi key rotate`: the old peer id (or the old site id, which the rotation "
                + "prints when the old key was lost); several, separated by commas, after several rotations. Every "
                + "replica then takes the old sites' coverage from the new one.",
            valueName: "peer-id"))
    var replaces: String?

    func run() async throws {
        let peerID = try Self.peerID(peer)
        let old = try (replaces ?? "").split(separator: ",").map { part -> SiteID in
            let text = part.trimmingCharacters(in: .whitespaces)
            if let site = SiteID(text) { return site }
            return try Self.peerID(text).siteID
        }
        let register = try Self.openAuthority(global, doing: "binds replicas to parties")
        let binding = try register.write { store in
            try PartyBinding.bind(party: party, peer: peerID, replacing: old, store)
        }
        print(
            "bound \(binding.partyCode ?? binding.partyID) to peer \(binding.peerID) (site \(binding.siteID))"
                + (old.isEmpty ? "" : ", succeeding site \(old.map(\.description).joined(separator: ", "))"))
    }
}

extension PartyBindCommand {
    /// The peer id given on the command line, or a usage error.
    static func peerID(_ text: String) throws -> PeerID {
        do {
            return try PeerID(parsing: text)
        } catch {
            throw ValidationError("invalid peer id: \(error)")
        }
    }

    /// The register, when this replica is its authority: only the authority writes bindings.
    static func openAuthority(_ global: GlobalOptions, doing what: String) throws -> Register {
        let register = try global.openRegister()
        guard register.kind == .organization else {
            throw RegisterError(.forbidden, "only the organization \(what); this replica is a provider's")
        }
        guard register.replica.siteID == register.replica.registerID else {
            throw RegisterError(
                .forbidden,
                "only the register's authority (the organization's first replica, whose site id is the register id "
                    + "\(register.replica.registerID)) \(what); run this there")
        }
        return register
    }
}

/// `spi party unbind --peer PEERID`: the replica no longer speaks for any party.
struct PartyUnbindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unbind",
        abstract: "End a replica's binding to its party (the register's authority only).",
        discussion: """
            Adds a binding with no party for the peer: from then on its changes are refused everywhere, and it is \
            sent only public data. Changes it made before are still judged by the binding it had when it made \
            them, so they stay valid. To replace a lost key, bind the party to the replica's new peer id instead.

            Examples:
              spi party unbind --peer MBYOJGC-X37EYFV-XKWJW3W-LQLVQQJ-DS5VW7N-3RXKEPH-XACHPHD-IB6RKQF
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The replica's peer id, as its `spi whoami` prints it.", valueName: "peer-id"))
    var peer: String

    func run() async throws {
        let peerID = try PartyBindCommand.peerID(peer)
        let register = try PartyBindCommand.openAuthority(global, doing: "unbinds replicas")
        try register.write { store in try PartyBinding.unbind(peer: peerID, store) }
        print("unbound peer \(peerID) (site \(peerID.siteID)): it speaks for no party from now on")
    }
}
