import Foundation
import SPIReplication

/// The handshake: `Hello`, then `HelloAck` (or `Busy`, or `Error`), with the checks of protocol/sync.md §5.
extension SyncSession {

    mutating func receiveWhileAwaitingHello(_ envelope: Spi_Sync_V1_Envelope) -> [Action] {
        switch envelope.kind {
        case .hello(let hello):
            let offered = Set(hello.protocolVersions)
            guard let chosen = configuration.supportedVersions.filter(offered.contains).max() else {
                return fail(
                    SyncError(
                        .unsupportedVersion,
                        "no protocol version in common: the initiator speaks \(hello.protocolVersions.sorted()), "
                            + "the responder \(configuration.supportedVersions.sorted())"))
            }
            let peer: Peer
            switch validatePeer(
                version: chosen, registerID: hello.registerID, siteID: hello.siteID,
                schemaVersion: hello.schemaVersion, name: hello.peerName, software: hello.software,
                receiveWindow: hello.receiveWindow)
            {
            case .success(let valid): peer = valid
            case .failure(let error): return fail(error)
            }
            var ack = Spi_Sync_V1_HelloAck()
            ack.protocolVersion = chosen
            ack.registerID = Data(configuration.registerID.bytes)
            ack.schemaVersion = configuration.schemaVersion
            ack.siteID = Data(configuration.siteID.bytes)
            ack.peerName = configuration.name
            ack.receiveWindow = configuration.receiveWindow
            ack.software = configuration.software
            state = .exchanging(makeExchange(peer))
            return [.send(Spi_Sync_V1_Envelope(.helloAck(ack))), .send(.knowledge(localKnowledge))]
        case .error(let error):
            return failReported(error)
        default:
            return fail(SyncError(.protocolViolation, "expected Hello, received \(envelope.kindName)"))
        }
    }

    mutating func receiveWhileAwaitingHelloAck(_ envelope: Spi_Sync_V1_Envelope) -> [Action] {
        switch envelope.kind {
        case .helloAck(let ack):
            guard configuration.supportedVersions.contains(ack.protocolVersion) else {
                return fail(
                    SyncError(
                        .unsupportedVersion,
                        "the responder chose protocol version \(ack.protocolVersion), which the initiator did not "
                            + "offer (\(configuration.supportedVersions.sorted()))"))
            }
            switch validatePeer(
                version: ack.protocolVersion, registerID: ack.registerID, siteID: ack.siteID,
                schemaVersion: ack.schemaVersion, name: ack.peerName, software: ack.software,
                receiveWindow: ack.receiveWindow)
            {
            case .success(let peer):
                state = .exchanging(makeExchange(peer))
                return [.send(.knowledge(localKnowledge))]
            case .failure(let error):
                return fail(error)
            }
        case .busy(let busy):
            let error = SyncError(
                .busy, busy.message.isEmpty ? "the peer is busy; try again later" : busy.message,
                isReportedByPeer: true, retryAfter: .milliseconds(Int64(busy.retryAfterMs)))
            state = .failed(error)
            return [.fail(error)]
        case .error(let error):
            return failReported(error)
        default:
            return fail(SyncError(.protocolViolation, "expected HelloAck, received \(envelope.kindName)"))
        }
    }

    func makeExchange(_ peer: Peer) -> Exchange {
        let window = min(UInt64(peer.receiveWindow), UInt64(configuration.maximumSendWindow))
        return Exchange(summary: SyncSummary(peer: peer), sendWindow: max(window, 1))
    }

    /// Checks the fields both `Hello` and `HelloAck` carry.
    func validatePeer(
        version: UInt32, registerID: Data, siteID: Data, schemaVersion: UInt32, name: String, software: String,
        receiveWindow: UInt32
    ) -> Result<Peer, SyncError> {
        guard let register = RegisterID(bytes: registerID) else {
            return .failure(SyncError(.malformedMessage, "register_id has \(registerID.count) bytes, not 16"))
        }
        guard let site = SiteID(bytes: siteID) else {
            return .failure(SyncError(.malformedMessage, "site_id has \(siteID.count) bytes, not 16"))
        }
        guard name.utf8.count <= SyncProtocol.maximumNameLength,
            software.utf8.count <= SyncProtocol.maximumNameLength
        else {
            return .failure(SyncError(.malformedMessage, "peer_name or software exceeds 256 bytes"))
        }
        guard receiveWindow <= SyncProtocol.maximumReceiveWindow else {
            return .failure(
                SyncError(.malformedMessage, "receive_window \(receiveWindow) exceeds the maximum of 64"))
        }
        let peerLabel = name.isEmpty ? "the peer" : "'\(name)'"
        let localLabel = configuration.name.isEmpty ? "this replica" : "'\(configuration.name)'"
        guard register == configuration.registerID else {
            return .failure(
                SyncError(
                    .registerMismatch,
                    "register mismatch: \(localLabel) is a replica of register \(configuration.registerID), "
                        + "\(peerLabel) of register \(register); replicas of different registers never sync"))
        }
        guard schemaVersion == configuration.schemaVersion else {
            let older = schemaVersion > configuration.schemaVersion ? localLabel : peerLabel
            return .failure(
                SyncError(
                    .schemaMismatch,
                    "schema mismatch: \(localLabel) has register schema version \(configuration.schemaVersion), "
                        + "\(peerLabel) has \(schemaVersion); upgrade spi for \(older)"))
        }
        guard site != configuration.siteID else {
            return .failure(
                SyncError(
                    .siteConflict,
                    "site conflict: \(localLabel) and \(peerLabel) have the same site id \(site); one replica file "
                        + "is a copy of the other (or this is a connection to itself)"))
        }
        return .success(
            Peer(
                protocolVersion: version, registerID: register, siteID: site, schemaVersion: schemaVersion,
                name: name, software: software,
                receiveWindow: receiveWindow == 0 ? SyncProtocol.defaultReceiveWindow : receiveWindow))
    }
}
