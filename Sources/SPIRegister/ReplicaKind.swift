/// Which side of the register a replica belongs to.
///
/// The organization creates the register (and owns its SPIs: only it approves or retires them); each provider
/// holds its own replica of the same register.
///
/// ```swift
/// let register = try Register.create(at: "fabrikam.db", name: "Fabrikam", kind: .provider,
///                                    registerID: northwind.replica.registerID, logger: logger)
/// ```
public enum ReplicaKind: String, CaseIterable, Sendable, Codable {
    /// The customer organization (or its service integrator), which creates the register and owns its SPIs.
    case organization
    /// A service provider, which joins an organization's register.
    case provider
}
