public import SPIErrorCode

/// An error from ``RegisterCheck`` or ``NorthwindDemo``: bad input rather than a broken register (a broken register
/// produces findings, never errors).
///
/// ```swift
/// catch let error as RegisterCheckError where error.code == .invalidDate { … }
/// ```
public struct RegisterCheckError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public typealias Code = ErrorCode<RegisterCheckError>

    /// The kind of failure.
    public var code: Code
    /// A one-line explanation for people.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension ErrorCode where Domain == RegisterCheckError {
    /// A date argument is not an ISO `YYYY-MM-DD` calendar date.
    public static var invalidDate: Self { Self("invalidDate") }
    /// The seeded practices or activities that the operation needs are missing.
    public static var missingReferenceData: Self { Self("missingReferenceData") }
    /// The register already holds the rows the operation would create.
    public static var notEmpty: Self { Self("notEmpty") }
}
