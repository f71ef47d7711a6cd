import ArgumentParser
import Foundation
import Logging
import SPICommandSupport
import SPIProtocol
import SPIRegister
import SPITransport
import ServiceLifecycle

/// `spi serve`: accept sync sessions from trusted peers, and keep chosen peers in sync.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve sync sessions to trusted peers until interrupted (SIGINT or SIGTERM).",
        discussion: """
            Listens on loopback (127.0.0.1:7373) unless told otherwise: binding to another address is an explicit \
            choice (`--listen 0.0.0.0:7373`). Serves trusted peers concurrently, up to a limit, answering others \
            with "busy"; at most --max-open-stores of them hold the register open at once, the others wait their \
            turn, which bounds the memory a busy hub needs. With --peer, also keeps those peers in sync: pushes soon after a local change, pulls \
            periodically, and retries with backoff while a peer is away. Connections that stay silent or stall their \
            TLS handshake are closed to make room for new ones (--max-handshakes, --max-handshakes-per-address, \
            --handshake-timeout), so they cannot lock trusted peers out; refusals are logged with counts, at most \
            every 10 seconds. Logs one line per session, refusal and error \
            to stderr (the log level is info by default here; SPI_LOG_LEVEL=warning for less, debug for more). \
            Shuts down gracefully on SIGINT or SIGTERM.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("listen"), help: ArgumentHelp("Where to listen.", valueName: "host:port"))
    var listen: String = "127.0.0.1:7373"

    @Option(
        name: .customLong("peer"), help: ArgumentHelp("A peer to keep in sync (repeatable).", valueName: "host:port"))
    var peers: [String] = []

    @Option(
        name: .customLong("max-sessions"),
        help: ArgumentHelp("Sessions served at once; more get \"busy\".", valueName: "count"))
    var maximumSessions: Int = 32

    @Option(
        name: .customLong("max-open-stores"),
        help: ArgumentHelp(
            "Sessions that hold the register open at once (a database connection of about 2.5 MiB each); the others "
                + "wait their turn after the handshake. At most --max-sessions.",
            valueName: "count"))
    var maximumOpenStores: Int = SyncServer.Configuration.defaultMaximumOpenStores

    @Option(
        name: .customLong("max-handshakes"),
        help: ArgumentHelp(
            "TLS handshakes in progress at once; beyond it the oldest silent or stalled one is closed to make room.",
            valueName: "count"))
    var maximumHandshakes: Int = 64

    @Option(
        name: .customLong("max-handshakes-per-address"),
        help: ArgumentHelp(
            "TLS handshakes in progress at once from one source address, handled the same way.", valueName: "count"))
    var maximumHandshakesPerAddress: Int = 16

    @Option(
        name: .customLong("handshake-timeout"),
        help: ArgumentHelp("Seconds a connection has to complete TLS and say hello.", valueName: "seconds"))
    var handshakeTimeout: Int = 10

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("Seconds a session may stay silent before it is closed.", valueName: "seconds"))
    var idleTimeout: Int = 60

    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp(
            "How the log is written to stderr: text (a line per event, for people) or json (a JSON object per line, "
                + "for log collectors; SPI_LOG_FORMAT=json does the same for any command).",
            valueName: "format"))
    var logFormat: LogFormat = .text

    func validate() throws {
        guard maximumSessions > 0 else { throw ValidationError("--max-sessions must be at least 1") }
        guard maximumOpenStores > 0 else { throw ValidationError("--max-open-stores must be at least 1") }
        guard maximumHandshakes > 0 else { throw ValidationError("--max-handshakes must be at least 1") }
        guard maximumHandshakesPerAddress > 0 else {
            throw ValidationError("--max-handshakes-per-address must be at least 1")
        }
        guard (1...3600).contains(handshakeTimeout) else {
            throw ValidationError("--handshake-timeout must be 1 to 3600 seconds")
        }
        guard (1...86_400).contains(idleTimeout) else {
            throw ValidationError("--idle-timeout must be 1 to 86400 seconds")
        }
    }

    func run() async throws {
        let register = try global.openRegister()
        let path = register.replica.path
        let schema = UInt32(RegisterSchema.currentVersion)
        var logger = global.logger
        logger[metadataKey: "sync.replica"] = "\(path)"
        let listenAddress = try PeerAddress(parsing: listen, defaultPort: SyncProtocol.defaultPort, allowsAnyPort: true)
        let server = try SyncServer(
            configuration: .init(
                replicaPath: path, schemaVersion: schema, listen: listenAddress, name: register.name,
                maximumSessions: maximumSessions, maximumHandshakes: maximumHandshakes,
                maximumHandshakesPerAddress: maximumHandshakesPerAddress,
                handshakeTimeout: .seconds(handshakeTimeout), idleTimeout: .seconds(idleTimeout),
                accessControl: RegisterAccessControl(), maximumOpenStores: maximumOpenStores),
            logger: logger)
        var services: [any Service] = [server]
        if let peerSync = try PeerSyncService.register(register, peers: peers, logger: logger) {
            services.append(peerSync)
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)
        Task {
            if let bound = try? await server.listeningAddress {
                if logFormat == .json {
                    logger.notice(
                        "serving",
                        metadata: [
                            "sync.listen": "\(bound)", "sync.peer.id": "\(server.peerID)",
                            "register.name": "\(register.name)",
                        ])
                } else {
                    StandardStreams.writeError("spi: serving \(register.name) on \(bound) as \(server.peerID)\n")
                }
            }
        }
        try await group.run()
    }
}

/// How `spi serve` writes its log (`--log-format`).
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// One line per event, for people (swift-log's stream handler).
    case text
    /// One JSON object per line, for log collectors (``JSONLogHandler``).
    case json
}
