import Foundation
import SPICommandSupport
import SPISQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The suite's report: the machine, the sizes, and every scenario's result; printed as a table or as JSON.
struct BenchReport: Codable, Sendable {
    /// When the suite ran (ISO 8601).
    var date: String
    /// `release` or `debug`.
    var build: String
    /// Processors available.
    var cores: Int
    /// The one-minute load average when the suite started and when it ended.
    var loadAverage: [Double]
    /// The SQLite library's version.
    var sqlite: String
    /// The scale factor (1 = the issue's sizes); 0 for the smoke run.
    var scale: Double
    /// Whether this was the smoke run (targets not meaningful).
    var smoke: Bool
    /// The sizes used.
    var sizes: BenchSizes
    /// Seconds the whole suite took.
    var seconds: Double
    /// One result per scenario run, in order.
    var results: [BenchResult]

    /// The build this binary is.
    static var currentBuild: String {
        #if DEBUG
            "debug"
        #else
            "release"
        #endif
    }

    /// The SQLite library's version.
    static var sqliteVersion: String { Connection.sqliteVersion }

    /// The one-minute load average now.
    static var loadAverageNow: Double {
        var loads = [0.0, 0.0, 0.0]
        return getloadavg(&loads, 3) > 0 ? loads[0] : 0
    }

    /// The report as a text table, with each scenario's notes below it.
    var text: String {
        var lines: [String] = []
        lines.append(
            "spi-bench: \(smoke ? "smoke run (small sizes, targets not meaningful)" : "scale \(scale)"), "
                + "\(build) build, "
                + "\(cores) cores, load \(loadAverage.map { String(format: "%.1f", $0) }.joined(separator: " → ")), "
                + "SQLite \(sqlite), \(date), \(BenchFormat.seconds(seconds))")
        lines.append("")
        let rows = results.map { result -> [String] in
            [
                result.label, result.error == nil ? result.measured : "FAILED", result.baseline,
                result.error == nil ? BenchFormat.ratio(result.ratio) : "-", result.target,
                result.error != nil ? "error" : smoke ? "ran (smoke)" : result.met ? "met" : "missed",
            ]
        }
        lines.append(
            TextTable.render(
                header: ["scenario", "measured", "baseline", "ratio", "target", "result"], rows: rows, limit: nil))
        lines.append("")
        for result in results {
            lines.append("\(result.label)  \(result.title); baseline: \(result.scenario.baselineTitle)")
            if let error = result.error { lines.append("    error: \(error)") }
            for note in result.notes { lines.append("    \(note)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The report as JSON (sorted keys; non-finite numbers written as 0).
    func json() throws -> String {
        var copy = self
        copy.results = results.map { result in
            var result = result
            if !result.ratio.isFinite { result.ratio = 0 }
            result.values = result.values.mapValues { $0.isFinite ? $0 : 0 }
            return result
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(copy), as: UTF8.self)
    }
}
