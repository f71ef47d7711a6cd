/// An error from ``ReportRenderer``: bad arguments rather than a broken register (a broken register is reported,
/// never refused).
///
/// ```swift
/// catch let error as ReportError where error.code == .unknownProvider { … }
/// ```
public struct ReportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownProvider, invalidDate, unknownVersion, invalidArgument
        }
        private let base: Base

        /// The provider filter names no party.
        public static let unknownProvider = Code(base: .unknownProvider)
        /// `today` is not a `YYYY-MM-DD` date.
        public static let invalidDate = Code(base: .invalidDate)
        /// No SPI in scope has the frozen version asked for.
        public static let unknownVersion = Code(base: .unknownVersion)
        /// Another argument is out of its range (such as the number of periods of the levels report).
        public static let invalidArgument = Code(base: .invalidArgument)

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
