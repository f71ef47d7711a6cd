public import SPIIdentity
import SPIReplication
import SPISQLite

extension Governance {
    /// Signs the current content of an SPI for the signing person's party, with the replica's key, and stores the
    /// signature as a replicated `interface_signature` row (protocol/signoff.md).
    ///
    /// ```swift
    /// let signature = try register.write { store in
    ///     try Governance.sign("SPI-INC-FAB", by: "grace.holloway@fabrikam.example", signer: signer,
    ///                         registerID: register.replica.registerID, in: store)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - reference: the SPI, by id or code.
    ///   - person: the signing person, by id or email: a person of the party the replica speaks for.
    ///   - date: the day (`YYYY-MM-DD`); nil for today.
    ///   - signer: the replica's own key.
    ///   - registerID: the register the signature is for (it is part of the signed statement).
    ///   - store: the store of an open write transaction.
    /// - Returns: the stored signature.
    /// - Throws: `RegisterError.Code.forbidden` when the replica does not speak for the person's party (a provider
    ///   signs only its own SPIs, the organization's side only as the organization), or the SPI is retired;
    ///   a ``RegisterError`` for an unknown SPI or person or a malformed date. Nothing is written when it throws.
    @discardableResult
    public static func sign(
        _ reference: String, by person: String, on date: String? = nil, signer: ChangeSetSigner,
        registerID: RegisterID, in store: RecordStore
    ) throws -> InterfaceSignature {
        let interface = try store.record("interface", reference)
        let code = name(of: interface)
        let signingPerson = try store.record("person", person)
        if let date, !CivilDate.isValid(date) {
            throw RegisterError(.invalidValue, "invalid signing date '\(date)': expected a date as YYYY-MM-DD")
        }
        guard let partyID = signingPerson["party_id"].textValue,
            let party = try store.recordIfPresent(store.spec("party"), id: partyID)
        else {
            throw RegisterError(.invalidValue, "\(person) belongs to no party, so cannot sign for one")
        }
        let partyCode = party["code"].textValue ?? partyID
        if status(of: interface) == retired {
            throw RegisterError(.forbidden, "\(code) is retired; a retired SPI is not signed")
        }
        // The replica must speak for the person's party: its signature is checked against that binding.
        let actor = try AccessRules.actor(of: signer.site, registerID: registerID, store.db)
        let organizationSide = isOrganizationSide(party)
        switch actor {
        case .organization where organizationSide:
            break
        case .party(let id) where id == partyID:
            guard organizationSide || interface["provider_id"].textValue == partyID else {
                throw RegisterError(
                    .forbidden, "sign-off: \(partyCode) signs only its own SPIs; \(code) is another provider's")
            }
        case .unbound:
            throw RegisterError(
                .forbidden,
                "sign-off: this replica speaks for no party (the organization binds it with `spi party bind`), so its "
                    + "signature would prove nothing")
        default:
            let speaksFor = try actor.partyID.flatMap { try store.label("party", $0) } ?? "the organization"
            throw RegisterError(
                .forbidden,
                "sign-off: this replica speaks for \(speaksFor), and \(person) is a person of \(partyCode): a person signs "
                    + "on a replica of their own party")
        }
        if !organizationSide, interface["provider_id"].textValue != partyID {
            throw RegisterError(
                .forbidden, "sign-off: only the organization and \(code)'s provider sign it; \(partyCode) is neither")
        }
        let content = try InterfaceContent(of: interface.id, in: store)
        let signature = try InterfaceSignature.make(
            content: content, partyID: partyID, personID: signingPerson.id, version: interface["version"].textValue,
            signedOn: date ?? store.today, registerID: registerID, signer: signer)
        try store.put("interface_signature", id: signature.id, fields: signature.fields, mode: .insert)
        try freeze(interface, event: "signed", by: signingPerson.id, on: signature.signedOn, in: store)
        return signature
    }

    /// Whether `party` signs on the organization's side: a party of kind `organization`, or an internal party (such
    /// as the organization's SIAM office). An internal provider signs its own SPIs as their provider.
    static func isOrganizationSide(_ party: Record) -> Bool {
        party["kind"].textValue == "organization" || party["internal"].integerValue == 1
    }

