import Crypto
import SPISQLite

/// An SPI's document content in the canonical form that its parties sign (protocol/signoff.md §1): the SPI row
/// without its governance state, and every row the SPI owns or cites, as one canonical JSON text.
///
/// The content covers the SPI row (all columns but `status`, `approved_by`, `approved_on`,
/// `review_interval_months` and `next_review`, which approval and review change), its service links, RACI
/// assignments, integration points and their data items, information items and their recipients, and the
/// service-level targets it cites (those of its agreement, for its services). Two replicas that hold the same rows
/// compute the same text, byte for byte, and so the same ``digest``.
///
/// ```swift
/// let content = try register.read { try InterfaceContent(of: "SPI-INC-FAB", in: $0) }
/// content.digest          // "3f1c…" (64 hex digits)
/// ```
public struct InterfaceContent: Sendable, Hashable {
    /// The first member of the canonical text, naming its form.
    public static let format = "spi-interface-content/1"

    /// The interface columns that are governance state, not content: signing does not cover them.
    public static let governanceColumns: Set<String> = [
        "status", "approved_by", "approved_on", "review_interval_months", "next_review",
    ]

    /// The tables whose rows the content lists besides the SPI row, in the canonical text's order.
    public static let tables = [
        "interface_service", "raci_assignment", "integration_point", "integration_data_item", "information_item",
        "information_recipient", "service_level_target",
    ]

    /// The SPI's id.
    public let interfaceID: String
    /// The SPI row's content columns, `id` included.
    public let interface: [String: JSONValue]
    /// Per table of ``tables``, its rows by id, each with every column (`id` included).
    public let rows: [String: [String: [String: JSONValue]]]
    /// The canonical text: the bytes that are hashed.
    public let canonicalText: String

    /// The SHA-256 of ``canonicalText`` (UTF-8), in lowercase hex.
    public var digest: String { Self.digest(of: canonicalText) }

    /// The lowercase-hex SHA-256 of `text`'s UTF-8 bytes.
    public static func digest(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The current content of the SPI `reference` (an id or code), as the rows in `store` give it.
    ///
    /// - Throws: a ``RegisterError`` when no SPI has that id or code.
    public init(of reference: String, in store: RecordStore) throws {
        let spi = try store.record("interface", reference)
        var interface: [String: JSONValue] = ["id": .string(spi.id)]
        for (column, value) in spi.values where !Self.governanceColumns.contains(column) {
            interface[column] = JSONValue(value)
        }
        func select(_ table: String, _ condition: String, _ values: [DatabaseValue]) throws -> [String: [String:
            JSONValue]]
        {
            var result: [String: [String: JSONValue]] = [:]
            for record in try store.select(try store.spec(table), where: condition, values) {
                result[record.id] = record.json.objectValue ?? [:]
            }
            return result
        }
        let id = DatabaseValue.text(spi.id)
        var rows: [String: [String: [String: JSONValue]]] = [:]
        rows["interface_service"] = try select("interface_service", "interface_id = ?", [id])
        rows["raci_assignment"] = try select("raci_assignment", "interface_id = ?", [id])
        rows["integration_point"] = try select("integration_point", "interface_id = ?", [id])
        rows["integration_data_item"] = try select(
            "integration_data_item",
            "integration_point_id IN (SELECT id FROM integration_point WHERE interface_id = ?)",
            [id])
        rows["information_item"] = try select("information_item", "interface_id = ?", [id])
        rows["information_recipient"] = try select(
            "information_recipient",
            "information_item_id IN (SELECT id FROM information_item WHERE interface_id = ?)", [id])
        // The targets it cites: its agreement's, for the services it covers (all of them when it lists none), as the
        // SPI document shows them.
        if let agreement = spi["agreement_id"].textValue {
            rows["service_level_target"] = try select(
                "service_level_target",
                """
                agreement_id = ?1 AND (NOT EXISTS (SELECT 1 FROM interface_service WHERE interface_id = ?2)
                    OR service_id IN (SELECT service_id FROM interface_service WHERE interface_id = ?2))
                """,
                [.text(agreement), id])
        } else {
            rows["service_level_target"] = [:]
        }
        self.init(interfaceID: spi.id, interface: interface, rows: rows)
    }

    /// Content from its parts (a canonical text is made from them).
    init(interfaceID: String, interface: [String: JSONValue], rows: [String: [String: [String: JSONValue]]]) {
        self.interfaceID = interfaceID
        self.interface = interface
        self.rows = rows
        var tables: [String: JSONValue] = [:]
        for table in Self.tables {
            let byID = rows[table] ?? [:]
            let ids = byID.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            tables[table] = .array(ids.map { .object(byID[$0] ?? [:]) })
        }
        let value: JSONValue = .object([
            "format": .string(Self.format), "interface": .object(interface), "tables": .object(tables),
        ])
        self.canonicalText = value.canonicalText
    }

    /// Content read back from its canonical text (as a signature holds it).
    ///
    /// - Throws: `RegisterError.Code.malformedExport` when the text is not JSON, names another format, or lacks
    ///   a member; `RegisterError.Code.invalidValue` when it is valid but not canonical (its digest would differ
    ///   from that of the content it describes).
    public init(canonicalText text: String) throws {
        let value = try JSONValue(parsing: text)
        guard value["format"]?.stringValue == Self.format, let interface = value["interface"]?.objectValue,
            let id = interface["id"]?.stringValue, let tables = value["tables"]?.objectValue
        else {
            throw RegisterError(.malformedExport, "the signed content is not \(Self.format) JSON")
        }
        var rows: [String: [String: [String: JSONValue]]] = [:]
        for table in Self.tables {
            var byID: [String: [String: JSONValue]] = [:]
            for row in tables[table]?.arrayValue ?? [] {
                guard let object = row.objectValue, let rowID = object["id"]?.stringValue else {
                    throw RegisterError(.malformedExport, "the signed content has a \(table) row without an id")
                }
                byID[rowID] = object
            }
            rows[table] = byID
        }
        self.init(interfaceID: id, interface: interface, rows: rows)
        guard canonicalText == text else {
            throw RegisterError(.invalidValue, "the signed content is not in canonical form")
        }
    }
}
