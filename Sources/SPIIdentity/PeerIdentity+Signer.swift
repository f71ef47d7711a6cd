extension PeerIdentity {
    /// The signer of what this replica writes (its changes' origin proofs, change-set and knowledge files), with the
    /// same key as its TLS identity.
    public func changeSetSigner() throws -> ChangeSetSigner {
        try ChangeSetSigner(privateKeyPEM: privateKeyPEM)
    }
}
