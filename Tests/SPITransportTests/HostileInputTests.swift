import Foundation
import NIOCore
import SPIProtocol
import SPIReplication
@testable import SPITransport
import SPITestSupport
import Testing

/// A trusted but hostile (or broken) peer: each attack gets a protocol error and a closed connection, the replica is
/// unchanged, and the server keeps serving a well-behaved peer.
@Suite("Hostile input over loopback TLS", .serialized)
struct HostileInputTests {
    enum Attack: String, CaseIterable, Sendable {
        case oversizedPrefix, randomBytes, garbageFrame, emptyFrame, outOfOrder, batchBeforeKnowledge,
            truncatedFrame, invalidBatch
    }

    @Test("each attack gets an Error (or a close), the replica is unchanged, and the server still serves others")
    func attacks() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        try pair.insert(2, prefix: "org", into: pair.orgPath)
        let before = try pair.notes(in: pair.orgPath)
        try await withServer(pair.serverConfiguration()) { _, address in
            for attack in Attack.allCases {
                let client = try await RawClient.connect(to: address, identity: pair.provider)
                let expected: SyncError.Code?
                switch attack {
                case .oversizedPrefix:
                    try await client.send([0x7F, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 64))
                    expected = .frameTooLarge
                case .randomBytes:
                    var generator = SplitMix64(seed: 7)
                    // A plausible length, then bytes that do not decode as an envelope.
                    try await client.send(
                        [0, 0, 0, 32] + [0x0F] + (0..<31).map { _ in UInt8.random(in: 0...255, using: &generator) })
                    expected = .malformedMessage
                case .garbageFrame:
                    try await client.send([0, 0, 0, 3, 0x0A, 0x05, 0x01])
                    expected = .malformedMessage
                case .emptyFrame:
                    try await client.send([0, 0, 0, 0])
                    expected = .malformedMessage
                case .outOfOrder:
                    try await client.send(.knowledge(.init(Knowledge())))
                    expected = .protocolViolation
                case .batchBeforeKnowledge:
                    try await client.send(hello(from: pair))
                    try await client.send(.batch(.init(sequence: 1, changes: ChangeBatch(Spi_V1_ChangeBatch()))))
                    expected = .protocolViolation
                case .truncatedFrame:
                    let frame = try FrameEncoder.frame(hello(from: pair))
                    try await client.send(Array(frame.prefix(frame.count / 2)))
                    await client.close()
                    expected = nil
                case .invalidBatch:
                    try await client.send(hello(from: pair))
                    try await client.send(.knowledge(.init(Knowledge())))
                    var batch = Spi_V1_ChangeBatch()
                    var table = Spi_V1_TableColumns()
                    table.name = "no_such_table"
                    table.columns = ["body"]
                    batch.tables = [table]
                    var row = Spi_V1_RowChange()
                    row.text = "x"
                    row.cl = 1
                    row.hlc = 1
                    row.site = 1
                    row.rowVersion = true
                    batch.rows = [row]
                    batch.sites = [Data(SiteID().bytes)]
                    try await client.send(.batch(.init(sequence: 1, changes: ChangeBatch(batch))))
                    expected = .invalidBatch
                }
                let frames = try await client.framesUntilClosed()
                if let expected {
                    #expect(frames.last?.errorCode == expected, "\(attack): \(frames.map(\.kindName))")
                }
                #expect(try pair.notes(in: pair.orgPath) == before, "\(attack) changed the replica")
            }
            // Still serving.
            let report = try await pair.client().sync(with: address)
            #expect(report.changesReceived == 4) // two new rows, two changes each
        }
    }

    @Test("a connection that never speaks TLS is closed at the handshake timeout")
    func stalledHandshake() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        try await withServer(pair.serverConfiguration(handshakeTimeout: .milliseconds(300))) { _, address in
            let started = ContinuousClock.now
            let silent = try await RawClient.connect(to: address, identity: nil, tls: false)
            _ = try await silent.framesUntilClosed(timeout: .seconds(5))
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test("a peer that completes TLS but never sends Hello gets Error(TIMEOUT)")
    func silentAfterTLS() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        try await withServer(pair.serverConfiguration(handshakeTimeout: .milliseconds(400))) { _, address in
            let client = try await RawClient.connect(to: address, identity: pair.provider)
            let frames = try await client.framesUntilClosed(timeout: .seconds(5))
            #expect(frames.last?.errorCode == .timeout)
        }
    }

    @Test("a peer that goes idle mid-session gets Error(TIMEOUT)")
    func idle() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        try await withServer(pair.serverConfiguration(idleTimeout: .milliseconds(400))) { _, address in
            let client = try await RawClient.connect(to: address, identity: pair.provider)
            try await client.send(hello(from: pair))
            let frames = try await client.framesUntilClosed(timeout: .seconds(5))
            #expect(frames.map(\.kindName) == ["HelloAck", "Knowledge", "Error"])
            #expect(frames.last?.errorCode == .timeout)
        }
    }

    @Test("a Hello for another register gets Error(REGISTER_MISMATCH)")
    func wrongRegisterHello() async throws {
        let pair = try Pair()
        defer { pair.directory.remove() }
        try await withServer(pair.serverConfiguration()) { _, address in
            let client = try await RawClient.connect(to: address, identity: pair.provider)
            try await client.send(hello(from: pair, register: RegisterID()))
            let frames = try await client.framesUntilClosed()
            #expect(frames.map(\.kindName) == ["Error"])
            #expect(frames.last?.errorCode == .registerMismatch)
        }
    }
}
