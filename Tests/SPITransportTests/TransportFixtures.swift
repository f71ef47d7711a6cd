import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SPIProtocol
import SPIReplication
import SPISQLite
@testable import SPITransport
import Testing

/// A logger that drops everything (test output stays readable; ``LogRecorder`` checks what matters).
let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "spi-transport-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Log records kept in memory, so that tests can check what a server logged.
final class LogRecorder: @unchecked Sendable {
    // `@unchecked Sendable`: `records` is accessed only under `lock`.
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lock = NSLock()
    private var records: [Record] = []

    var all: [Record] { lock.withLock { records } }

    func append(_ record: Record) { lock.withLock { records.append(record) } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    /// Waits (a little) until a record satisfies `predicate`.
    func waitFor(_ predicate: (Record) -> Bool) async throws -> Record? {
        for _ in 0..<100 {
            if let record = all.first(where: predicate) { return record }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            for (key, value) in event.metadata ?? [:] { all[key] = value }
            recorder.append(
                Record(
                    level: event.level, message: event.message.description,
                    metadata: all.mapValues { "\($0)" }))
        }
    }
}

/// Two replicas of one register, each with a `note` table, an identity, and each other as trusted peers.
struct Pair {
    let directory: TemporaryDirectory
    let orgPath: String
    let providerPath: String
    let org: PeerIdentity
    let provider: PeerIdentity
    let register: RegisterID
    let logger = quietLogger

    init(trustEachOther: Bool = true) throws {
        directory = try TemporaryDirectory()
        register = RegisterID()
        orgPath = directory.file("org.db")
        providerPath = directory.file("provider.db")
        try Self.makeReplica(at: orgPath, register: register)
        try Self.makeReplica(at: providerPath, register: register)
        org = try PeerIdentity.loadOrCreate(forReplicaAt: orgPath, logger: logger)
        provider = try PeerIdentity.loadOrCreate(forReplicaAt: providerPath, logger: logger)
        if trustEachOther {
            try trust(provider.peerID, as: "provider", in: orgPath)
            try trust(org.peerID, as: "org", in: providerPath)
        }
    }

    @discardableResult
    static func makeReplica(at path: String, register: RegisterID) throws -> Replica {
        // The site is derived from the key, as `spi init` does: a server or client loads the key and checks that.
        let identity = try PeerIdentity.loadOrCreate(forReplicaAt: path, logger: quietLogger)
        let replica = try Replica.create(
            at: path, registerID: register, signer: try identity.changeSetSigner(), logger: quietLogger)
        try replica.write { db in
            try db.execute("CREATE TABLE note(id TEXT PRIMARY KEY NOT NULL, body TEXT) STRICT")
        }
        try replica.track(tables: ["note"])
        return replica
    }

    func trust(_ id: PeerID, as name: String, in path: String) throws {
        let replica = try Replica(path: path, logger: logger)
        try TrustedPeerStore(replica: replica).add(name: name, peerID: id)
    }

    /// Inserts `count` notes with ids `<prefix>-<n>` into the replica at `path`, in `transactions` transactions
    /// (each one clock reading; a batch never splits a reading unless it is very large).
    func insert(_ count: Int, prefix: String, into path: String, transactions: Int = 1) throws {
        let replica = try Replica(path: path, logger: logger)
        let perTransaction = (count + transactions - 1) / transactions
        for start in stride(from: 0, to: count, by: perTransaction) {
            try replica.write { db in
                for index in start..<min(count, start + perTransaction) {
                    try db.execute(
                        "INSERT INTO note(id, body) VALUES (?, ?)",
                        [.text("\(prefix)-\(index)"), .text("body \(index)")])
                }
            }
        }
    }

    /// Every note of the replica at `path`, by id.
    func notes(in path: String) throws -> [String: String] {
        let replica = try Replica(path: path, logger: logger)
        let rows = try replica.read { db in try db.rows("SELECT id, body FROM note") }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0].textValue!, $0[1].textValue ?? "") })
    }

    func serverConfiguration(
        maximumSessions: Int = 8, handshakeTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(30)
    ) -> SyncServer.Configuration {
        SyncServer.Configuration(
            replicaPath: orgPath, schemaVersion: 1, listen: PeerAddress(host: "127.0.0.1", port: 0), name: "org",
            maximumSessions: maximumSessions, handshakeTimeout: handshakeTimeout, idleTimeout: idleTimeout,
            shutdownGracePeriod: .milliseconds(200))
    }

    func client(path: String? = nil, handshakeTimeout: Duration = .seconds(30)) -> SyncClient {
        SyncClient(
            configuration: .init(
                replicaPath: path ?? providerPath, schemaVersion: 1, name: "provider",
                handshakeTimeout: handshakeTimeout),
            logger: logger)
    }
}

