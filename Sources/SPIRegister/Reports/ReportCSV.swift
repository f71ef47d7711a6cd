import Foundation

/// RFC 4180 CSV: a header row, CRLF line ends, and fields quoted when they hold a comma, a quote, CR or LF
/// (quotes doubled).
///
/// ```swift
/// ReportCSV.render(columns: ["a", "b"], rows: [["1", "x, y"]])   // "a,b\r\n1,\"x, y\"\r\n"
/// ```
enum ReportCSV {
    /// The CSV text of a table.
    static func render(columns: [String], rows: [[String]]) -> String {
        var out = columns.map(field).joined(separator: ",") + "\r\n"
        for row in rows {
            out += row.map(field).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// One field, quoted when needed.
    static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
