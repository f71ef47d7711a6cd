import Crypto
import Foundation
@testable import SPIReplication
import SwiftProtobuf
import Testing

/// Trust end to end, on the Northwind demo with real `spi` processes: signed change-set files, forged files, the
/// receiver's own scope, and bindings that change while edits are in flight.
@Suite("trust end to end", .serialized)
struct TrustEndToEndTests {
    let demo = PermissionEndToEndTests()

    /// Writes `file`'s frames again with one batch's cell text replaced, keeping every frame's checksum valid: a
    /// forger who knows the format but not the writer's key.
    static func tamper(_ path: String, replacing old: String, with new: String) throws {
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let needle = Array(old.utf8)
        let replacement = Array(new.utf8)
        precondition(needle.count == replacement.count, "the forged text must keep the frame's length")
        guard
            let at = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<$0 + needle.count]) == needle })
        else { throw CocoaError(.fileReadCorruptFile) }
        bytes.replaceSubrange(at..<at + needle.count, with: replacement)
        // Recompute the CRC-32 of the frame that holds the change (frames: length ‖ payload ‖ CRC).
        var offset = 8
        while offset + 4 <= bytes.count {
            let length =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
            let start = offset + 4
            if at >= start && at < start + length {
                var crc: UInt32 = 0xFFFF_FFFF
                for byte in bytes[start..<start + length] {
                    crc ^= UInt32(byte)
                    for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
                }
                crc ^= 0xFFFF_FFFF
                let end = start + length
                bytes[end] = UInt8(crc >> 24)
                bytes[end + 1] = UInt8((crc >> 16) & 0xFF)
                bytes[end + 2] = UInt8((crc >> 8) & 0xFF)
                bytes[end + 3] = UInt8(crc & 0xFF)
                break
            }
            offset = start + length + 4
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Rewrites a change-set file as written by `writer` (the header's sender site) and signs it with `keyPEM`: a valid
    /// file of the organization's, re-signed by Fabrikam.
    static func resign(_ path: String, to out: String, writer: [UInt8], keyPEM: String) throws {
        var frames: [Spi_V1_ChangeSetFrame] = []
        var offset = 8
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        while offset + 4 <= bytes.count {
            let length =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
            frames.append(try Spi_V1_ChangeSetFrame(serializedBytes: Array(bytes[offset + 4..<offset + 4 + length])))
            offset += 8 + length
        }
        var output = ChangeSetFile.changeSetMagic
        var digests: [[UInt8]] = []
        let signer = try ChangeSetSigner(privateKeyPEM: keyPEM)
        for var frame in frames {
            switch frame.kind {
            case .header(var header):
                header.senderSite = Data(writer)
                frame.header = header
            case .trailer(var trailer):
                trailer.signerKey = Data(signer.publicKeyDER)
                trailer.signature = Data(
                    try signer.sign(
                        ChangeSetSigner.changeSetMessage(
                            frameDigests: digests, batches: trailer.batches, rows: trailer.rows, cells: trailer.cells)))
                frame.trailer = trailer
            default:
                break
            }
            let payload: [UInt8] = try frame.serializedBytes()
            if case .trailer = frame.kind {} else { digests.append(Array(SHA256.hash(data: payload))) }
            output += ChangeSetFile.frame(payload)
        }
        try Data(output).write(to: URL(fileURLWithPath: out))
    }

    @Test(
        "a file Fabrikam altered or re-signed is refused on every replica, and no digest changes",
        .timeLimit(.minutes(3)))
    func forgedFileRefused() throws {
        try demo.withDemo { directory, org, providers in
            let (fabrikam, contoso) = (providers["FAB"]!, providers["CON"]!)
            // A real file of the organization's, for Contoso, with a rename of practice INC.
            try org.ok("record", "put", "practice", "--id", "INC", "name=Incident handling NW")
            let knowledge = directory.appendingPathComponent("contoso.knowledge").path
            let real = directory.appendingPathComponent("for-contoso.changes").path
            try contoso.ok("changes", "knowledge", "--out", knowledge)
            try org.ok("changes", "export", "--since", knowledge, "--out", real)

            // Fabrikam edits the file's text (same length, checksums recomputed): the signature no longer matches.
            let altered = directory.appendingPathComponent("altered.changes").path
            try FileManager.default.copyItem(atPath: real, toPath: altered)
            try Self.tamper(altered, replacing: "Incident handling NW", with: "Incident handling XX")

            // Fabrikam re-signs the organization's file with its own key, still naming the organization as the writer
            // (the key is not the organization's); and it signs the altered file as its own (a valid file of
            // Fabrikam's, whose change no longer matches the organization's signature of it).
            let keyPEM = try String(contentsOfFile: fabrikam.db + ".key", encoding: .utf8)
            let fabrikamSite = try ChangeSetSigner(privateKeyPEM: keyPEM).site.bytes
            let orgSite = try ChangeSetSigner(privateKeyPEM: String(contentsOfFile: org.db + ".key", encoding: .utf8))
                .site.bytes
            let impersonated = directory.appendingPathComponent("impersonated.changes").path
            let alteredRelay = directory.appendingPathComponent("altered-relay.changes").path
            try Self.resign(real, to: impersonated, writer: orgSite, keyPEM: keyPEM)
            try Self.resign(altered, to: alteredRelay, writer: fabrikamSite, keyPEM: keyPEM)

            let before = try [org, fabrikam, contoso].map { try $0.ok("digest") }
            for file in [altered, impersonated, alteredRelay] {
                for target in [org, contoso] {
                    let run = try target.spi("changes", "apply", file)
                    #expect(run.status != 0, "a forged file was applied: \(run)")
                    if file == alteredRelay {
                        #expect(run.stderr.contains("is not what that site signed"), "\(run)")
                    } else {
                        #expect(run.stderr.contains("forged or damaged"), "\(run)")
                    }
                }
            }
            #expect(try [org, fabrikam, contoso].map { try $0.ok("digest") } == before)

            // The real file re-signed by Fabrikam as its own is a genuine relay: the organization's change in it
            // carries the organization's signature, so Contoso takes it from Fabrikam.
            let relayed = directory.appendingPathComponent("relayed.changes").path
            try Self.resign(real, to: relayed, writer: fabrikamSite, keyPEM: keyPEM)
            try contoso.ok("changes", "apply", relayed)
            #expect(try contoso.ok("record", "get", "practice", "INC").contains("Incident handling NW"))
            // The real file still applies (nothing new).
            try contoso.ok("changes", "apply", real)
        }
    }

    @Test(
        "two providers reconcile the organization's changes by file while the organization is offline",
        .timeLimit(.minutes(3)))
    func providersReconcileByFile() throws {
        try demo.withDemo { directory, org, providers in
            let (fabrikam, contoso) = (providers["FAB"]!, providers["CON"]!)
            func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
            // The organization renames a practice (every party sees practices); only Fabrikam gets it.
            try org.ok("record", "put", "practice", "--id", "INC", "name=Incident handling (shared)")
            try fabrikam.ok("changes", "knowledge", "--out", path("fab.knowledge"))
            try org.ok("changes", "export", "--since", path("fab.knowledge"), "--out", path("for-fab.changes"))
            try fabrikam.ok("changes", "apply", path("for-fab.changes"))

            // The organization is offline from here. Contoso asks Fabrikam instead: Fabrikam's file for it is scoped
            // to Contoso's party and carries the organization's change with the organization's signature.
            try contoso.ok("changes", "knowledge", "--out", path("con.knowledge"))
            let said = try fabrikam.ok(
                "changes", "export", "--since", path("con.knowledge"), "--out", path("fab-for-con.changes"))
            #expect(said.contains("scoped to party CON"), "\(said)")
            let applied = try contoso.ok("changes", "apply", path("fab-for-con.changes"))
            #expect(!applied.contains("refused"), "\(applied)")
            #expect(try contoso.ok("record", "get", "practice", "INC").contains("Incident handling (shared)"))
            // Fabrikam holds only its own party's view, so Contoso does not take Fabrikam's word that it holds all of
            // the organization's changes: its knowledge of the organization stays where it was.
            let orgSite = try ChangeSetSigner(privateKeyPEM: String(contentsOfFile: org.db + ".key", encoding: .utf8))
                .site
            let knowledgeBefore = try Replica(path: contoso.db, readOnly: true, logger: .init(label: "test"))
                .readKnowledge(from: path("con.knowledge"))
            let knowledgeAfter = try Replica(path: contoso.db, readOnly: true, logger: .init(label: "test")).knowledge()
            #expect(knowledgeAfter[orgSite] == knowledgeBefore[orgSite])

            // Back online, the organization's file for Contoso completes it: Contoso holds exactly its party's view.
            try contoso.ok("changes", "knowledge", "--out", path("con2.knowledge"))
            try org.ok("changes", "export", "--since", path("con2.knowledge"), "--out", path("for-con.changes"))
            try contoso.ok("changes", "apply", path("for-con.changes"))
            #expect(try contoso.ok("export") == (try org.ok("export", "--for", "CON")))
        }
    }

    @Test(
        "an unscoped export applied by Fabrikam leaves it without any of Contoso's data, and claims nothing",
        .timeLimit(.minutes(3)))
    func unscopedExportKeepsScope() throws {
        try demo.withDemo { directory, org, providers in
            let fabrikam = providers["FAB"]!
            try org.ok("interface", "set", "SPI-INC-CON", "--description", "A note for Contoso only")
            let everything = directory.appendingPathComponent("everything.changes").path
            try org.ok("changes", "export", "--all", "--out", everything)
            let applied = try fabrikam.ok("changes", "apply", everything)
            #expect(applied.contains("not kept"), "\(applied)")
            let held = try fabrikam.ok("export")
            #expect(
                !held.contains("SPI-INC-CON") && !held.contains("A note for Contoso only"),
                "Fabrikam holds Contoso's SPI")
            #expect(
                try SyncEndToEndTests.shell(fabrikam.db, "SELECT count(*) FROM interface WHERE code IS NULL") == "0")
            #expect(try fabrikam.ok("export") == (try org.ok("export", "--for", "FAB")))

            // With --since and no --for, the export is scoped to the receiver's party and says so.
            let knowledge = directory.appendingPathComponent("fabrikam.knowledge").path
            try fabrikam.ok("changes", "knowledge", "--out", knowledge)
            let scoped = directory.appendingPathComponent("for-fabrikam.changes").path
            let said = try org.ok("changes", "export", "--since", knowledge, "--out", scoped)
            #expect(said.contains("scoped to party FAB"), "\(said)")
        }
    }

    @Test("a replica whose key was deleted says so and changes nothing, instead of becoming another replica")
    func lostKey() throws {
        try demo.withDemo { _, _, providers in
            let fabrikam = providers["FAB"]!
            let before = try fabrikam.ok("whoami", "--json")
            try FileManager.default.removeItem(atPath: fabrikam.db + ".key")
            for command in [["whoami"], ["changes", "knowledge", "--out", fabrikam.db + ".knowledge"]] {
                let run = try fabrikam.spi(command)
                #expect(run.status != 0, "\(run)")
                #expect(run.stderr.contains("key") && run.stderr.contains("missing"), "\(run)")
            }
            #expect(!FileManager.default.fileExists(atPath: fabrikam.db + ".key"))
            #expect(before.contains("peerId"))
        }
    }

    @Test("an unsigned knowledge file is refused as the base of an export")
    func unsignedKnowledgeRefused() throws {
        try demo.withDemo { directory, org, providers in
            let knowledge = directory.appendingPathComponent("fabrikam.knowledge").path
            try providers["FAB"]!.ok("changes", "knowledge", "--out", knowledge)
            // Drop the signature frame.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: knowledge))
            let length = Int(bytes[8]) << 24 | Int(bytes[9]) << 16 | Int(bytes[10]) << 8 | Int(bytes[11])
            try bytes.prefix(8 + 4 + length + 4).write(to: URL(fileURLWithPath: knowledge))
            let message = try org.refused([
                "changes", "export", "--since", knowledge, "--out", directory.appendingPathComponent("x.changes").path,
            ])
            #expect(message.contains("not signed"), "\(message)")
        }
    }
}
