/// An error from the replication core, with an extensible code, a message for people, and the underlying cause.
///
/// ```swift
/// catch let error as ReplicationError where error.code == .registerMismatch { … }
/// ```
public struct ReplicationError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notAReplica, alreadyExists, registerMismatch, clockTooFarAhead, truncated, malformed,
                unsupportedVersion, unknownTable, unknownColumn, invalidValue, tooManyColumns, notFound, unsupportedWrite, tooManyHeld, badSignature,
                authorityKey
        }
        private let base: Base

        /// The file is a SQLite database but not a replica (no replication metadata).
        public static let notAReplica = Code(base: .notAReplica)
        /// A replica already exists where a new one was to be created.
        public static let alreadyExists = Code(base: .alreadyExists)
        /// The change set or peer belongs to another register.
        public static let registerMismatch = Code(base: .registerMismatch)
        /// A remote clock is further ahead of local time than the allowed drift.
        public static let clockTooFarAhead = Code(base: .clockTooFarAhead)
        /// A change set ended before its end marker.
        public static let truncated = Code(base: .truncated)
        /// A change set's bytes do not decode, or break the format's rules.
        public static let malformed = Code(base: .malformed)
        /// The change set's format version is not one this build reads.
        public static let unsupportedVersion = Code(base: .unsupportedVersion)
        /// A change names a table that is not replicated here.
        public static let unknownTable = Code(base: .unknownTable)
        /// A change names a column that the table does not have.
        public static let unknownColumn = Code(base: .unknownColumn)
        /// A change carries a value the column cannot hold.
        public static let invalidValue = Code(base: .invalidValue)
        /// The conflict, row or record asked for does not exist (or is no longer open).
        public static let notFound = Code(base: .notFound)
        /// A table has more columns than change capture supports (62 besides `id`).
        public static let tooManyColumns = Code(base: .tooManyColumns)
        /// A write did something its change capture cannot follow (such as creating a trigger); nothing was written.
        public static let unsupportedWrite = Code(base: .unsupportedWrite)
        /// The register's authority (its first organization replica, whose site is the register id) cannot change
        /// its site: every replica recognises the authority by it.
        public static let authorityKey = Code(base: .authorityKey)
        /// A batch would hold more changes of one origin than the held store keeps (their authority cannot be
        /// established yet); nothing of the batch was applied.
        public static let tooManyHeld = Code(base: .tooManyHeld)
        /// A file is unsigned where a signature is required, or its signature does not prove that the site it names
        /// wrote it; nothing of it was applied.
        public static let badSignature = Code(base: .badSignature)

        public var description: String { base.rawValue }
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

    public var description: String {
        if let underlying { return "\(message) (\(underlying))" }
        return message
    }
}
