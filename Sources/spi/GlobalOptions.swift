import ArgumentParser
import Foundation
import Logging
import SPIReplication
import SPIIdentity
import SPITransport
import SPIRegister

/// The options every command takes: where the register file is.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "The register file (default: $SPI_DB, else ./spi.db).",
            valueName: "path"))
    var db: String?

    /// The register file's path: `--db`, else `$SPI_DB`, else `./spi.db`.
    var path: String {
        if let db { return db }
        if let environment = ProcessInfo.processInfo.environment["SPI_DB"], !environment.isEmpty { return environment }
        return "spi.db"
    }

    /// The logger every command hands to the libraries.
    var logger: Logger { Logger(label: "spi") }

    /// Opens the register at ``path``.
    ///
    /// Local edits are checked against the access rules of the party this replica speaks for.
    func openRegister() throws -> Register {
        let register = try Register(path: path, logger: logger)
        register.enforcesAccessRules = true
        return register
    }

    /// The peer identity of `register`'s replica: its key, beside the replica file. It is never made anew: a missing
    /// key, or one of another replica, is an error that says how to recover.
    func identity(for register: Register) throws -> PeerIdentity {
        try PeerIdentity.load(forReplicaAt: register.replica.path, site: register.replica.siteID, logger: logger)
    }

    /// The signer of the files `register`'s replica writes: its peer identity's key (beside the replica file).
    func signer(for register: Register) throws -> ChangeSetSigner {
        try identity(for: register).changeSetSigner()
    }
}
