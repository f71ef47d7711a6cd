/// An error from the register's domain layer, with an extensible code and a one-line message for people.
///
/// Every refusal of bad input (an unknown table, a value outside an enumeration, a missing required field, a code
/// that is already taken) is a `RegisterError`, so that the `spi` command can print its ``message`` on one line.
///
/// ```swift
/// do { try register.write { try $0.put("party", ["code": "FAB", "kind": "vendor"]) } }
/// catch let error as RegisterError where error.code == .invalidValue { print(error.message) }
/// ```
public struct RegisterError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case forbidden, alreadyExists, notFound, notARegister, unsupportedVersion, unknownTable, unknownColumn, invalidID,
                invalidValue, missingField, duplicateCode, ambiguousReference, unknownReference, stillReferenced,
                ruleViolated, malformedExport, database
        }
        private let base: Base

        /// A file already exists where a new register was to be created.
        public static let alreadyExists = Code(base: .alreadyExists)
        /// The path or the row does not exist.
        public static let notFound = Code(base: .notFound)
        /// The path is a directory, not a SQLite file, or a SQLite file that is not an SPI register.
        public static let notARegister = Code(base: .notARegister)
        /// The register's schema is newer than this build understands.
        public static let unsupportedVersion = Code(base: .unsupportedVersion)
        /// A table name that is not one of the register's tables.
        public static let unknownTable = Code(base: .unknownTable)
        /// A column name that the table does not have.
        public static let unknownColumn = Code(base: .unknownColumn)
        /// An id that is not a canonical lowercase UUID (and no code resolves it).
        public static let invalidID = Code(base: .invalidID)
        /// A value that the column cannot hold: wrong type, outside an enumeration, a malformed date.
        public static let invalidValue = Code(base: .invalidValue)
        /// A required field is missing or would become empty.
        public static let missingField = Code(base: .missingField)
        /// A code (party, interface, service, agreement, practice, activity) that another row already uses.
        public static let duplicateCode = Code(base: .duplicateCode)
        /// A short code or email that matches more than one row.
        public static let ambiguousReference = Code(base: .ambiguousReference)
        /// A short code, email or id that matches no row of the referenced table.
        public static let unknownReference = Code(base: .unknownReference)
        /// A row cannot be removed because other rows still refer to it.
        public static let stillReferenced = Code(base: .stillReferenced)
        /// A domain rule refuses the edit (for example approving an SPI without an approver).
        public static let ruleViolated = Code(base: .ruleViolated)
        /// An import file is not a canonical export of a register.
        public static let malformedExport = Code(base: .malformedExport)
        /// SQLite or the replication core failed.
        public static let database = Code(base: .database)
        /// An edit this replica's party may not make (see docs/permissions.md).
        public static let forbidden = Code(base: .forbidden)

        public var description: String { base.rawValue }

        /// Whether the failure is the caller's input (as opposed to the environment), which the `spi` command
        /// reports with the usage exit status.
        public var isInputError: Bool {
            switch base {
            case .unknownTable, .unknownColumn, .invalidID, .invalidValue, .missingField, .duplicateCode,
                .ambiguousReference, .unknownReference, .stillReferenced, .ruleViolated, .notFound, .malformedExport,
                .forbidden:
                return true
            default:
                return false
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A one-line explanation for people.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
