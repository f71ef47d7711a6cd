import ArgumentParser
import Foundation
import Logging
import SPIApp
import SPICommandSupport
import SPIProtocol
import SPIRegister
import SPITransport
import ServiceLifecycle

/// `spi app`: the local web app over the replica, optionally with the sync service in the same process.
struct AppCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app",
        abstract: "Serve the local web app for this replica until interrupted (SIGINT or SIGTERM).",
        discussion: """
            Serves pages over the replica given by --db: what is due, open findings and conflicts, the SPIs with \
            their RACI matrix to edit in place, conflicts to settle, parties and peers, and every report. The app \
            applies the same rules as `spi`: it offers only the edits this replica's party may make, and refuses \
            the others anyway. Pages update live when changes land, from a sync or from `spi` on the same file.

            It prints a URL with a session token: open it once, and the browser keeps the token in a cookie. Every \
            request without it is refused, and every write must carry the page's CSRF token. The app listens on \
            loopback unless told otherwise; on any other address it serves HTTPS with the replica's own \
            certificate (browsers ask you to accept it once).

            With --sync, the same process also serves sync sessions (as `spi serve` does) on --sync-listen, and \
            keeps each --peer in sync: one command runs a party's whole node.

            Examples:
              spi app --db fabrikam.db
              spi app --db fabrikam.db --listen 127.0.0.1:8081 --open
              spi app --db northwind.db --sync --sync-listen 127.0.0.1:7373
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp("Where the app listens (port 0: any free port).", valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Flag(name: .customLong("open"), help: "Open the app in the default browser (xdg-open or open).")
    var open = false

    @Flag(name: .customLong("sync"), help: "Also serve sync sessions to trusted peers, as `spi serve` does.")
    var sync = false

    @Option(
        name: .customLong("sync-listen"),
        help: ArgumentHelp("Where sync sessions are served, with --sync.", valueName: "host:port"))
    var syncListen: String = "127.0.0.1:\(SyncProtocol.defaultPort)"

    @Option(
        name: .customLong("peer"),
        help: ArgumentHelp("A peer to keep in sync, with --sync (repeatable).", valueName: "host:port"))
    var peers: [String] = []

    func validate() throws {
        if !sync && !peers.isEmpty { throw ValidationError("--peer needs --sync") }
    }

    func run() async throws {
        let register = try global.openRegister()
        let path = register.replica.path, name = register.name
        let logger = global.logger
        let address = try PeerAddress(parsing: listen, defaultPort: 8080, allowsAnyPort: true)
        let loopback = AppServer.isLoopback(address.host)
        let identity = try global.identity(for: register)
        let tls = loopback ? nil : try AppServer.tlsContext(identity: identity)
        // Built before the app takes the register over.
        let peerSync = sync ? try PeerSyncService.register(register, peers: peers, logger: logger) : nil
        let app = WebApp(register: register, peers: TrustedPeerDirectory(ownPeerID: identity.peerID), logger: logger)
        let server = AppServer(
            app: app, configuration: .init(host: address.host, port: address.port, tls: tls), logger: logger)
        var services: [any Service] = [server]
        if sync {
            let schema = UInt32(RegisterSchema.currentVersion)
            let syncAddress = try PeerAddress(
                parsing: syncListen, defaultPort: SyncProtocol.defaultPort, allowsAnyPort: true)
            services.append(
                try SyncServer(
                    configuration: .init(
                        replicaPath: path, schemaVersion: schema, listen: syncAddress, name: name,
                        accessControl: RegisterAccessControl()),
                    logger: logger))
            if let peerSync { services.append(peerSync) }
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)
        let open = open
        Task {
            guard let bound = try? await server.listeningAddress, let port = bound.port else { return }
            let host = address.host.contains(":") ? "[\(address.host)]" : address.host
            let url = "\(loopback ? "http" : "https")://\(host):\(port)/?token=\(app.token)"
            StandardStreams.writeOutput("spi: the app for \(name) is at \(url)\n")
            if !loopback {
                StandardStreams.writeOutput(
                    "spi: HTTPS with the replica's own certificate; your browser asks you to accept it once\n")
            }
            // The address carries the session token, the only way in: when it cannot be printed, nobody can use
            // the app, so it stops (and `spi` exits non-zero, saying the output could not be written).
            guard StandardStreams.flushStandardOutput(), !StandardStreams.failed else {
                await group.triggerGracefulShutdown()
                return
            }
            if open { Self.openBrowser(url) }
        }
        try await group.run()
    }

    /// Opens `url` with the desktop's opener, when there is one.
    static func openBrowser(_ url: String) {
        let opener = ["/usr/bin/xdg-open", "/usr/bin/open"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let opener else {
            StandardStreams.writeError("spi: no browser opener found (xdg-open or open); open the URL above yourself\n")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [url]
        try? process.run()
    }
}
