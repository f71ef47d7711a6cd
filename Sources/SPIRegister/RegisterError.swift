public import SPIErrorCode

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
    public typealias Code = ErrorCode<RegisterError>

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

    /// The refusal of a provider's replica that approves or retires an SPI (the organization's decisions alone).
    static var approvalIsTheOrganizations: RegisterError {
        RegisterError(.ruleViolated, "only the organization approves or retires an SPI; this replica is a provider's")
    }
}

extension ErrorCode where Domain == RegisterError {
    /// A file already exists where a new register was to be created.
    public static var alreadyExists: Self { Self("alreadyExists") }
    /// The path or the row does not exist.
    public static var notFound: Self { Self("notFound") }
    /// The path is a directory, not a SQLite file, or a SQLite file that is not an SPI register.
    public static var notARegister: Self { Self("notARegister") }
    /// The register's schema is newer than this build understands.
    public static var unsupportedVersion: Self { Self("unsupportedVersion") }
    /// A table name that is not one of the register's tables.
    public static var unknownTable: Self { Self("unknownTable") }
    /// A column name that the table does not have.
    public static var unknownColumn: Self { Self("unknownColumn") }
    /// An id that is not a canonical lowercase UUID (and no code resolves it).
    public static var invalidID: Self { Self("invalidID") }
    /// A value that the column cannot hold: wrong type, outside an enumeration, a malformed date.
    public static var invalidValue: Self { Self("invalidValue") }
    /// A required field is missing or would become empty.
    public static var missingField: Self { Self("missingField") }
    /// A code (party, interface, service, agreement, practice, activity) that another row already uses.
    public static var duplicateCode: Self { Self("duplicateCode") }
    /// A short code or email that matches more than one row.
    public static var ambiguousReference: Self { Self("ambiguousReference") }
    /// A short code, email or id that matches no row of the referenced table.
    public static var unknownReference: Self { Self("unknownReference") }
    /// A row cannot be removed because other rows still refer to it.
    public static var stillReferenced: Self { Self("stillReferenced") }
    /// A domain rule refuses the edit (for example approving an SPI without an approver).
    public static var ruleViolated: Self { Self("ruleViolated") }
    /// An import file is not a canonical export of a register.
    public static var malformedExport: Self { Self("malformedExport") }
    /// SQLite or the replication core failed.
    public static var database: Self { Self("database") }
    /// An edit this replica's party may not make (see docs/permissions.md).
    public static var forbidden: Self { Self("forbidden") }

    /// Whether the failure is the caller's input (as opposed to the environment), which the `spi` command
    /// reports with the usage exit status.
    public var isInputError: Bool {
        [
            .unknownTable, .unknownColumn, .invalidID, .invalidValue, .missingField, .duplicateCode,
            .ambiguousReference,
            .unknownReference, .stillReferenced, .ruleViolated, .notFound, .malformedExport, .forbidden,
        ].contains(self)
    }
}
