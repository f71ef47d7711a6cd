/// An error about peer identity and trust: a bad peer id, name or address, a duplicate, an unknown peer, or an
/// identity file that cannot be read or written.
///
/// ```swift
/// catch let error as PeerError where error.code == .duplicateName { … }
/// ```
public struct PeerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidPeerID, invalidName, invalidAddress, duplicateName, duplicatePeerID, unknownPeer,
                ownPeerID, identityUnreadable, identityUnwritable, identityMissing, identityMismatch
        }
        private let base: Base

        /// Text that is not a peer id (length, alphabet or check characters).
        public static let invalidPeerID = Code(base: .invalidPeerID)
        /// A peer name that is empty, too long, or has characters other than letters, digits, `.`, `_` and `-`.
        public static let invalidName = Code(base: .invalidName)
        /// An address that is not `HOST:PORT`.
        public static let invalidAddress = Code(base: .invalidAddress)
        /// A trusted peer with that name exists.
        public static let duplicateName = Code(base: .duplicateName)
        /// That peer id is already trusted under another name.
        public static let duplicatePeerID = Code(base: .duplicatePeerID)
        /// No trusted peer has that name.
        public static let unknownPeer = Code(base: .unknownPeer)
        /// The peer id is this replica's own.
        public static let ownPeerID = Code(base: .ownPeerID)
        /// The key or certificate file exists but cannot be read or parsed.
        public static let identityUnreadable = Code(base: .identityUnreadable)
        /// The key or certificate file cannot be written.
        public static let identityUnwritable = Code(base: .identityUnwritable)
        /// The key of an existing replica is gone: the replica's identity is lost, and a new key would silently make
        /// it another replica.
        public static let identityMissing = Code(base: .identityMissing)
        /// The key beside a replica belongs to another site (a key copied from another replica).
        public static let identityMismatch = Code(base: .identityMismatch)

        /// The code's name, as in logs (`duplicateName`).
        public var description: String { base.rawValue }

        /// Whether the failure is the caller's input (a mistyped id, name or address; a duplicate), which the `spi`
        /// command reports with the usage exit status, as opposed to the environment (unreadable key files).
        public var isInputError: Bool {
            switch base {
            case .invalidPeerID, .invalidName, .invalidAddress, .duplicateName, .duplicatePeerID, .unknownPeer, .ownPeerID:
                true
            case .identityUnreadable, .identityUnwritable, .identityMissing, .identityMismatch:
                false
            }
        }
    }

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
