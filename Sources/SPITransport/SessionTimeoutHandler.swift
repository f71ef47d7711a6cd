import NIOCore
import SPIProtocol

/// Enforces the handshake and idle timeouts of protocol/sync.md on one connection.
///
/// - Handshake: the TLS handshake and the peer's first message (`Hello` or `HelloAck`) must arrive within
///   `handshakeTimeout` of the connection's start, so a peer that connects and stalls holds nothing for long.
/// - Idle: after that, a message must arrive at least every `idleTimeout`. Time the session spends waiting for a
///   turn the server's sessions share (``ConnectionContext/waitingForTurn(_:)``) does not count: the clock stops
///   during the wait and starts again from its end.
///
/// When a timeout fires, the handler records it in the ``ConnectionContext`` and raises a
/// `SyncError.Code.timeout` error through the pipeline (the session then sends `Error` and closes). If the
/// connection is still open a second later (a peer that stopped reading can block the `Error`), or if TLS was not
/// even done, it closes the connection itself.
final class SessionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = SyncMessage
    typealias InboundOut = SyncMessage
    typealias OutboundIn = SyncMessage
    typealias OutboundOut = SyncMessage

    private let handshakeTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let connection: ConnectionContext
    private var firstMessageReceived = false
    private var lastRead = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var fired = false

    init(handshakeTimeout: TimeAmount, idleTimeout: TimeAmount, connection: ConnectionContext) {
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard timer == nil, !fired else { return }
        lastRead = .now()
        schedule(context: context, at: lastRead + handshakeTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        if !firstMessageReceived {
            firstMessageReceived = true
            connection.recordMessage()
            timer?.cancel()
            schedule(context: context, at: lastRead + idleTimeout)
        }
        context.fireChannelRead(data)
    }

    private func schedule(context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.check(context: context)
        }
    }

    /// Since when the peer has been silent without the server keeping it waiting: its last message, or the end of
    /// the session's last wait for a turn, whichever is later.
    private var quietSince: NIODeadline {
        guard let ended = connection.turnWaitEnded, ended > lastRead else { return lastRead }
        return ended
    }

    private func check(context: ChannelHandlerContext) {
        guard !fired, context.channel.isActive else { return }
        let now = NIODeadline.now()
        let error: SyncError
        if !firstMessageReceived {
            error = SyncError(
                .timeout,
                "the handshake did not complete within \(Self.seconds(handshakeTimeout)) seconds")
        } else if connection.isWaitingForTurn {
            // The server keeps the peer waiting, not the other way round.
            schedule(context: context, at: now + idleTimeout)
            return
        } else if now - quietSince >= idleTimeout {
            error = SyncError(.timeout, "no message for \(Self.seconds(idleTimeout)) seconds: the peer is stalled")
        } else {
            schedule(context: context, at: quietSince + idleTimeout)
            return
        }
        fired = true
        connection.recordTimeout(error)
        if !connection.isTLSDone {
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        let value = Double(amount.nanoseconds) / 1e9
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}

@available(*, unavailable)
extension SessionTimeoutHandler: Sendable {}
