public import SPIErrorCode

/// An error from ``ReportRenderer``: bad arguments rather than a broken register (a broken register is reported,
/// never refused).
///
/// ```swift
/// catch let error as ReportError where error.code == .unknownProvider { … }
/// ```
public struct ReportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public typealias Code = ErrorCode<ReportError>

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

extension ErrorCode where Domain == ReportError {
    /// The provider filter names no party.
    public static var unknownProvider: Self { Self("unknownProvider") }
    /// `today` is not a `YYYY-MM-DD` date.
    public static var invalidDate: Self { Self("invalidDate") }
    /// No SPI in scope has the frozen version asked for.
    public static var unknownVersion: Self { Self("unknownVersion") }
    /// Another argument is out of its range (such as the number of periods of the levels report).
    public static var invalidArgument: Self { Self("invalidArgument") }
}
