public import Logging
public import NIOCore
import NIOConcurrencyHelpers
import NIOHTTP1
import NIOPosix
public import NIOSSL
public import SPIIdentity
public import ServiceLifecycle

/// The NIO shell of the web app: it listens, reads HTTP/1.1 requests, hands each to ``WebApp/respond(to:)``, writes
/// the response, and streams live updates (`/events`, server-sent events) from ``AppEvents``. It holds no page
/// logic. A `Service`, so that `spi app --sync` runs it beside the sync server in one service group.
public final class AppServer: Service, Sendable {
    /// Where to listen, and whether with TLS.
    public struct Configuration: Sendable {
        /// The address to bind (`127.0.0.1` by default).
        public var host: String
        /// The port (0: any free port; see ``AppServer/listeningAddress``).
        public var port: Int
        /// TLS, required for any address other than loopback (``AppServer/tlsContext(identity:)``).
        public var tls: NIOSSLContext?

        /// A configuration.
        public init(host: String = "127.0.0.1", port: Int = 8080, tls: NIOSSLContext? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }
    }

    let app: WebApp
    let configuration: Configuration
    let logger: Logger
    private let bound = BoundAddress()

    /// A server for `app`; it listens once ``run()`` starts.
    public init(app: WebApp, configuration: Configuration, logger: Logger) {
        self.app = app
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether `host` is a loopback address, where the app may serve without TLS.
    public static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host.lowercased()) || host.hasPrefix("127.")
    }

    /// A TLS context that presents the replica's own certificate (the one its peer id derives from); browsers ask
    /// the user to accept it once, and can show its fingerprint.
    public static func tlsContext(identity: PeerIdentity) throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [
                .certificate(try NIOSSLCertificate(bytes: Array(identity.certificatePEM.utf8), format: .pem))
            ],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }

    /// The address the server listens on, once it does.
    public var listeningAddress: SocketAddress {
        get async throws { try await bound.value }
    }

    /// Listens until a graceful shutdown; looks for changes to stream about twice a second meanwhile.
    public func run() async throws {
        let app = app, logger = logger, tls = configuration.tls
        // Whoever waits for the address learns that there is none if the server stops before it listens.
        defer { bound.resolve(.failure(CancellationError())) }
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(AppHTTPHandler(app: app, logger: logger))
                    }
                }
                .bind(host: configuration.host, port: configuration.port).get()
        } catch {
            bound.resolve(.failure(error))
            throw error
        }
        guard let address = channel.localAddress, let port = address.port else {
            bound.resolve(.failure(ChannelError.unknownLocalAddress))
            throw ChannelError.unknownLocalAddress
        }
        let hosts =
            Self.isLoopback(configuration.host)
            ? ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
            : [configuration.host.contains(":") ? "[\(configuration.host)]:\(port)" : "\(configuration.host):\(port)"]
        app.allow(hosts: hosts + (port == 80 || port == 443 ? hosts.map { String($0.dropLast(":\(port)".count)) } : []))
        bound.resolve(.success(address))
        logger.info("app listening", metadata: ["app.address": "\(address)"])
        let events = app.events
        let watcher = Task {
            var ticks = 0
            while !Task.isCancelled {
                await events.poll()
                ticks += 1
                if ticks % 40 == 0 { events.heartbeat() }
                try? await Task.sleep(for: .milliseconds(400))
            }
        }
        defer { watcher.cancel() }
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

/// The address the server listens on, once it is bound (the first result counts; later ones are ignored).
final class BoundAddress: Sendable {
    private struct State {
        var result: Result<SocketAddress, any Error>?
        var waiters: [CheckedContinuation<SocketAddress, any Error>] = []
    }

    private let state = NIOLockedValueBox(State())

    func resolve(_ result: Result<SocketAddress, any Error>) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<SocketAddress, any Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    var value: SocketAddress {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let known = state.withLockedValue { state -> Result<SocketAddress, any Error>? in
                    if let result = state.result { return result }
                    state.waiters.append(continuation)
                    return nil
                }
                if let known { continuation.resume(with: known) }
            }
        }
    }
}

/// Reads one request at a time (NIO's pipelining handler queues the next), answers it through the app off the event
/// loop, and keeps `/events` connections open for the live-update stream.
final class AppHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest request body the app reads (forms are small).
    static let maximumBody = 1 << 20

    private let app: WebApp
    private let logger: Logger
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var subscription: UInt64?

    init(app: WebApp, logger: Logger) {
        self.app = app
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > Self.maximumBody {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if tooLarge {
                write(
                    .text("the request body is larger than \(Self.maximumBody) bytes", status: 413),
                    version: head.version,
                    keepAlive: false, context: context)
                return
            }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let request = AppRequest(method: head.method.rawValue, target: head.uri, headers: headers, body: body)
            body = []
            if request.method == "GET" && request.path == "/events" {
                startEvents(request, version: head.version, context: context)
                return
            }
            let keepAlive = head.isKeepAlive, version = head.version, app = app
            let promise = context.eventLoop.makePromise(of: AppResponse.self)
            promise.completeWithTask { await app.respond(to: request) }
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { response in
                bound.value.handler.write(
                    response, version: version, keepAlive: keepAlive, context: bound.value.context)
            }
        }
    }

    /// Writes a whole response; closes the connection after it unless it is kept alive.
    private func write(_ response: AppResponse, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        headers.add(name: "Content-Length", value: "\(response.body.count)")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                promise: nil)
        }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Opens the event stream: after the same checks as any page, the connection stays open and gets a frame per
    /// change message (``AppEvents``).
    private func startEvents(_ request: AppRequest, version: HTTPVersion, context: ChannelHandlerContext) {
        if let refusal = app.streamRefusal(request) {
            write(refusal, version: version, keepAlive: false, context: context)
            return
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream; charset=utf-8")
        headers.add(name: "Cache-Control", value: "no-store")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
        context.writeAndFlush(
            wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: ": connected\n\n")))),
            promise: nil)
        let channel = context.channel
        subscription = app.events.subscribe { frame in
            channel.eventLoop.execute {
                let part = HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(string: frame)))
                channel.writeAndFlush(part, promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let subscription { app.events.unsubscribe(subscription) }
        subscription = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("app connection error", metadata: ["app.error": "\(error)"])
        context.close(promise: nil)
    }
}
