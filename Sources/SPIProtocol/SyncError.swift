public import SPIErrorCode

/// Why a sync session failed, with an extensible code, a message for people and the underlying cause.
///
/// The same type reports failures detected here and failures the peer reported in an `Error` message
/// (``isReportedByPeer``). Codes that travel on the wire map one to one to the `ErrorCode` of protocol/sync.md §9;
/// the others (`Code.connectionFailed`, `Code.untrustedPeer`, `Code.notTrustedByPeer`, `Code.busy`, …) are local.
///
/// ```swift
/// do { report = try await client.sync() }
/// catch let error as SyncError where error.code == .busy { retry(after: error.retryAfter) }
/// ```
public struct SyncError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public typealias Code = ErrorCode<SyncError>

    /// The kind of failure.
    public var code: Code
    /// A one-line explanation for people.
    public var message: String
    /// True when the peer detected the failure and reported it in an `Error` (or `Busy`) message.
    public var isReportedByPeer: Bool
    /// For `Code.busy`: how long the server asked to wait before retrying.
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
    /// The code sent in an `Error` message for this failure; `SyncError.Code.internalError` for local-only codes.
    var wireCode: Spi_Sync_V1_ErrorCode {
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
    init(wireCode: Spi_Sync_V1_ErrorCode) {
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

extension ErrorCode where Domain == SyncError {
    /// A message arrived out of order, or broke a rule of the protocol (wire code 1).
    public static var protocolViolation: Self { Self("protocolViolation") }
    /// A frame did not decode, or a field had an invalid value (wire code 2).
    public static var malformedMessage: Self { Self("malformedMessage") }
    /// A length prefix exceeded the maximum frame size (wire code 3).
    public static var frameTooLarge: Self { Self("frameTooLarge") }
    /// The two sides share no protocol version (wire code 4).
    public static var unsupportedVersion: Self { Self("unsupportedVersion") }
    /// The two replicas belong to different registers (wire code 5).
    public static var registerMismatch: Self { Self("registerMismatch") }
    /// The two replicas have different register schema versions (wire code 6).
    public static var schemaMismatch: Self { Self("schemaMismatch") }
    /// Both replicas have the same site id: one file is a copy of the other (wire code 7).
    public static var siteConflict: Self { Self("siteConflict") }
    /// A change batch failed validation and was not applied (wire code 8).
    public static var invalidBatch: Self { Self("invalidBatch") }
    /// The handshake took too long, or the connection stayed idle too long (wire code 9).
    public static var timeout: Self { Self("timeout") }
    /// A local failure, such as a disk error (wire code 10).
    public static var internalError: Self { Self("internalError") }
    /// The server is shutting down (wire code 11).
    public static var shuttingDown: Self { Self("shuttingDown") }
    /// The peer sent an error code this build does not know (wire code 0 or a newer one).
    public static var unspecified: Self { Self("unspecified") }
    /// The connection closed before the session completed.
    public static var connectionClosed: Self { Self("connectionClosed") }
    /// The connection could not be opened (refused, unreachable, name not found, connect timeout).
    public static var connectionFailed: Self { Self("connectionFailed") }
    /// The peer presented a certificate whose peer id is not in the trusted-peer list; it was refused.
    public static var untrustedPeer: Self { Self("untrustedPeer") }
    /// The peer refused this replica's certificate: this replica's peer id is not in the peer's trusted list.
    public static var notTrustedByPeer: Self { Self("notTrustedByPeer") }
    /// The TLS layer failed for another reason.
    public static var tlsFailure: Self { Self("tlsFailure") }
    /// The server answered `Busy`: it serves as many sessions as it allows; retry later.
    public static var busy: Self { Self("busy") }
}
