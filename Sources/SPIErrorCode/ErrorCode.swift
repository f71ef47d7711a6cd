/// The extensible code of an error of one domain: a name, compared by value, to which a new release may add.
///
/// Every error type of the package is a struct with a `code`, a message for people and, where it has one, the cause.
/// Its codes are an `ErrorCode` specialised by the error type, declared as static members of a constrained extension,
/// so that callers match them as if they were an enumeration's cases while a new code breaks no one's `switch`:
///
/// ```swift
/// public struct PeerError: Error {
///     public typealias Code = ErrorCode<PeerError>
///     public var code: Code
/// }
/// extension ErrorCode where Domain == PeerError {
///     /// A trusted peer with that name exists.
///     public static var duplicateName: Self { Self("duplicateName") }
/// }
///
/// catch let error as PeerError where error.code == .duplicateName { … }
/// ```
public struct ErrorCode<Domain>: Hashable, Sendable, CustomStringConvertible {
    /// The code's name, as in logs and JSON output (`duplicateName`).
    public let name: String

    /// A code of `Domain` named `name`. Declare each once, as a static member of the domain's extension.
    public init(_ name: String) {
        self.name = name
    }

    /// The code's name.
    public var description: String { name }
}
