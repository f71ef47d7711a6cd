import Foundation
import SPIProtocol
import SPIReplication

/// Fixed ids and messages shared by the protocol tests and the test vectors in protocol/vectors/.
enum Fixtures {
    static let register = RegisterID("00112233-4455-6677-8899-aabbccddeeff")!
    static let otherRegister = RegisterID("ffeeddcc-bbaa-9988-7766-554433221100")!
    static let initiatorSite = SiteID("11111111-1111-4111-8111-111111111111")!
    static let responderSite = SiteID("22222222-2222-4222-8222-222222222222")!
    /// 2023-11-14T22:13:20Z in milliseconds, shifted left 16 bits, logical counter 3.
    static let clock: UInt64 = 1_700_000_000_000 << 16 | 3
    static let noteID = UUID(uuidString: "0190f5a4-1c2b-7def-8123-456789abcdef")!

    static func configuration(
        _ site: SiteID, name: String, register: RegisterID = register, schema: UInt32 = 1,
        versions: [UInt32] = [1], window: UInt32 = 4
    ) -> SyncSession.Configuration {
        SyncSession.Configuration(
            registerID: register, siteID: site, schemaVersion: schema, name: name, software: "spi 0.1.0",
            supportedVersions: versions, receiveWindow: window)
    }

    static var initiator: SyncSession.Configuration { configuration(initiatorSite, name: "provider-a") }
    static var responder: SyncSession.Configuration { configuration(responderSite, name: "org") }

    static var helloPayload: SyncMessage.Hello {
        SyncMessage.Hello(
            protocolVersions: [1], registerID: register.bytes, schemaVersion: 1, siteID: initiatorSite.bytes,
            peerName: "provider-a", receiveWindow: 4, software: "spi 0.1.0")
    }

    static var hello: SyncMessage { .hello(helloPayload) }

    static var helloAckPayload: SyncMessage.HelloAck {
        SyncMessage.HelloAck(
            protocolVersion: 1, registerID: register.bytes, schemaVersion: 1, siteID: responderSite.bytes,
            peerName: "org", receiveWindow: 4, software: "spi 0.1.0")
    }

    static var helloAck: SyncMessage { .helloAck(helloAckPayload) }

    static var knowledge: Knowledge { Knowledge([initiatorSite: clock]) }

    /// A batch with one new row of table `note(id, body)`: body = "hello".
    static func changeBatch(body: String = "hello", site: SiteID = initiatorSite) -> ChangeBatch {
        var batch = Spi_V1_ChangeBatch()
        batch.sites = [Data(site.bytes)]
        var table = Spi_V1_TableColumns()
        table.name = "note"
        table.columns = ["body"]
        batch.tables = [table]
        var row = Spi_V1_RowChange()
        row.table = 0
        row.uuid = withUnsafeBytes(of: noteID.uuid) { Data($0) }
        row.cl = 1
        row.hlc = clock
        row.site = 1
        row.rowVersion = true
        var cell = Spi_V1_CellChange()
        cell.column = 0
        cell.text = body
        row.cells = [cell]
        batch.rows = [row]
        var cover = Spi_V1_Coverage()
        cover.site = Data(site.bytes)
        cover.hlc = clock
        batch.covers = [cover]
        return ChangeBatch(batch)
    }

    static var report: ApplyReport {
        var report = ApplyReport()
        report.applied = 2
        report.rows = 1
        report.batches = 1
        return report
    }

    /// Every message of the protocol, as in protocol/vectors/ (file name → message).
    static var vectors: [(String, SyncMessage)] {
        [
            ("hello", hello),
            ("hello_ack", helloAck),
            ("knowledge", .knowledge(.init(knowledge))),
            ("batch", .batch(.init(sequence: 1, changes: changeBatch()))),
            ("batch_ack", .batchAck(.init(sequence: 1, report: report))),
            ("done", .done(.init(batches: 1))),
            ("error", .error(.init(code: .registerMismatch, message: "register mismatch"))),
            ("busy", .busy(.init(retryAfter: .milliseconds(5000), message: "busy"))),
        ]
    }
}

extension SyncMessage {
    /// The `Error` message's code, if this is one.
    var errorCode: SyncError.Code? {
        if case .error(let report) = self { report.code } else { nil }
    }
}
