import ArgumentParser
import SPIRegister

/// The options of one noun's `add` and `set` commands: one option per column, named after it, with help from the
/// field catalog.
protocol NounFields: ParsableArguments {
    /// The register table the noun edits.
    static var table: String { get }
    /// Examples for the noun's help.
    static var examples: String { get }
    /// The values given on the command line, by column name (absent options are left out).
    var values: [String: String] { get }
    /// Writes the link rows that the noun's extra options describe (such as an SPI's services), in the same
    /// transaction as the row itself.
    func writeLinks(_ store: RecordStore, id: String) throws
    /// Sets the store's options for this noun's edits (such as `--other-practice`); nothing by default.
    func configure(_ store: inout RecordStore)
    /// The noun's `add` command: ``NounAddCommand`` unless the noun needs its own (`spi review add` also takes the
    /// SPI as an argument).
    static var addCommand: any ParsableCommand.Type { get }
    /// The noun's `set` command: ``NounSetCommand`` unless the noun needs its own (`spi raci set` also takes a
    /// whole matrix from a CSV file).
    static var setCommand: any ParsableCommand.Type { get }
    /// Verbs of the noun beyond add, set, remove, list and show, such as `spi interface submit`.
    static var extraSubcommands: [any ParsableCommand.Type] { get }
}

extension NounFields {
    func writeLinks(_ store: RecordStore, id: String) throws {}

    func configure(_ store: inout RecordStore) {}

    static var addCommand: any ParsableCommand.Type { NounAddCommand<Self>.self }

    static var setCommand: any ParsableCommand.Type { NounSetCommand<Self>.self }

    static var extraSubcommands: [any ParsableCommand.Type] { [] }

    /// The table's catalog entry.
    static var spec: TableSpec { FieldCatalog.table(table)! }
    /// The noun, such as `target`.
    static var noun: String { spec.noun ?? table }

    /// The noun with its indefinite article, for help texts: "a party", "an interface".
    static var nounWithArticle: String {
        (noun.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + noun
    }
}

/// The help text of a column's option, from the field catalog.
func fieldHelp(_ table: String, _ column: String, valueName: String? = nil) -> ArgumentHelp {
    guard let spec = FieldCatalog.table(table)?.column(column) else { return ArgumentHelp("(unknown column)") }
    return ArgumentHelp(spec.help, valueName: valueName ?? defaultValueName(of: spec))
}

/// The value name a column's option shows in help (`<text>`, `<date>`, `<ref>`, or the column's enumeration).
func defaultValueName(of spec: ColumnSpec) -> String {
    if !spec.allowedValues.isEmpty { return spec.name.replacingOccurrences(of: "_", with: "-") }
    if spec.references != nil { return "ref" }
    switch spec.type {
    case .date: return "date"
    case .boolean: return "bool"
    case .integer, .real: return "number"
    case .text: return "text"
    }
}

/// Collects the non-nil options into a column → text dictionary.
func collect(_ pairs: [(String, String?)]) -> [String: String] {
    var values: [String: String] = [:]
    for (column, value) in pairs {
        if let value { values[column] = value }
    }
    return values
}
