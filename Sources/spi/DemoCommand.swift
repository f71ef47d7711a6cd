import ArgumentParser
import Foundation
import SPIRegister
import SPISQLite
import SPITransport
import SPIIdentity

/// `spi demo`: builds the Northwind example.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build the Northwind example register in a directory.",
        discussion: """
            Creates DIR/northwind.db, the organization's replica of the Northwind Retail register (its SIAM office, \
            three providers, twelve SPIs with RACI, integration points, information items, targets and reviews, \
            and a few planted gaps for `spi check` to find), and one provider replica of the same register per \
            provider: fabrikam.db, contoso.db and tailspin.db. Then it shows the whole system at work: the \
            organization binds each provider's replica to its party and serves sync sessions on a loopback port \
            (TLS 1.3, peer ids pinned both ways); each provider syncs; Fabrikam edits its replica offline and \
            syncs again, and the edit reaches the organization but not Contoso, whose party may not see Fabrikam's \
            SPIs. It ends with a verdict: every provider holds exactly the organization's register filtered to its \
            party (their digests are compared), then what to look at next.

            Refuses, changing nothing, when one of those files exists, unless --replace is given: then it removes \
            the demo's own files in DIR (the four replicas with their keys and certificates) and builds them anew.
            Exit status 1 when the verdict fails.

            Examples:
              spi demo
              spi demo --dir /tmp/northwind --replace
            """
    )

    /// The provider replicas the demo creates: file name and display name.
    static let providers = [
        ("fabrikam.db", "Fabrikam Service Desk"), ("contoso.db", "Contoso Cloud Hosting"),
        ("tailspin.db", "Tailspin Application Services"),
    ]
    /// The demo parties the provider replicas speak for, in the order of ``providers``.
    static let providerCodes = ["FAB", "CON", "TAIL"]

    /// Accepted like on every command, but the demo writes to --dir.
    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    @Option(help: ArgumentHelp("The directory to build the demo in.", valueName: "dir"))
    var dir: String = "northwind"

    @Option(help: ArgumentHelp("Build the demo around this date instead of today (YYYY-MM-DD).", valueName: "date"))
    var today: String?

    @Flag(help: "Remove the demo's own files in --dir first (its four replicas, their keys and certificates).")
    var replace = false

    func validate() throws {
        try DateOption.validate(("--today", today))
    }

    func run() async throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        let dirExisted = fileManager.fileExists(atPath: dir, isDirectory: &isDirectory)
        if dirExisted && !isDirectory.boolValue {
            throw RegisterError(.alreadyExists, "\(dir) exists and is not a directory")
        }
        let files = ["northwind.db"] + Self.providers.map(\.0)
        let paths = files.map { URL(fileURLWithPath: dir).appendingPathComponent($0).path }
        let existing = paths.filter { fileManager.fileExists(atPath: $0) }
        if !existing.isEmpty {
            guard replace else {
                throw RegisterError(
                    .alreadyExists,
                    "\(existing[0]) already exists; run again with --replace to build the demo anew, or choose another --dir"
                )
            }
            for path in paths {
                for suffix in ["", "-wal", "-shm", ".key", ".crt"] {
                    try? fileManager.removeItem(atPath: path + suffix)
                }
            }
            print("Replaced the demo in \(dir)/ (removed its \(existing.count) replicas).")
        }
        do {
            try fileManager.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw RegisterError(.database, "cannot create \(dir): \(error.localizedDescription)")
        }
        let logger = global.logger
        do {
            let northwind = try Register.create(
                at: paths[0], name: "Northwind Retail", kind: .organization, registerID: nil, logger: logger)
            let date = today ?? northwind.today
            try northwind.replica.write { db in try NorthwindDemo.populate(db, today: date) }
            var providers: [Register] = []
            for (path, provider) in zip(paths.dropFirst(), Self.providers) {
                providers.append(
                    try Register.create(
                        at: path, name: provider.1, kind: .provider, registerID: northwind.replica.registerID,
                        logger: logger))
            }
            let interfaces = try northwind.read { try $0.records("interface").count }
            let findings = try northwind.read { store in try RegisterCheck.run(store.db, today: date) }
            print(
                summary(
                    register: northwind.replica.registerID.description, interfaces: interfaces,
                    findings: findings.count))
            let reconciled = try await reconcile(northwind, providers)
            print(next)
            guard reconciled else { throw ExitCode.failure }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            for path in paths {
                for suffix in ["", "-wal", "-shm", ".key", ".crt"] {
                    try? fileManager.removeItem(atPath: path + suffix)
                }
            }
            if !dirExisted { try? fileManager.removeItem(atPath: dir) }
            throw error
        }
    }

    /// Pairs the providers with the organization, runs the organization's sync server on a loopback port, and
    /// syncs in a star, with one offline edit by Fabrikam. Returns the verdict: whether every replica holds what it
    /// should (printed as the last line).
    func reconcile(_ organization: Register, _ providers: [Register]) async throws -> Bool {
        let logger = global.logger
        let schema = UInt32(RegisterSchema.currentVersion)
        let hub = try global.identity(for: organization)
        let hubPeers = try TrustedPeerStore(replica: organization.replica)
        print("\nBinding each provider's replica to its party (only the organization binds):")
        for (provider, (file, code)) in zip(providers, zip(Self.providers.map(\.0), Self.providerCodes)) {
            let identity = try global.identity(for: provider)
            try hubPeers.add(
                name: String(file.dropLast(3)), peerID: identity.peerID, address: nil, ownPeerID: hub.peerID)
            try TrustedPeerStore(replica: provider.replica).add(
                name: "northwind", peerID: hub.peerID, address: nil, ownPeerID: identity.peerID)
            try organization.write { store in try PartyBinding.bind(party: code, peer: identity.peerID, store) }
            print(
                "  \(code.padding(toLength: 4, withPad: " ", startingAt: 0)) is bound to \(file)'s peer id \(identity.peerID)"
            )
        }
        let server = try SyncServer(
            configuration: .init(
                replicaPath: organization.replica.path, schemaVersion: schema,
                listen: PeerAddress(host: "127.0.0.1", port: 0), name: organization.name,
                accessControl: RegisterAccessControl()),
            logger: logger)
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let address = try await server.listeningAddress
        print("\nSyncing over TLS 1.3 with the organization's server at \(address) (peer ids pinned both ways):")
        func sync(_ provider: Register, _ what: String) async throws {
            let client = SyncClient(
                configuration: .init(
                    replicaPath: provider.replica.path, schemaVersion: schema, name: provider.name,
                    accessControl: RegisterAccessControl()),
                logger: logger)
            let report = try await client.sync(with: address)
            let name = provider.name.padding(toLength: 30, withPad: " ", startingAt: 0)
            print(
                "  \(name) \(what): received \(report.changesReceived) changes (\(report.bytesReceived) bytes), sent \(report.changesSent)"
            )
        }
        for provider in providers { try await sync(provider, "first sync") }
        let fabrikam = providers[0]
        let contoso = providers[1]
        print("  Sign-off: the organization, Fabrikam and Contoso sign SPIs with their replicas' keys, each offline:")
        try signOff(organization, providers)
        // The organization rewords the same description meanwhile: a conflict, which the later edit (Fabrikam's)
        // wins everywhere, and which both sides list until someone settles it (`spi conflicts`, the app).
        try organization.replica.write { db in
            try db.execute(
                "UPDATE interface SET description = coalesce(description, '') || ' Requests are logged within 15 minutes.' WHERE code = 'SPI-SR-FAB'"
            )
        }
        // Fabrikam's edit comes a few milliseconds later, so that it is the later one on every run.
        try await Task.sleep(for: .milliseconds(5))
        try fabrikam.replica.write { db in
            try db.execute(
                "UPDATE interface SET description = coalesce(description, '') || ' Fabrikam: requests are logged in Jira Service Management within 10 minutes.' WHERE code = 'SPI-SR-FAB'"
            )
        }
        print("  The organization and Fabrikam both reword SPI-SR-FAB's description, each offline; Fabrikam syncs:")
        try await sync(fabrikam, "sync")
        try await sync(providers[1], "sync")
        let atOrganization = try organization.replica.read { db in
            try db.scalar("SELECT description LIKE '%within 10 minutes%' FROM interface WHERE code = 'SPI-SR-FAB'")
        }
        let atContoso = try providers[1].replica.read { db in
            try db.scalar("SELECT count(*) FROM interface WHERE code LIKE '%-FAB'")
        }
        let editArrived = atOrganization == .integer(1)
        let contosoFabrikam = atContoso?.integerValue ?? 0
        let conflicts = try organization.replica.conflicts().count
        print(
            "  The later edit (Fabrikam's) stands; the organization lists \(conflicts) conflict\(conflicts == 1 ? "" : "s") "
                + "to settle (`spi conflicts`, or the app's Conflicts page)")
        print(
            "  The organization holds Fabrikam's edit: \(editArrived ? "yes" : "no"); "
                + "Contoso holds \(contosoFabrikam) of Fabrikam's SPIs (outside its scope)")
        try await sync(providers[2], "sync")
        try await sync(fabrikam, "sync")
        try await sync(contoso, "sync")
        let signedOff = try signOffVerdict([organization, fabrikam, contoso])
        print("\nDigests: each provider holds exactly the organization's register filtered to its scope:")
        print(
            "  \(organization.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(try organization.digest())  (everything)"
        )
        var matching = 0
        for (provider, code) in zip(providers, Self.providerCodes) {
            let expected = try organization.digest(visibleTo: organization.actor(ofParty: code))
            let held = try provider.digest()
            if held == expected { matching += 1 }
            print(
                "  \(provider.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(held)  "
                    + (held == expected
                        ? "= the organization's view for \(code)" : "≠ the organization's view for \(code)!"))
        }
        serving.cancel()
        _ = await serving.result
        let reconciled = matching == providers.count && editArrived && contosoFabrikam == 0 && signedOff
        print(
            reconciled
                ? "\n✓ \(providers.count + 1) replicas reconciled: the organization holds Fabrikam's offline edit, each "
                    + "provider holds exactly its party's scope, SPI-INC-FAB is in force and SPI-CHG-CON is changed since "
                    + "signed on every replica that holds them."
                : "\n✗ The replicas did not reconcile: \(matching) of \(providers.count) providers hold their scope; "
                    + "Fabrikam's edit \(editArrived ? "arrived" : "did not arrive"); sign-off "
                    + (signedOff ? "as expected" : "not as expected") + ". Please report this.")
        return reconciled
    }

    /// The demo's sign-off: the organization (Sofia Lindqvist, SIAM) signs SPI-INC-FAB and SPI-CHG-CON; Fabrikam
    /// signs SPI-INC-FAB and Contoso SPI-CHG-CON on their own replicas; then Contoso edits a role title of
    /// SPI-CHG-CON, so that it is changed since signed once the replicas sync.
    func signOff(_ organization: Register, _ providers: [Register]) throws {
        let date = today ?? organization.today
        let steps: [(Register, String, String)] = [
            (organization, "SPI-INC-FAB", "sofia.lindqvist@northwind.example"),
            (organization, "SPI-CHG-CON", "sofia.lindqvist@northwind.example"),
            (providers[0], "SPI-INC-FAB", "grace.holloway@fabrikam.example"),
            (providers[1], "SPI-CHG-CON", "henrik.larsen@contoso.example"),
        ]
        for (register, spi, person) in steps {
            let signer = try global.signer(for: register)
            let registerID = register.replica.registerID
            let signature = try register.write { store in
                try Governance.sign(spi, by: person, on: date, signer: signer, registerID: registerID, in: store)
            }
            print(
                "    \(register.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(spi) signed by \(person), "
                    + "digest \(signature.digest.prefix(12))…")
        }
        try providers[1].replica.write { db in
            try db.execute(
                """
                UPDATE raci_assignment SET role_title = 'Contoso change authority' WHERE id = (
                    SELECT r.id FROM raci_assignment r JOIN interface i ON i.id = r.interface_id
                    JOIN party p ON p.id = r.party_id JOIN activity a ON a.id = r.activity_id
                    WHERE i.code = 'SPI-CHG-CON' AND p.code = 'CON' ORDER BY a.position, a.code LIMIT 1)
                """)
        }
        print("    Contoso then edits a role title in SPI-CHG-CON, after signing it.")
    }

    /// Prints the sign-off state of SPI-INC-FAB and SPI-CHG-CON on each replica that holds them; true when
    /// SPI-INC-FAB is in force and SPI-CHG-CON changed since signed on every one.
    func signOffVerdict(_ registers: [Register]) throws -> Bool {
        print("\nSign-off, verified on each replica from the replicated signatures:")
        var expected = true
        for register in registers {
            _ = try register.replica.stamp()
            let registerID = register.replica.registerID
            let states = try register.read { store in
                try ["SPI-INC-FAB", "SPI-CHG-CON"].filter { (try? store.resolve("interface", $0)) != nil }.map {
                    try Governance.signOff(of: $0, registerID: registerID, in: store)
                }
            }
            for state in states {
                let changes = state.changes.map(\.change.description).joined(separator: "; ")
                print(
                    "  \(register.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(state.code): \(state.summary)"
                        + (changes.isEmpty ? "" : " (\(changes))"))
                expected = expected && (state.code == "SPI-INC-FAB" ? state.isInForce : state.isChangedSinceSigned)
            }
        }
        return expected
    }

    func summary(register: String, interfaces: Int, findings: Int) -> String {
        """
        Built the Northwind demo in \(dir)/ (register \(register)):
          northwind.db   organization "Northwind Retail": \(interfaces) SPIs, \(findings) findings to look at
        \(Self.providers.map { "  \($0.0.padding(toLength: 14, withPad: " ", startingAt: 0)) provider \"\($0.1)\"" }.joined(separator: "\n"))
        """
    }

    /// What to look at next, with the path of this very `spi` (which may not be on PATH yet).
    var next: String {
        let db = URL(fileURLWithPath: dir).appendingPathComponent("northwind.db").relativePath
        let invoked = CommandLine.arguments.first ?? "spi"
        let spi = invoked.contains("/") ? invoked : "spi"
        let path =
            spi == "spi"
            ? "" : "  alias spi=\(URL(fileURLWithPath: spi).standardizedFileURL.path)   # or put it on PATH\n"
        return """

            Look at it next:
            \(path)  export SPI_DB=\(db)
              spi whoami
              spi party list
              spi interface list
              spi interface show SPI-INC-FAB
              spi raci list --where interface_id=SPI-INC-FAB
              spi integration list --where interface_id=SPI-INC-FAB
              spi check                 # the planted gaps: two Accountables, an overdue review, …
              spi interface verify      # SPI-INC-FAB in force; SPI-CHG-CON changed since signed
              spi conflicts             # the organization and Fabrikam reworded SPI-SR-FAB at once
              sqlite3 \(db) "SELECT code, status, next_review FROM interface ORDER BY code"
              spi report document --provider FAB --format html --out fabrikam-spi.html
              spi changes export --out everything.changes     # the same changes, as a file

            The web app, for the same register in a browser (Ctrl-C stops it):
              spi app --db \(db)       # or: scripts/demo --app
            """
    }
}
