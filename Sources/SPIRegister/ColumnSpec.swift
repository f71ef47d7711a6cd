import Foundation
public import SPISQLite

/// The description of one register column: its type, allowed values, the table it refers to, and whether a local
/// edit must give it.
///
/// Column descriptions live in ``FieldCatalog``, the single source of truth that the domain layer validates with,
/// the `spi` command takes its options and help from, and `spi schema` prints.
///
/// ```swift
/// let kind = FieldCatalog.table("party")!.column("kind")!
/// kind.allowedValues   // ["organization", "integrator", "provider"]
/// ```
public struct ColumnSpec: Sendable {
    /// How a column's values are typed and written.
    public enum ValueType: String, Sendable, CaseIterable {
        /// Free text (SQLite `TEXT`).
        case text
        /// A whole number (SQLite `INTEGER`).
        case integer
        /// A number with a fraction (SQLite `REAL`).
        case real
        /// A flag stored as SQLite `INTEGER` 0 or 1; written `0`/`1`, `true`/`false` or `yes`/`no`.
        case boolean
        /// A calendar date stored as `YYYY-MM-DD` text.
        case date

        /// The column's SQLite type in the STRICT table.
        public var sqlType: String {
            switch self {
            case .text, .date: "TEXT"
            case .integer, .boolean: "INTEGER"
            case .real: "REAL"
            }
        }
    }

    /// The column's name in SQLite.
    public let name: String
    /// The column's value type.
    public let type: ValueType
    /// A one-line description for people.
    public let summary: String
    /// The allowed values of an enumeration column; empty for any value.
    public let allowedValues: [String]
    /// The table this column refers to (by id), if it is a reference.
    public let references: String?
    /// Whether a new row must have a value, and an existing one may not lose it.
    public let isRequired: Bool
    /// Whether the referenced row owns this one: removing that row removes this one too.
    public let isOwnedByReference: Bool
    /// The value a new row gets when none is given (mirrors the SQL default, if any).
    public let defaultValue: DatabaseValue?
    /// The long option the `spi` noun commands use for this column, without the leading dashes.
    public let optionName: String

    /// Describes a text column.
    public init(
        _ name: String, _ summary: String, values: [String] = [], references: String? = nil, required: Bool = false,
        owned: Bool = false, default defaultValue: DatabaseValue? = nil, option: String? = nil
    ) {
        self.init(
            name, .text, summary, values: values, references: references, required: required, owned: owned,
            default: defaultValue, option: option)
    }

    /// Describes a column.
    public init(
        _ name: String, _ type: ValueType, _ summary: String, values: [String] = [],
        references: String? = nil, required: Bool = false, owned: Bool = false,
        default defaultValue: DatabaseValue? = nil,
        option: String? = nil
    ) {
        self.name = name
        self.type = type
        self.summary = summary
        self.allowedValues = values
        self.references = references
        self.isRequired = required
        self.isOwnedByReference = owned
        self.defaultValue = defaultValue
        if let option {
            self.optionName = option
        } else {
            let base = name.hasSuffix("_id") ? String(name.dropLast(3)) : name
            self.optionName = base.replacingOccurrences(of: "_", with: "-")
        }
    }

    /// The help text for the column's command-line option: the summary, the allowed values, what a reference
    /// accepts, and whether `add` needs it.
    public var help: String {
        var text = summary
        if !allowedValues.isEmpty { text += " One of: \(allowedValues.joined(separator: ", "))." }
        if let references { text += " \(FieldCatalog.referenceHint(references))." }
        if type == .date { text += " Format YYYY-MM-DD." }
        if type == .boolean { text += " true or false." }
        if isRequired { text += " Required for add." }
        return text
    }
}
