import SPIReplication

/// The handshake: `Hello`, then `HelloAck` (or `Busy`, or `Error`), with the checks of protocol/sync.md §5.
extension SyncSession {

    mutating func receiveWhileAwaitingHello(_ message: SyncMessage) -> ReceiveAction {
        switch message {
        case .hello(let hello):
            let offered = Set(hello.protocolVersions)
            guard let chosen = configuration.supportedVersions.filter(offered.contains).max() else {
                return .fail(
                    failed(
                        SyncError(
                            .unsupportedVersion,
                            "no protocol version in common: the initiator speaks \(hello.protocolVersions.sorted()), "
                                + "the responder \(configuration.supportedVersions.sorted())")))
            }
            let peer: Peer
            switch validatePeer(
                version: chosen, registerID: hello.registerID, siteID: hello.siteID,
                schemaVersion: hello.schemaVersion, name: hello.peerName, software: hello.software,
                receiveWindow: hello.receiveWindow)
            {
            case .success(let valid): peer = valid
            case .failure(let error): return .fail(failed(error))
            }
            let ack = SyncMessage.HelloAck(
                protocolVersion: chosen, registerID: configuration.registerID.bytes,
                schemaVersion: configuration.schemaVersion, siteID: configuration.siteID.bytes,
                peerName: configuration.name, receiveWindow: configuration.receiveWindow,
                software: configuration.software)
            return .sendHelloAck(ack, then: beginExchange(peer))
        case .error(let error):
            return .fail(failReported(error))
        default:
            return .fail(failed(SyncError(.protocolViolation, "expected Hello, received \(message.kindName)")))
        }
    }

    mutating func receiveWhileAwaitingHelloAck(_ message: SyncMessage) -> ReceiveAction {
        switch message {
        case .helloAck(let ack):
            guard configuration.supportedVersions.contains(ack.protocolVersion) else {
                return .fail(
                    failed(
                        SyncError(
                            .unsupportedVersion,
                            "the responder chose protocol version \(ack.protocolVersion), which the initiator did not "
                                + "offer (\(configuration.supportedVersions.sorted()))")))
            }
            switch validatePeer(
                version: ack.protocolVersion, registerID: ack.registerID, siteID: ack.siteID,
                schemaVersion: ack.schemaVersion, name: ack.peerName, software: ack.software,
                receiveWindow: ack.receiveWindow)
            {
            case .success(let peer):
                return .beginExchange(beginExchange(peer))
            case .failure(let error):
                return .fail(failed(error))
            }
        case .busy(let busy):
            let error = SyncError(
                .busy, busy.message.isEmpty ? "the peer is busy; try again later" : busy.message,
                isReportedByPeer: true, retryAfter: busy.retryAfter)
            state = .failed(error)
            return .fail(Failure(error: error, report: nil))
        case .error(let error):
            return .fail(failReported(error))
        default:
            return .fail(failed(SyncError(.protocolViolation, "expected HelloAck, received \(message.kindName)")))
        }
    }

    /// Ends the handshake: this side's `Knowledge` goes out at once, or after the shell read it.
    mutating func beginExchange(_ peer: Peer) -> KnowledgeStep {
        let window = min(UInt64(peer.receiveWindow), UInt64(configuration.maximumSendWindow))
        var exchange = Exchange(summary: SyncSummary(peer: peer), sendWindow: max(window, 1))
        exchange.knowledgeSent = !readsKnowledgeAfterHandshake
        state = .exchanging(exchange)
        return readsKnowledgeAfterHandshake ? .read : .send(SyncMessage.KnowledgeMessage(localKnowledge))
    }

    /// Checks the fields both `Hello` and `HelloAck` carry.
    func validatePeer(
        version: UInt32, registerID: [UInt8], siteID: [UInt8], schemaVersion: UInt32, name: String, software: String,
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
