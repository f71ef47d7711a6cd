/// Plain-text tables for terminals: a header and rows, columns padded to their widest cell, two spaces apart.
///
/// ```swift
/// print(TextTable.render(header: ["code", "name"], rows: [["FAB", "Fabrikam Service Desk"]]))
/// // code  name
/// // FAB   Fabrikam Service Desk
/// ```
public enum TextTable {
    /// Renders `rows` under `header`; cells longer than `limit` characters are cut with `…`, and line breaks inside
    /// a cell become spaces.
    public static func render(header: [String], rows: [[String]], limit: Int? = 48) -> String {
        let cells = rows.map { row in
            row.map { cell in
                let flat = cell.replacingOccurrences(of: "\n", with: " ")
                guard let limit, flat.count > limit else { return flat }
                return String(flat.prefix(limit - 1)) + "…"
            }
        }
        var widths = header.map(\.count)
        for row in cells {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                i == row.count - 1 || i >= widths.count
                    ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }
}
