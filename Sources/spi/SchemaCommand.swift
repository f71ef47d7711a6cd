import ArgumentParser
import SPIRegister

/// `spi schema`: the register's tables and columns.
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Describe the register's tables and columns.",
        discussion: """
            For each table: its columns with their SQLite type, whether add requires them, their allowed values and \
            the table they refer to. The tables are a public interface: query them with the sqlite3 shell. Needs no \
            register file.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON object keyed by table name.")
    var json = false

    @Flag(help: "Print the tables as Markdown (the reference part of docs/schema.md).")
    var markdown = false

    func run() async throws {
        if markdown {
            print(Self.markdown())
            return
        }
        if json {
            var tables: [String: JSONValue] = [:]
            for spec in FieldCatalog.tables {
                let columns: [JSONValue] =
                    [
                        [
                            "name": "id", "type": "text", "sqlType": "TEXT", "required": true,
                            "summary": "The row's id: a lowercase UUID.",
                        ]
                    ]
                    + spec.columns.map { column in
                        var object: [String: JSONValue] = [
                            "name": .string(column.name), "type": .string(column.type.rawValue),
                            "sqlType": .string(column.type.sqlType), "required": .bool(column.isRequired),
                            "summary": .string(column.summary),
                        ]
                        if !column.allowedValues.isEmpty {
                            object["values"] = .array(column.allowedValues.map(JSONValue.string))
                        }
                        if let references = column.references { object["references"] = .string(references) }
                        if let value = column.defaultValue { object["default"] = JSONValue(value) }
                        return .object(object)
                    }
                var table: [String: JSONValue] = ["summary": .string(spec.summary), "columns": .array(columns)]
                if let noun = spec.noun { table["noun"] = .string(noun) }
                if let lookup = spec.lookupColumn { table["code"] = .string(lookup) }
                tables[spec.name] = .object(table)
            }
            print(JSONValue.object(tables).canonicalText)
            return
        }
        var blocks: [String] = []
        for spec in FieldCatalog.tables {
            var header = spec.name
            if let noun = spec.noun, noun != spec.name { header += " (spi \(noun))" }
            let rows =
                [["id", "TEXT", "key", "a lowercase UUID"]]
                + spec.columns.map { column in
                    var notes: [String] = []
                    if !column.allowedValues.isEmpty { notes.append(column.allowedValues.joined(separator: "|")) }
                    if let references = column.references { notes.append("→ \(references)") }
                    if column.type == .boolean { notes.append("0|1") }
                    if column.type == .date { notes.append("YYYY-MM-DD") }
                    return [
                        column.name, column.type.sqlType, column.isRequired ? "required" : "",
                        notes.joined(separator: " "),
                    ]
                }
            blocks.append(
                "\(header): \(spec.summary)\n"
                    + Output.table(header: ["column", "type", "", "values"], rows: rows)
                    .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
        print(blocks.joined(separator: "\n\n"))
    }

    /// The tables as Markdown: one section per table with a column table.
    static func markdown() -> String {
        var sections: [String] = []
        for spec in FieldCatalog.tables {
            var intro = spec.summary
            if let noun = spec.noun { intro += " Command: `spi \(noun)`." }
            if let lookup = spec.lookupColumn {
                intro += " Rows are also named by `\(lookup)`\(spec.lookupIsUnique ? " (unique)" : "")."
            }
            if let derived = spec.derivedID {
                let parts = derived.parts.map { $0.joined(separator: " or ") }.joined(separator: ":")
                intro += " Id: UUIDv5 of `\(derived.prefix):\(parts)`."
            }
            var lines = [
                "### `\(spec.name)`", "", intro, "",
                "| column | type | required | values or reference | description |",
                "|---|---|---|---|---|",
                "| `id` | TEXT | key | lowercase UUID | The row's id. |",
            ]
            for column in spec.columns {
                var values: [String] = []
                if !column.allowedValues.isEmpty {
                    values.append(column.allowedValues.map { "`\($0)`" }.joined(separator: ", "))
                }
                if let references = column.references { values.append("→ `\(references)`") }
                if column.type == .boolean { values.append("`0` or `1`") }
                if column.type == .date { values.append("`YYYY-MM-DD`") }
                if let value = column.defaultValue { values.append("default `\(value)`") }
                let required = column.isRequired ? "yes" : ""
                lines.append(
                    "| `\(column.name)` | \(column.type.sqlType) | \(required) | \(values.joined(separator: "; ")) | "
                        + "\(column.summary) |")
            }
            sections.append(lines.joined(separator: "\n"))
        }
        return sections.joined(separator: "\n\n")
    }
}
