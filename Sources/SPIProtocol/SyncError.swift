/// Why a sync session failed, with an extensible code, a message for people and the underlying cause.
///
/// The same type reports failures detected here and failures the peer reported in an `Error` message
/// (``isReportedByPeer``). Codes that travel on the wire map one to one to `Spi_Sync_V1_ErrorCode`; the others
/// (``Code/connectionFailed``, ``Code/untrustedPeer``, ``Code/notTrustedByPeer``, ``Code/busy``, …) are local.
///
/// ```swift
/// do { report = try await client.sync() }
/// catch let error as SyncError where error.code == .busy { retry(after: error.retryAfter) }
/// ```
public struct SyncError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case protocolViolation, malformedMessage, frameTooLarge, unsupportedVersion, registerMismatch,
                schemaMismatch, siteConflict, invalidBatch, timeout, internalError, shuttingDown, unspecified,
                connectionClosed, connectionFailed, untrustedPeer, notTrustedByPeer, tlsFailure, busy
        }
        private let base: Base

        /// A message arrived out of order, or broke a rule of the protocol (wire code 1).
        public static let protocolViolation = Code(base: .protocolViolation)
        /// A frame did not decode, or a field had an invalid value (wire code 2).
        public static let malformedMessage = Code(base: .malformedMessage)
        /// A length prefix exceeded the maximum frame size (wire code 3).
        public static let frameTooLarge = Code(base: .frameTooLarge)
        /// The two sides share no protocol version (wire code 4).
        public static let unsupportedVersion = Code(base: .unsupportedVersion)
        /// The two replicas belong to different registers (wire code 5).
        public static let registerMismatch = Code(base: .registerMismatch)
        /// The two replicas have different register schema versions (wire code 6).
        public static let schemaMismatch = Code(base: .schemaMismatch)
        /// Both replicas have the same site id: one file is a copy of the other (wire code 7).
        public static let siteConflict = Code(base: .siteConflict)
        /// A change batch failed validation and was not applied (wire code 8).
        public static let invalidBatch = Code(base: .invalidBatch)
        /// The handshake took too long, or the connection stayed idle too long (wire code 9).
        public static let timeout = Code(base: .timeout)
        /// A local failure, such as a disk error (wire code 10).
        public static let internalError = Code(base: .internalError)
        /// The server is shutting down (wire code 11).
        public static let shuttingDown = Code(base: .shuttingDown)
        /// The peer sent an error code this build does not know (wire code 0 or a newer one).
        public static let unspecified = Code(base: .unspecified)
        /// The connection closed before the session completed.
        public static let connectionClosed = Code(base: .connectionClosed)
        /// The connection could not be opened (refused, unreachable, name not found, connect timeout).
        public static let connectionFailed = Code(base: .connectionFailed)
        /// The peer presented a certificate whose peer id is not in the trusted-peer list; it was refused.
        public static let untrustedPeer = Code(base: .untrustedPeer)
        /// The peer refused this replica's certificate: this replica's peer id is not in the peer's trusted list.
        public static let notTrustedByPeer = Code(base: .notTrustedByPeer)
        /// The TLS layer failed for another reason.
        public static let tlsFailure = Code(base: .tlsFailure)
        /// The server answered `Busy`: it serves as many sessions as it allows; retry later.
        public static let busy = Code(base: .busy)

        /// The code's name, as in logs (`registerMismatch`).
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A one-line explanation for people.
    public var message: String
    /// True when the peer detected the failure and reported it in an `Error` (or `Busy`) message.
    public var isReportedByPeer: Bool
    /// For ``Code/busy``: how long the server asked to wait before retrying.
    public var retryAfter: Duration?
    /// The error that caused this one, described (kept as text so that the error stays `Hashable`).
    public var underlying: String?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, isReportedByPeer: Bool = false, retryAfter: Duration? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.isReportedByPeer = isReportedByPeer
        self.retryAfter = retryAfter
        self.underlying = underlying.map { String(describing: $0) }
    }

    /// The message, marked when the peer reported it, with the underlying cause.
    public var description: String {
        var text = isReportedByPeer ? "the peer reported: \(message)" : message
        if let underlying { text += " (\(underlying))" }
        return text
    }
}

extension SyncError.Code {
    /// The code sent in an `Error` message for this failure; ``SyncError/Code/internalError`` for local-only codes.
    public var wireCode: Spi_Sync_V1_ErrorCode {
        switch self {
        case .protocolViolation: .protocolViolation
        case .malformedMessage: .malformedMessage
        case .frameTooLarge: .frameTooLarge
        case .unsupportedVersion: .unsupportedVersion
        case .registerMismatch: .registerMismatch
        case .schemaMismatch: .schemaMismatch
        case .siteConflict: .siteConflict
        case .invalidBatch: .invalidBatch
        case .timeout: .timeout
        case .shuttingDown: .shuttingDown
        case .unspecified: .unspecified
        default: .internal
        }
    }

    /// The code for a wire code received in an `Error` message.
    public init(wireCode: Spi_Sync_V1_ErrorCode) {
        switch wireCode {
        case .protocolViolation: self = .protocolViolation
        case .malformedMessage: self = .malformedMessage
        case .frameTooLarge: self = .frameTooLarge
        case .unsupportedVersion: self = .unsupportedVersion
        case .registerMismatch: self = .registerMismatch
        case .schemaMismatch: self = .schemaMismatch
        case .siteConflict: self = .siteConflict
        case .invalidBatch: self = .invalidBatch
        case .timeout: self = .timeout
        case .internal: self = .internalError
        case .shuttingDown: self = .shuttingDown
        case .unspecified, .UNRECOGNIZED: self = .unspecified
        }
    }
}