/// Runs a server for the duration of `body`, then cancels it.
func withServer<T>(
    _ configuration: SyncServer.Configuration, logger: Logger = quietLogger,
    _ body: (SyncServer, PeerAddress) async throws -> T
) async throws -> T {
    let server = try SyncServer(configuration: configuration, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let address = try await server.listeningAddress
        do {
            let result = try await body(server, address)
            group.cancelAll()
            try? await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Collects every byte a connection receives, and completes when it closes.
final class ByteCollector: ChannelInboundHandler, @unchecked Sendable {
    // `@unchecked Sendable`: `bytes` is touched only on the channel's event loop; the promise is Sendable.
    typealias InboundIn = ByteBuffer
    private var bytes: [UInt8] = []
    let closed: EventLoopPromise<[UInt8]>

    init(eventLoop: any EventLoop) { closed = eventLoop.makePromise() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed.succeed(bytes)
    }

    /// The bytes received so far; read it on the channel's event loop.
    var received: [UInt8] { bytes }
}

/// A hand-driven TLS client that can send anything, for hostile-input tests.
struct RawClient {
    let channel: any Channel
    let collector: ByteCollector

    /// Connects to `address` with `identity` (trusting any server); `tls: false` speaks plain TCP.
    static func connect(to address: PeerAddress, identity: PeerIdentity?, tls: Bool = true) async throws -> RawClient {
        let context = try identity.map { try SyncTLS.clientContext(identity: $0) }
        let (channel, collector) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls, let context {
                        let handler = try NIOSSLClientHandler(
                            context: context, serverHostname: nil,
                            customVerificationCallback: { _, promise in promise.succeed(.certificateVerified) })
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    let collector = ByteCollector(eventLoop: channel.eventLoop)
                    try channel.pipeline.syncOperations.addHandler(collector)
                    return (channel, collector)
                }
            }
        return RawClient(channel: channel, collector: collector)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func send(_ message: SyncMessage) async throws {
        try await send(FrameEncoder.frame(message))
    }

    /// Waits for the server to close the connection (at most `timeout`), then decodes the frames it sent.
    func framesUntilClosed(timeout: Duration = .seconds(20)) async throws -> [SyncMessage] {
        let channel = channel
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { channel.close(promise: nil) }
        let bytes = try await collector.closed.futureResult.get()
        timer.cancel()
        var buffer = ByteBuffer(bytes: bytes)
        var frames: [SyncMessage] = []
        while let frame = try? FrameDecoder().decodeFrame(from: &buffer) { frames.append(frame) }
        return frames
    }

    func close() async {
        try? await channel.close()
    }

    /// The whole frames received so far.
    func framesSoFar() async throws -> [SyncMessage] {
        let collector = collector
        let bytes = try await channel.eventLoop.submit { collector.received }.get()
        var buffer = ByteBuffer(bytes: bytes)
        var frames: [SyncMessage] = []
        while let frame = try? FrameDecoder().decodeFrame(from: &buffer) { frames.append(frame) }
        return frames
    }

    /// Waits (at most `timeout`) until `count` whole frames arrived; returns those received by then.
    func frames(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [SyncMessage] {
        let deadline = ContinuousClock.now + timeout
        var frames = try await framesSoFar()
        while frames.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            frames = try await framesSoFar()
        }
        return frames
    }
}

/// A `Hello` from the provider of `pair`.
func hello(from pair: Pair, register: RegisterID? = nil) throws -> SyncMessage {
    let replica = try Replica(path: pair.providerPath, logger: pair.logger)
    return .hello(
        SyncMessage.Hello(
            protocolVersions: [1], registerID: (register ?? replica.registerID).bytes, schemaVersion: 1,
            siteID: replica.siteID.bytes, peerName: "raw", receiveWindow: 0, software: ""))
}

extension SyncMessage {
    /// The `Error` message's code, if this is one.
    var errorCode: SyncError.Code? {
        if case .error(let report) = self { report.code } else { nil }
    }
}
