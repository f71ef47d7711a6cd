import Crypto
import SPISQLite

extension Register {
    /// The canonical JSON export of the register's content (see ``RecordStore/canonicalExport(visibleTo:)``), as
    /// UTF-8 bytes.
    ///
    /// ```swift
    /// try Data(register.exportCanonical()).write(to: url)
    /// ```
    ///
    /// With `viewer`, only the rows that party may see.
    public func exportCanonical(visibleTo viewer: AccessActor? = nil) throws -> [UInt8] {
        Array(try read { try $0.canonicalExport(visibleTo: viewer) }.utf8)
    }

    /// The lowercase hex SHA-256 of ``exportCanonical(visibleTo:)``: equal on two replicas exactly when their
    /// content is.
    public func digest(visibleTo viewer: AccessActor? = nil) throws -> String {
        Self.sha256Hex(try exportCanonical(visibleTo: viewer))
    }

    /// The lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Loads a canonical export back into this register, as local writes that replicate, in one transaction.
    ///
    /// - Parameters:
    ///   - bytes: the export's UTF-8 bytes.
    ///   - replace: also delete the rows that are not in the file, so that the content equals the file's.
    ///   - progress: called with the rows done and the file's row count, every 1,000 rows.
    /// - Throws: `RegisterError.Code.malformedExport` and friends when the file is not an export; nothing is
    ///   written then.
    @discardableResult
    public func importCanonical(
        _ bytes: [UInt8], replace: Bool = false, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> ImportSummary {
        let value = try JSONValue(parsing: bytes)
        return try write { try $0.importCanonical(value, replace: replace, progress: progress) }
    }
}
