public import SPIReplication

/// The scope of a change-set file, as `spi changes export` chooses it.
public struct FileScope: Sendable {
    /// The party whose view the file holds; nil for every row.
    public var viewer: AccessActor?
    /// The read scope to export with.
    public var scope: RegisterReadScope
    /// Whether the scope was chosen from the receiver's binding (not given explicitly).
    public var fromReceiver: Bool
}

extension Register {
    /// The scope of a change-set file for the replica `receiver` (the site that wrote the knowledge file the export
    /// is computed against), or for `party` when given.
    ///
    /// - With `party`: the rows that party may see.
    /// - Without, and with a receiver that is bound to a party that is not the organization's: that party's rows,
    ///   with the receiver's binding, so that rows it may not have received yet are sent whole.
    /// - `all`, or a receiver that acts for the organization: every row.
    ///
    /// Every replica exports the changes of every origin it holds, within what the viewer may see: each carries its
    /// origin's signature, so a provider may pass on the organization's changes (or another provider's) as well as
    /// its own.
    public func fileScope(receiver: SiteID?, party: String?, all: Bool) throws -> FileScope {
        let origins: Set<SiteID>? = nil
        let registerID = replica.registerID
        try replica.stamp()
        // The file vouches for other sites' changes only when this replica holds all its reader may see.
        let sender = try replica.read { db in try AccessRules.actor(of: replica.siteID, registerID: registerID, db) }
        if let party {
            let viewer = try actor(ofParty: party)
            return FileScope(
                viewer: viewer, scope: RegisterReadScope(viewer: viewer, origins: origins, sender: sender),
                fromReceiver: false)
        }
        if !all, let receiver {
            let (actor, binding) = try replica.read { db in
                (
                    try AccessRules.actor(of: receiver, registerID: registerID, db),
                    try AccessRules.latestBinding(of: receiver, db)
                )
            }
            if !actor.isOrganization {
                return FileScope(
                    viewer: actor,
                    scope: RegisterReadScope(viewer: actor, origins: origins, binding: binding, sender: sender),
                    fromReceiver: true)
            }
            // A receiver acting for the organization gets every row; whole, when it has not seen its binding yet.
            return FileScope(
                viewer: nil,
                scope: RegisterReadScope(viewer: .organization, origins: origins, binding: binding, sender: sender),
                fromReceiver: false)
        }
        return FileScope(
            viewer: nil, scope: RegisterReadScope(viewer: .organization, origins: origins, sender: sender),
            fromReceiver: false)
    }
}

extension Register {
    /// Merges a change-set file as `spi changes apply` does: it must be signed by the replica that wrote it and every
    /// change must carry its origin's signature (nothing is applied otherwise); each change is judged by its origin,
    /// with the writer as its carrier (whose coverage claims count only for what it holds), and this replica keeps
    /// only its own scope.
    ///
    /// - Throws: as `Replica.applyChanges(from:requireSignature:gate:progress:)`.
    @discardableResult
    public func applySignedChanges(from path: String, progress: ((ApplyReport) -> Void)? = nil) throws -> ApplyReport {
        let replica = self.replica
        return try replica.applyChanges(
            from: path, requireSignature: true,
            gate: { writer in FileWriteGate(registerID: replica.registerID, ownSite: replica.siteID, writer: writer) },
            progress: progress)
    }
}
