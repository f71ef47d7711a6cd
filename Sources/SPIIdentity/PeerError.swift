public import SPIErrorCode

/// An error about peer identity and trust: a bad peer id, name or address, a duplicate, an unknown peer, or an
/// identity file that cannot be read or written.
///
/// ```swift
/// catch let error as PeerError where error.code == .duplicateName { … }
/// ```
public struct PeerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public typealias Code = ErrorCode<PeerError>

    /// The kind of failure.
    public var code: Code
    /// A one-line explanation for people.
    public var message: String
    /// The error that caused this one, described.
    public var underlying: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying.map { String(describing: $0) }
    }

    /// The message, with the underlying cause.
    public var description: String {
        if let underlying { return "\(message) (\(underlying))" }
        return message
    }
}

extension ErrorCode where Domain == PeerError {
    /// Text that is not a peer id (length, alphabet or check characters).
    public static var invalidPeerID: Self { Self("invalidPeerID") }
    /// A peer name that is empty, too long, or has characters other than letters, digits, `.`, `_` and `-`.
    public static var invalidName: Self { Self("invalidName") }
    /// An address that is not `HOST:PORT`.
    public static var invalidAddress: Self { Self("invalidAddress") }
    /// A trusted peer with that name exists.
    public static var duplicateName: Self { Self("duplicateName") }
    /// That peer id is already trusted under another name.
    public static var duplicatePeerID: Self { Self("duplicatePeerID") }
    /// No trusted peer has that name.
    public static var unknownPeer: Self { Self("unknownPeer") }
    /// The peer id is this replica's own.
    public static var ownPeerID: Self { Self("ownPeerID") }
    /// The key or certificate file exists but cannot be read or parsed.
    public static var identityUnreadable: Self { Self("identityUnreadable") }
    /// The key or certificate file cannot be written.
    public static var identityUnwritable: Self { Self("identityUnwritable") }
    /// The key of an existing replica is gone: the replica's identity is lost, and a new key would silently make
    /// it another replica.
    public static var identityMissing: Self { Self("identityMissing") }
    /// The key beside a replica belongs to another site (a key copied from another replica).
    public static var identityMismatch: Self { Self("identityMismatch") }

    /// Whether the failure is the caller's input (a mistyped id, name or address; a duplicate), which the `spi`
    /// command reports with the usage exit status, as opposed to the environment (unreadable key files).
    public var isInputError: Bool {
        [.invalidPeerID, .invalidName, .invalidAddress, .duplicateName, .duplicatePeerID, .unknownPeer, .ownPeerID]
            .contains(self)
    }
}
