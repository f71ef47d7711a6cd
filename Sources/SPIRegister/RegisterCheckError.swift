/// An error from ``RegisterCheck`` or ``NorthwindDemo``: bad input rather than a broken register (a broken register
/// produces findings, never errors).
///
/// ```swift
/// catch let error as RegisterCheckError where error.code == .invalidDate { … }
/// ```
public struct RegisterCheckError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidDate, missingReferenceData, notEmpty
        }
        private let base: Base

        /// A date argument is not an ISO `YYYY-MM-DD` calendar date.
        public static let invalidDate = Code(base: .invalidDate)
        /// The seeded practices or activities that the operation needs are missing.
        public static let missingReferenceData = Code(base: .missingReferenceData)
        /// The register already holds the rows the operation would create.
        public static let notEmpty = Code(base: .notEmpty)

        public var description: String { base.rawValue }
    }

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
