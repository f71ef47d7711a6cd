import Foundation
import Logging
import SPIReplication
import SPISQLite
import Testing

/// A fresh temporary directory, removed after the body runs.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spi-repl-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

let testLogger: Logger = {
    var logger = Logger(label: "spi.tests")
    logger.logLevel = .critical
    return logger
}()

/// The table the replication tests write: ANY columns, so every SQLite storage class flows through the merge.
let noteSchema = """
    CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, title TEXT, body ANY, rank INTEGER, weight REAL, data BLOB,
        flag INTEGER NOT NULL DEFAULT 0) STRICT;
    CREATE TABLE tag (id TEXT PRIMARY KEY NOT NULL, note_id TEXT, label TEXT) STRICT;
    """

/// Creates `count` replicas of one register in `dir`, each with the test tables tracked; `signed`: each with a key of
/// its own, signing its changes (origin proofs).
func makeReplicas(_ count: Int, in dir: URL, clock: TestClock? = nil, signed: Bool = false) throws -> [Replica] {
    let register = RegisterID()
    return try (0..<count).map { i in
        let path = dir.appendingPathComponent("r\(i).db").path
        let replica =
            signed
            ? try Replica.create(at: path, registerID: register, signer: ChangeSetSigner(), logger: testLogger)
            : try Replica.create(at: path, registerID: register, logger: testLogger)
        if let clock { replica.now = clock.reading }
        try replica.writeBaseline { db in try db.execute(noteSchema) }
        try replica.track(tables: ["note", "tag"])
        return replica
    }
}

/// A shared, controllable wall clock for deterministic tests.
final class TestClock: @unchecked Sendable {
    // Only touched from the single test thread that drives the replicas; the lock keeps the checker honest.
    private let lock = NSLock()
    private var millis: UInt64 = 1_764_410_000_000

    func advance(_ ms: UInt64 = 1) { lock.withLock { millis += ms } }
    var reading: @Sendable () -> UInt64 { { [self] in lock.withLock { millis } } }
}

extension Replica {
    /// ``apply(_:gate:from:since:)`` for a batch as its protobuf message: tests build and alter batches as messages.
    @discardableResult
    func apply(
        _ batch: Spi_V1_ChangeBatch, gate: (any WriteGate)? = nil, from peer: String? = nil, since: Knowledge? = nil
    ) throws -> ApplyReport {
        try apply(ChangeBatch(batch), gate: gate, from: peer, since: since)
    }
}

/// Every batch `source` has that `target` lacks.
func delta(from source: Replica, to target: Replica, maxCells: Int = 64) throws -> [Spi_V1_ChangeBatch] {
    var cursor = try source.deltaCursor(for: try target.knowledge())
    var batches: [Spi_V1_ChangeBatch] = []
    while let batch = try source.nextBatch(&cursor, maxCells: maxCells)?.message { batches.append(batch) }
    return batches
}

/// Sends everything `source` has that `target` lacks (merged through `gate` when given).
@discardableResult
func sync(_ source: Replica, into target: Replica, gate: (any WriteGate)? = nil) throws -> ApplyReport {
    var report = ApplyReport()
    for batch in try delta(from: source, to: target) { report.add(try target.apply(batch, gate: gate)) }
    return report
}

/// A gate that lets every change through but requires its origin proof, as a register's gates do.
struct ProofGate: WriteGate {
    var allowsEverything: Bool { true }
    func judge(_ write: RowWrite, origin: SiteID, _ db: Connection) throws -> GateDecision { .allow }
}

/// The replicated content, canonically ordered: what must be identical on converged replicas.
func content(_ replica: Replica) throws -> [String] {
    try replica.read { db in
        var lines: [String] = []
        for table in ["note", "tag"] {
            for row in try db.rows("SELECT * FROM \(table) ORDER BY id") {
                // -0.0 and 0.0 are one value to SQLite (=, IS, unique keys), so capture cannot see a change between
                // them: compare them as SQL does.
                let values = row.map { value -> DatabaseValue in
                    if case .real(let d) = value, d == 0 { return .real(0) }
                    return value
                }
                lines.append(table + ": " + values.map { "\($0.typeName):\($0)" }.joined(separator: " | "))
            }
        }
        return lines
    }
}

func integrityCheck(_ replica: Replica) throws -> String {
    try replica.read { db in try db.scalar("PRAGMA integrity_check")?.textValue ?? "" }
}