    /// The sign-off state of one SPI: every signature checked, whether it is in force, what changed since signed.
    ///
    /// - Throws: a ``RegisterError`` when no SPI has that id or code.
    public static func signOff(of reference: String, registerID: RegisterID, in store: RecordStore) throws
        -> SignOffState
    {
        let interface = try store.record("interface", reference)
        let current = try InterfaceContent(of: interface.id, in: store)
        let digest = current.digest
        var checks: [SignOffState.Check] = []
        let rows = try store.select(
            store.spec("interface_signature"), where: "interface_id = ?", [.text(interface.id)],
            order: "signed_on, id")
        for record in rows {
            guard let signature = InterfaceSignature(record) else { continue }
            checks.append(try check(signature, current: digest, registerID: registerID, in: store))
        }
        let valid = checks.filter { $0.verdict != .invalid }
        let provider = interface["provider_id"].textValue
        let latestOrganization = valid.last { $0.isOrganizationSide && $0.signature.partyID != provider }
        let latestProvider = valid.last { $0.signature.partyID == provider }
        let latest = [latestOrganization, latestProvider].compactMap { $0 }
        // The approval covers the content it froze, when approving froze one (approvals written before versions
        // existed, or by a plain edit, froze nothing: then the status alone says approved).
        let approvedContent = try Governance.approvedDigest(ofInterface: interface.id, in: store)
        let changedSinceApproved = status(of: interface) == approved && approvedContent.map { $0 != digest } ?? false
        let inForce =
            status(of: interface) == approved && !changedSinceApproved
            && latestOrganization?.verdict == .current && latestProvider?.verdict == .current
        let stale = latest.filter { $0.verdict == .changedSinceSigned }
            .max { ($0.signature.signedOn, $0.signature.id) < ($1.signature.signedOn, $1.signature.id) }
        var changes: [SignOffState.Change] = []
        if let stale {
            let signed = try InterfaceContent(canonicalText: stale.signature.content)
            for change in try signed.changes(to: current, in: store) {
                let version = try Replica.lastChange(table: change.table, id: change.rowID, store.db)
                var by: String?
                if let version, let site = version.site {
                    // Who the writing site spoke for when it wrote.
                    let actor = try AccessRules.actor(
                        of: site, asOf: version.clock.rawValue, registerID: registerID, store.db)
                    by =
                        try actor.partyID.flatMap { try store.label("party", $0) }
                        ?? (actor == .organization ? "the organization" : nil)
                }
                let at = version.flatMap { $0.isZero ? nil : $0.clock.physicalMilliseconds }
                changes.append(SignOffState.Change(change: change, by: by, atMilliseconds: at))
            }
        }
        return SignOffState(
            interfaceID: interface.id, code: name(of: interface), status: status(of: interface),
            version: interface["version"].textValue,
            provider: try provider.flatMap { try store.label("party", $0) }, digest: digest, checks: checks,
            isInForce: inForce, isChangedSinceSigned: stale != nil, isChangedSinceApproved: changedSinceApproved,
            changes: changes, signedBaseline: stale)
    }

    /// The sign-off state of every SPI that has a signature, by code.
    public static func signOffStates(registerID: RegisterID, in store: RecordStore) throws -> [SignOffState] {
        let ids = try store.db.rows(
            "SELECT DISTINCT s.interface_id FROM interface_signature s JOIN interface i ON i.id = s.interface_id ORDER BY i.code"
        )
        return try ids.compactMap { row in
            try row[0].textValue.map { try signOff(of: $0, registerID: registerID, in: store) }
        }
    }

    /// Checks one signature: its content against its digest and SPI, the statement against its key, the key's site
    /// against the party's bindings when the row was made, and the person against the party.
    static func check(
        _ signature: InterfaceSignature, current digest: String, registerID: RegisterID, in store: RecordStore
    ) throws -> SignOffState.Check {
        let party = try store.recordIfPresent(store.spec("party"), id: signature.partyID)
        let partyName = try store.label("party", signature.partyID) ?? "(a removed party)"
        let personName = try store.label("person", signature.personID) ?? "(a removed person)"
        let organizationSide = party.map(isOrganizationSide) ?? false
        func verdict(_ problem: String?) -> SignOffState.Check {
            SignOffState.Check(
                signature: signature,
                verdict: problem != nil ? .invalid : (signature.digest == digest ? .current : .changedSinceSigned),
                problem: problem, party: partyName, person: personName, isOrganizationSide: organizationSide)
        }
        let content = try? InterfaceContent(canonicalText: signature.content)
        guard let content, content.digest == signature.digest else {
            return verdict("the signed content does not match the signature's digest")
        }
        guard content.interfaceID == signature.interfaceID else {
            return verdict("the signed content is another SPI's")
        }
        guard signature.isSignedByItsKey(registerID: registerID), let site = signature.site else {
            return verdict("the signature does not verify with the key it carries (forged or altered)")
        }
        guard party != nil else { return verdict("the signing party is not in the register") }
        let clock = try Replica.rowVersion(table: "interface_signature", id: signature.id, store.db)
            .flatMap { $0.isZero ? nil : $0.clock.rawValue }
        let actor = try AccessRules.actor(of: site, asOf: clock, registerID: registerID, store.db)
        let bound = actor == .party(signature.partyID) || (organizationSide && actor == .organization)
        guard bound else {
            let peer = signature.peerID?.description ?? site.description
            return verdict("the signing replica (peer \(peer)) was not bound to \(partyName) when it signed")
        }
        let personParty = try store.recordIfPresent(store.spec("person"), id: signature.personID)?["party_id"].textValue
        guard personParty == signature.partyID else {
            return verdict("\(personName) is not a person of \(partyName)")
        }
        return verdict(nil)
    }
}
