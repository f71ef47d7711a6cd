import NIOCore
import NIOTLS

/// Completes ``ConnectionContext/tlsHandshake`` when the TLS handshake ends, successfully or not.
///
/// It sits right after the TLS handler and passes every event on.
final class TLSHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connection: ConnectionContext

    init(connection: ConnectionContext) {
        self.connection = connection
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            connection.recordTLSDone()
            connection.tlsHandshake.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.tlsHandshake.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.tlsHandshake.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A channel that closes without ever becoming active (a failed connect) never calls channelInactive.
        connection.tlsHandshake.fail(ChannelError.eof)
    }
}

@available(*, unavailable)
extension TLSHandshakeObserver: Sendable {}
