import Foundation
import Testing

/// Invalid UTF-8 written with the `sqlite3` shell is carried byte for byte or not at all (protocol/changes.md §1):
/// the origin keeps the exact bytes, no replica ever receives them altered, the digest shows the difference, and
/// `spi check` names the row. Real `spi serve`, `spi sync` and change-set files.
@Suite("text bytes end to end", .serialized)
struct TextBytesEndToEndTests {
    static let invalid = "61C328FFFE62" // a, then C3 28 (a broken two-byte sequence), FF, FE, b

    static func hex(_ column: String, of code: String, in db: String) throws -> String {
        try SyncEndToEndTests.shell(db, "SELECT hex(\(column)) FROM interface WHERE code = '\(code)'")
    }

    @Test(
        "invalid UTF-8 from the shell is never altered: kept exactly where written, not sent by sync or file, shown by digest and check; the rest replicates",
        .enabled(if: SyncEndToEndTests.hasSQLite3), .timeLimit(.minutes(3)))
    func invalidTextIsNeverAltered() throws {
        try PermissionEndToEndTests().withDemo { directory, org, providers in
            let fabrikam = providers["FAB"]!
            let contoso = providers["CON"]!
            let before = try Self.hex("description", of: "SPI-INC-FAB", in: fabrikam.db)
            try SyncEndToEndTests.shell(
                org.db,
                """
                UPDATE interface SET description = CAST(X'\(Self.invalid)' AS TEXT) WHERE code = 'SPI-INC-FAB';
                UPDATE interface SET description = 'valid text beside it' WHERE code = 'SPI-SR-FAB';
                UPDATE interface SET description = 'valid for Contoso' WHERE code = 'SPI-INC-CON';
                """)
            // Exactly the bytes written, on the origin, in the export, as bytes.
            #expect(try Self.hex("description", of: "SPI-INC-FAB", in: org.db) == Self.invalid)
            #expect(try org.ok("export").contains("{\"$blob\":\"\(Self.invalid.lowercased())\"}"))
            let check = try org.spi("check", "--json")
            #expect(check.stdout.contains("invalid-text"), "\(check)")

            try PermissionEndToEndTests().serving(org, in: directory) { address in
                let report = try SyncEndToEndTests.syncReport(fabrikam, address)
                #expect((report["changesApplied"] as? Int ?? 0) >= 1, "\(report)")
                _ = try SyncEndToEndTests.syncReport(contoso, address)
            }
            // Over TCP: the valid edits arrived; the invalid bytes did not, in any form.
            #expect(
                try SyncEndToEndTests.shell(fabrikam.db, "SELECT description FROM interface WHERE code = 'SPI-SR-FAB'")
                    == "valid text beside it")
            #expect(
                try SyncEndToEndTests.shell(contoso.db, "SELECT description FROM interface WHERE code = 'SPI-INC-CON'")
                    == "valid for Contoso")
            #expect(try Self.hex("description", of: "SPI-INC-FAB", in: fabrikam.db) == before)
            #expect(try Self.hex("description", of: "SPI-INC-FAB", in: org.db) == Self.invalid)
            // The digest shows the difference.
            #expect(try fabrikam.ok("digest") != (try org.ok("digest", "--for", "FAB")))

            // Through a change-set file: the bytes are not in it, repaired or not.
            let knowledge = directory.appendingPathComponent("fab.knowledge").path
            let file = directory.appendingPathComponent("all.changes").path
            try fabrikam.ok("changes", "knowledge", "--out", knowledge)
            let export = try org.spi("changes", "export", "--all", "--out", file)
            #expect(export.status == 0, "\(export)")
            #expect(export.stderr.contains("not valid UTF-8 is not sent"), "no warning: \(export)")
            let bytes = try #require(FileManager.default.contents(atPath: file))
            #expect(
                bytes.range(of: Data([0x61, 0xC3, 0x28, 0xFF, 0xFE, 0x62])) == nil, "the file carries the invalid bytes"
            )
            #expect(bytes.range(of: Data([0x61, 0xEF, 0xBF, 0xBD, 0x28])) == nil, "the file carries them repaired")
            #expect(bytes.range(of: Data("valid text beside it".utf8)) != nil)
            try fabrikam.ok("changes", "apply", file)
            #expect(try Self.hex("description", of: "SPI-INC-FAB", in: fabrikam.db) == before)

            // Written again as text, it replicates and the digests agree.
            try org.ok("interface", "set", "SPI-INC-FAB", "--description", "written again as text")
            try PermissionEndToEndTests().serving(org, in: directory) { address in
                _ = try SyncEndToEndTests.syncReport(fabrikam, address)
            }
            #expect(
                try SyncEndToEndTests.shell(fabrikam.db, "SELECT description FROM interface WHERE code = 'SPI-INC-FAB'")
                    == "written again as text")
            #expect(try fabrikam.ok("digest") == (try org.ok("digest", "--for", "FAB")))
            #expect(!(try org.spi("check", "--json")).stdout.contains("invalid-text"))
        }
    }
}
