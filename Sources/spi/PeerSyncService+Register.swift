import Logging
import SPIProtocol
import SPIRegister
import SPITransport

extension PeerSyncService {
    /// The service that syncs a register's replica with `peers` (each `HOST[:PORT]`, the sync port by default) under
    /// the register's access rules, as `spi serve --peer` and `spi app --sync --peer` run it; nil without peers.
    ///
    /// - Throws: `PeerError` when an address is not `HOST[:PORT]`.
    static func register(_ register: Register, peers: [String], logger: Logger) throws -> PeerSyncService? {
        guard !peers.isEmpty else { return nil }
        let addresses = try peers.map { try PeerAddress(parsing: $0, defaultPort: SyncProtocol.defaultPort) }
        return PeerSyncService(
            configuration: .init(
                client: .init(
                    replicaPath: register.replica.path, schemaVersion: UInt32(RegisterSchema.currentVersion),
                    name: register.name, accessControl: RegisterAccessControl()),
                peers: addresses),
            logger: logger)
    }
}
