import Foundation
import NIOCore
import NIOPosix
@testable import SPITransport

/// A TCP proxy on loopback that forwards one connection to `upstream` and cuts it (closes both sides) once
/// `cutAfter` bytes, counted over both directions, have passed. It stands for a network that drops a session at an
/// arbitrary byte.
final class CuttingProxy: @unchecked Sendable {
    // `@unchecked Sendable`: `remaining` and `cut` are accessed only under `lock`.
    private let lock = NSLock()
    private var remaining: Int
    private var cut = false
    private let upstream: PeerAddress
    private var server: (any Channel)?

    init(upstream: PeerAddress, cutAfter: Int) {
        self.upstream = upstream
        self.remaining = cutAfter
    }

    /// Whether the connection was cut (the byte budget ran out).
    var didCut: Bool { lock.withLock { cut } }

    /// How many of `count` bytes may pass; marks the cut when the budget runs out.
    func allow(_ count: Int) -> Int {
        lock.withLock {
            let allowed = min(count, remaining)
            remaining -= allowed
            if allowed < count { cut = true }
            return allowed
        }
    }

    /// Starts listening; returns the proxy's address.
    func start() async throws -> PeerAddress {
        let upstream = upstream
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                let downstream = ProxyHalf(proxy: self)
                return child.pipeline.addHandler(downstream).flatMap {
                    ClientBootstrap(group: child.eventLoop)
                        .channelInitializer { up in
                            let half = ProxyHalf(proxy: self)
                            half.connect(to: child)
                            return up.pipeline.addHandler(half)
                        }
                        .connect(host: upstream.host, port: upstream.port)
                        .map { up in downstream.connect(to: up) }
                }.flatMapErrorThrowing { error in
                    child.close(promise: nil)
                    throw error
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        server = channel
        return PeerAddress(host: "127.0.0.1", port: channel.localAddress!.port!)
    }

    func stop() async {
        try? await server?.close()
    }
}

/// One side of a proxied connection: forwards what it reads to its partner, within the proxy's byte budget.
private final class ProxyHalf: ChannelInboundHandler, @unchecked Sendable {
    // `@unchecked Sendable`: both connections of a pair share one event loop, and every property is used on it.
    typealias InboundIn = ByteBuffer
    let proxy: CuttingProxy
    var partner: (any Channel)?
    var pending: [ByteBuffer] = []

    init(proxy: CuttingProxy) { self.proxy = proxy }

    /// Sets the other connection and forwards what arrived before it existed.
    func connect(to partner: any Channel) {
        self.partner = partner
        for buffer in pending { forward(buffer) }
        pending = []
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if partner == nil {
            pending.append(buffer)
        } else {
            forward(buffer)
        }
    }

    private func forward(_ data: ByteBuffer) {
        var buffer = data
        let allowed = proxy.allow(buffer.readableBytes)
        if allowed > 0, let slice = buffer.readSlice(length: allowed) {
            partner?.writeAndFlush(slice, promise: nil)
        }
        if buffer.readableBytes > 0 {
            // The budget ran out in this read: cut both connections, after the allowed bytes went out.
            let partner = partner
            partner?.writeAndFlush(ByteBuffer(), promise: nil)
            partner?.close(promise: nil)
            ownChannel?.close(promise: nil)
        }
    }

    var ownChannel: (any Channel)?

    func handlerAdded(context: ChannelHandlerContext) {
        ownChannel = context.channel
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
