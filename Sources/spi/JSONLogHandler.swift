import Foundation
import Logging
import SPICommandSupport
import SPIRegister

/// A log handler that writes one JSON object per line to standard error, for log collectors
/// (`spi serve --log-format json`).
///
/// Each line has the keys `time` (ISO 8601, UTC, milliseconds), `level`, `label`, `source` (the module that logged),
/// `message`, and one key per metadata item (its value as a string, a list or an object), keys sorted:
///
/// ```
/// {"label":"spi","level":"info","message":"session complete","source":"SPITransport","sync.peer":"fabrikam",…,"time":"2026-12-07T02:30:00.123Z"}
/// ```
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: JSONValue] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = Self.json(value)
        }
        object["time"] = .string(Self.timestamp(Date()))
        object["level"] = .string(event.level.rawValue)
        object["label"] = .string(label)
        object["source"] = .string(event.source)
        object["message"] = .string(event.message.description)
        StandardStreams.writeError(JSONValue.object(object).canonicalText + "\n")
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value): .string(value.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): .object(values.mapValues(json))
        }
    }

    /// `2026-12-07T02:30:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds / 1000
        let day = CivilDate(dayNumber: Int(seconds / 86_400)).text
        let second = seconds % 86_400
        func pad(_ n: Int64, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return
            "\(day)T\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2)).\(pad(milliseconds % 1000, 3))Z"
    }
}
