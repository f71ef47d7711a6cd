public import SPIIdentity

/// Decides, per session, what a verified peer may receive and which of its changes this replica accepts.
///
/// The transport authenticates the peer (mutual TLS against the trusted peer ids) and then asks the access control
/// for the session's ``SessionAccess``, on the replica's own connection. The register's domain layer implements it
/// (parties bound to peers, read scopes, write rules); without one, every trusted peer receives and may write
/// everything.
///
/// ```swift
/// struct EverythingAllowed: SyncAccessControl {
///     func access(for peer: PeerID, replica: Replica) throws -> SessionAccess { SessionAccess() }
/// }
/// ```
public protocol SyncAccessControl: Sendable {
    /// The access of `peer` in one session with `replica`.
    func access(for peer: PeerID, replica: Replica) throws -> SessionAccess
}

/// What one peer may do in one session: the rows it may receive and the changes this replica accepts from it.
public struct SessionAccess {
    /// The rows and origins the peer may receive; nil for everything.
    public var scope: (any ReadScope)?
    /// The judge of the peer's changes; nil accepts every change.
    public var gate: (any WriteGate)?
    /// Who the peer speaks for, for logs (such as `party FAB`).
    public var description: String

    /// Creates a session access; the default allows everything.
    public init(scope: (any ReadScope)? = nil, gate: (any WriteGate)? = nil, description: String = "unrestricted") {
        self.scope = scope
        self.gate = gate
        self.description = description
    }
}
