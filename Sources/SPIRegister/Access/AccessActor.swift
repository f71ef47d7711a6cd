/// Who a site speaks for, as access rules see it.
///
/// The register's authority (the organization's first replica: its site id is the register id) and sites bound
/// to a party of kind `organization` act for the organization; a site bound to another party acts for that party;
/// any other site is unbound and may write nothing.
public enum AccessActor: Sendable, Hashable, CustomStringConvertible {
    /// The organization: it may read and write everything.
    case organization
    /// A provider (or integrator) party, by its row id.
    case party(String)
    /// A site no party is bound to.
    case unbound

    /// The party id, for a party.
    public var partyID: String? {
        if case .party(let id) = self { return id }
        return nil
    }

    /// Whether it acts for the organization.
    public var isOrganization: Bool { self == .organization }

    public var description: String {
        switch self {
        case .organization: "the organization"
        case .party(let id): "party \(id)"
        case .unbound: "an unbound site"
        }
    }
}
