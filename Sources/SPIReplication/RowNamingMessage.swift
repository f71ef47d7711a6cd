import Foundation

/// A wire message that names a row: by its 16-byte UUID when the id is one, by text otherwise (protocol/changes.md
/// §3). `RowChange` and `RefusalMark` share the shape; this is the one place that reads and writes it.
protocol RowNamingMessage {
    /// The id as a UUID's 16 bytes (empty when the id is text or unset).
    var uuid: Data { get set }
    /// The id as text (empty when the id is a UUID or unset).
    var text: String { get set }
    /// Whether the id is set as text (`false`: as a UUID; nil: not set).
    var namesRowByText: Bool? { get }
}

extension RowNamingMessage {
    /// The row id as text: nil when unset or when a UUID is not 16 bytes.
    var idText: String? {
        switch namesRowByText {
        case true?: text
        case false?: uuid.count == 16 ? UUIDText.string(Array(uuid)) : nil
        case nil: nil
        }
    }

    /// Sets the row id, as a UUID when `id` is one in canonical text form.
    mutating func setRowID(_ id: String) {
        if let bytes = UUIDText.bytes(id) {
            uuid = Data(bytes)
        } else {
            text = id
        }
    }
}

extension Spi_V1_RowChange: RowNamingMessage {
    var namesRowByText: Bool? { rowID.map { if case .text = $0 { true } else { false } } }
}

extension Spi_V1_RefusalMark: RowNamingMessage {
    var namesRowByText: Bool? { rowID.map { if case .text = $0 { true } else { false } } }
}
