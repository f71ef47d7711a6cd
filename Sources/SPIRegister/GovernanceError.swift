public import SPIErrorCode

/// A governance step refused: an SPI in the wrong status for the step, or approval gates that fail.
///
/// The ``message`` is one line; when approval gates fail, ``failures`` names each of them (``lines`` gives the
/// message followed by one line per failure, as the `spi` command prints them). Nothing is written when a step is
/// refused.
///
/// ```swift
/// do {
///     try register.write { try Governance.approve("SPI-CHG-TAIL", by: "sofia.lindqvist@northwind.example", in: $0) }
/// } catch let error as GovernanceError where error.code == .approvalGatesFailed {
///     for failure in error.failures { print(failure.gate, failure.message) }
/// }
/// ```
public struct GovernanceError: Error, Sendable, CustomStringConvertible {
    /// What kind of refusal this is. New codes may be added; switch with a `default`.
    public typealias Code = ErrorCode<GovernanceError>

    /// The kind of refusal.
    public var code: Code
    /// A one-line explanation for people.
    public var message: String
    /// The SPI concerned: its code (or id when it has no code).
    public var interface: String
    /// The SPI's status when the step was refused (`draft` when it has none).
    public var status: String
    /// The failing approval gates, in order (empty unless the code is `Code.approvalGatesFailed`).
    public var failures: [ApprovalGateFailure]

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, interface: String, status: String, failures: [ApprovalGateFailure] = []
    ) {
        self.code = code
        self.message = message
        self.interface = interface
        self.status = status
        self.failures = failures
    }

    /// The message, then one indented line per failing gate.
    public var lines: [String] {
        [message] + failures.map { "  - \($0.message)" }
    }

    public var description: String { lines.joined(separator: "\n") }
}

extension ErrorCode where Domain == GovernanceError {
    /// The SPI's status does not allow the step (for example approving a draft).
    public static var wrongStatus: Self { Self("wrongStatus") }
    /// One or more approval gates fail; ``GovernanceError/failures`` names them.
    public static var approvalGatesFailed: Self { Self("approvalGatesFailed") }
}
