import ArgumentParser
import Foundation
import SPICommandSupport
import SPIProtocol
import SPIRegister
import SPITransport

/// `spi sync HOST:PORT`: one bidirectional session with a peer.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync once with a peer over TCP and TLS 1.3: both directions in one session.",
        discussion: """
            Sends the peer what it lacks and receives what this replica lacks; each batch is committed with its \
            bookkeeping, so an interrupted sync loses nothing and the next one continues where it stopped. The \
            peer must be trusted here (`spi peer add`) and must trust this replica.

            Each side sends only the rows the other's party may see, and judges every change it receives by the \
            party of the replica that made it (see `spi scope` and docs/permissions.md). Refused changes are not \
            applied, are logged on the receiving side, and are listed in the report; the rest still applies.

            Exit status: 0 synced; 1 failed (protocol or local error); 2 the peer could not be reached or timed \
            out; 3 not trusted (either side); 4 the peer is busy (try again later); 5 the peer belongs to another \
            register or schema version; 64 invalid input.

            Examples:
              spi sync hub.northwind.example:7373
              spi sync northwind           # a trusted peer's name: its stored address
              spi sync                     # the only trusted peer with an address
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The peer's address (default port 7373), or the name of a trusted peer with an address; when left out, the "
                + "only trusted peer with an address.", valueName: "host:port"))
    var peer: String?

    @Flag(name: .customLong("json"), help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let address = try Self.address(of: peer, peers: TrustedPeerStore(replica: register.replica))
        let path = register.replica.path
        let client = SyncClient(
            configuration: .init(
                replicaPath: path, schemaVersion: UInt32(RegisterSchema.currentVersion), name: register.name,
                accessControl: RegisterAccessControl()),
            logger: global.logger)
        let progress = ProgressLine(enabled: !json)
        do {
            let report = try await client.sync(with: address) { p in
                progress.update(
                    "sent \(Output.count(p.changesSent, "change")) (\(Output.bytes(p.bytesSent))), received "
                        + "\(p.changesReceived) (\(Output.bytes(p.bytesReceived))), "
                        + progress.rate(p.changesSent + p.changesReceived, "changes"))
            }
            progress.finish()
            if json {
                let data = try JSONEncoder.sorted.encode(report)
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(
                    "synced with \(report.peerDisplayName) at \(report.address) in \(String(format: "%.2f", report.seconds)) s"
                )
                print(
                    "sent:     \(Output.count(report.changesSent, "change")) in \(Output.count(report.batchesSent, "batch", "batches")), \(Output.count(report.bytesSent, "byte"))"
                )
                print(
                    "received: \(Output.count(report.changesReceived, "change")) in \(Output.count(report.batchesReceived, "batch", "batches")), \(Output.count(report.bytesReceived, "byte"))"
                )
                print(
                    "applied:  \(report.changesApplied) applied, \(report.changesAlreadyKnown) already known, \(report.changesLost) lost to newer values"
                )
                if report.changesRefused > 0 {
                    print(
                        "refused here: \(Output.count(report.changesRefused, "change")) the peer's party may not make")
                    for r in report.refusals {
                        print("  " + Output.refusal(r.table, r.id, columns: r.columns, reason: r.reason))
                    }
                }
                if report.changesRefusedByPeer > 0 {
                    print(
                        "refused by the peer: \(Output.count(report.changesRefusedByPeer, "change")) this replica's party may not make"
                    )
                    for r in report.refusalsByPeer {
                        print("  " + Output.refusal(r.table, r.id, columns: r.columns, reason: r.reason))
                    }
                }
                for line in Output.sharedKeyWarnings(report.sharedKeySites, own: register.replica.siteID.description) {
                    StandardStreams.writeError(line + "\n")
                }
            }
        } catch let error as SyncError {
            progress.finish()
            SPIMain.printError(error.description)
            throw ExitCode(Self.exitStatus(for: error))
        }
    }

    /// Where to sync: the trusted peer named `text` (with its stored address), the address `text`, or with no text
    /// the only trusted peer that has an address.
    ///
    /// - Throws: a `ValidationError` when no text is given and not exactly one trusted peer has an address.
    static func address(of text: String?, peers: TrustedPeerStore) throws -> PeerAddress {
        guard let text else {
            let reachable = try peers.list().filter { $0.address != nil }
            guard reachable.count == 1, let only = reachable.first?.address else {
                throw ValidationError(
                    reachable.isEmpty
                        ? "give the peer's HOST:PORT: no trusted peer has an address (store one with `spi peer add "
                            + "--name NAME --id PEERID --address HOST:PORT`)"
                        : "give the peer's name or HOST:PORT: \(reachable.count) trusted peers have addresses ("
                            + reachable.map(\.name).joined(separator: ", ") + ")")
            }
            return only
        }
        if let named = try peers.peer(named: text), let known = named.address { return known }
        return try PeerAddress(parsing: text, defaultPort: SyncProtocol.defaultPort)
    }

    static func exitStatus(for error: SyncError) -> Int32 {
        switch error.code {
        case .connectionFailed, .timeout, .connectionClosed: 2
        case .untrustedPeer, .notTrustedByPeer, .tlsFailure: 3
        case .busy: 4
        case .registerMismatch, .schemaMismatch, .unsupportedVersion: 5
        default: 1
        }
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, for stable machine-readable output.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
