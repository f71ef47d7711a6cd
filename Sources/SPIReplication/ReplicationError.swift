public import SPIErrorCode

/// An error from the replication core, with an extensible code, a message for people, and the underlying cause.
///
/// ```swift
/// catch let error as ReplicationError where error.code == .registerMismatch { … }
/// ```
public struct ReplicationError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public typealias Code = ErrorCode<ReplicationError>

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

extension ErrorCode where Domain == ReplicationError {
    /// The file is a SQLite database but not a replica (no replication metadata).
    public static var notAReplica: Self { Self("notAReplica") }
    /// A replica already exists where a new one was to be created.
    public static var alreadyExists: Self { Self("alreadyExists") }
    /// The change set or peer belongs to another register.
    public static var registerMismatch: Self { Self("registerMismatch") }
    /// A remote clock is further ahead of local time than the allowed drift.
    public static var clockTooFarAhead: Self { Self("clockTooFarAhead") }
    /// A change set ended before its end marker.
    public static var truncated: Self { Self("truncated") }
    /// A change set's bytes do not decode, or break the format's rules.
    public static var malformed: Self { Self("malformed") }
    /// The change set's format version is not one this build reads.
    public static var unsupportedVersion: Self { Self("unsupportedVersion") }
    /// A change names a table that is not replicated here.
    public static var unknownTable: Self { Self("unknownTable") }
    /// A change names a column that the table does not have.
    public static var unknownColumn: Self { Self("unknownColumn") }
    /// A change carries a value the column cannot hold.
    public static var invalidValue: Self { Self("invalidValue") }
    /// The conflict, row or record asked for does not exist (or is no longer open).
    public static var notFound: Self { Self("notFound") }
    /// A table has more columns than change capture supports (62 besides `id`).
    public static var tooManyColumns: Self { Self("tooManyColumns") }
    /// A write did something its change capture cannot follow (such as creating a trigger); nothing was written.
    public static var unsupportedWrite: Self { Self("unsupportedWrite") }
    /// The register's authority (its first organization replica, whose site is the register id) cannot change
    /// its site: every replica recognises the authority by it.
    public static var authorityKey: Self { Self("authorityKey") }
    /// A batch would hold more changes of one origin than the held store keeps (their authority cannot be
    /// established yet); nothing of the batch was applied.
    public static var tooManyHeld: Self { Self("tooManyHeld") }
    /// A file is unsigned where a signature is required, or its signature does not prove that the site it names
    /// wrote it; nothing of it was applied.
    public static var badSignature: Self { Self("badSignature") }
}
