import Foundation

/// One scenario of the benchmark suite (issue 7): what it measures, against which baseline, and its target.
enum BenchScenario: String, CaseIterable, Codable, Sendable {
    // B11 runs after B4 on the same synced pair, before B7 stops its server. B9 comes last: it signs what B1 wrote
    // (after B6 measured the file) and reuses B2's applies.
    case b1 = "B1"
    case b2 = "B2"
    case b3 = "B3"
    case b4 = "B4"
    case b11 = "B11"
    case b5 = "B5"
    case b6 = "B6"
    case b7 = "B7"
    case b8 = "B8"
    case b10 = "B10"
    case b9 = "B9"

    /// What the scenario measures, in a few words.
    var title: String {
        switch self {
        case .b1: "tracked local inserts then updates, transactions of 1,000 rows"
        case .b2: "apply cell changes from a peer (inserts, updates, deletes; 30% lose)"
        case .b3: "initial sync of a register between two spi processes over loopback TLS"
        case .b4: "incremental sync of 1 changed cell"
        case .b11: "a sync with nothing to send, at the register's full size"
        case .b5: "bytes on the wire per cell change, in bulk"
        case .b6: "replica file size after B1"
        case .b7: "peak resident memory while syncing"
        case .b8: "hub serving providers syncing at once"
        case .b10: "replicas of one party kind exchanging by files only, in random pairs, until quiet"
        case .b9: "signing and verifying, on the paths of B1, B2 and B3"
        }
    }

    /// The baseline, in a few words.
    var baselineTitle: String {
        switch self {
        case .b1: "plain SQLite, same rows and settings"
        case .b2: "plain SQLite upsert of the same data"
        case .b3: "spi export plus copying the file"
        case .b4: "a sync with nothing to send"
        case .b11: "the same sync of a register 100× smaller"
        case .b5: "the raw value bytes"
        case .b6: "the plain SQLite file"
        case .b7: "the same sync of a register 10× smaller"
        case .b8: "one provider syncing alone"
        case .b10: "a perfect delta exchange; the same at 10× fewer rows"
        case .b9: "the same path without signing or verifying, in the same run"
        }
    }

    /// The target, as the issue states it.
    var target: String {
        switch self {
        case .b1: "≤ 1.5×"
        case .b2: "≤ 2×, ≥ 300k cells/s"
        case .b3: "≥ 100k rows/s"
        case .b4: "≤ 2 KiB more, ≤ 2× time"
        case .b11: "≤ 1.5×"
        case .b5: "≤ 32 B overhead/cell"
        case .b6: "≤ 2×"
        case .b7: "≤ 128 MiB"
        case .b8: "all converge, ≥ 0.5×, hub ≤ 256 MiB"
        case .b10: "≤ 2× the bytes, time per exchange flat"
        case .b9: "≤ 5% added to each"
        }
    }
}

/// The outcome of one scenario: the measured figure, its baseline from the same run, their ratio, and whether the
/// target was met.
struct BenchResult: Codable, Sendable {
    /// `B1` … `B11`.
    var scenario: BenchScenario
    /// What was measured, in a few words.
    var title: String
    /// The measured figure for people, such as `4.2 s` or `18.5 B/cell`.
    var measured: String
    /// The baseline figure for people.
    var baseline: String
    /// The ratio measured / baseline (for rates: the measured rate over the baseline rate).
    var ratio: Double
    /// The target, as the issue states it.
    var target: String
    /// Whether the target was met (always reported; enforced by nobody: the suite reports).
    var met: Bool
    /// The raw numbers behind the figures, for scripts (seconds, bytes, counts).
    var values: [String: Double]
    /// Anything a reader needs to interpret the figures.
    var notes: [String]
    /// Set when the scenario failed to run; the other fields are then empty.
    var error: String?
    /// For a scenario measured on several paths, the path this result is about (B9: `B1`, `B2` or `B3`); nil for the
    /// others, and then left out of the JSON.
    var part: String? = nil

    /// The scenario and its part, as the table prints them: `B2`, `B9 (B1)`.
    var label: String { scenario.rawValue + (part.map { " (\($0))" } ?? "") }

    /// A scenario (or one part of it) that failed to run.
    static func failure(_ scenario: BenchScenario, _ error: any Error, part: String? = nil) -> BenchResult {
        BenchResult(
            scenario: scenario, title: scenario.title, measured: "-", baseline: "-", ratio: 0, target: scenario.target,
            met: false, values: [:], notes: [], error: "\(error)", part: part)
    }
}

/// The sizes of every scenario, from a scale factor (1 = the sizes of the issue) or the smoke sizes for CI.
struct BenchSizes: Sendable, Codable {
    /// B1: rows inserted, then updated (interfaces and their RACI rows, 1 : 4).
    var localRows: Int
    /// B2: interface groups (an interface and its 4 RACI rows) updated by the peer.
    var applyUpdatedGroups: Int
    /// B2: interface groups deleted by the peer.
    var applyDeletedGroups: Int
    /// B2: interface groups inserted by the peer.
    var applyInsertedGroups: Int
    /// B3, B4, B5, B7: rows of the synced register (interfaces and RACI rows, 1 : 2).
    var syncRows: Int
    /// B4: repetitions of the no-op and the one-cell sync.
    var incrementalRepetitions: Int
    /// B8: providers syncing at once.
    var hubProviders: Int
    /// B8: RACI rows each provider writes (5 cell changes each).
    var hubRowsPerProvider: Int
    /// B10: replicas exchanging files.
    var fileReplicas: Int = 50
    /// B10: interfaces every replica starts with (the second run has 10× as many).
    var fileRows: Int = 500
    /// B10: interfaces each replica adds, and shared interfaces it retitles, before the exchanges.
    var fileEditsEach: Int = 20
    /// Rows per transaction (B1, B2's setup).
    var transactionRows: Int = 1000

    /// The sizes of the issue, multiplied by `scale`.
    static func scaled(_ scale: Double) -> BenchSizes {
        func n(_ full: Double, minimum: Int) -> Int { max(minimum, Int((full * scale).rounded())) }
        return BenchSizes(
            localRows: n(100_000, minimum: 1000) / 5 * 5,
            applyUpdatedGroups: n(40_000, minimum: 100),
            applyDeletedGroups: n(8_000, minimum: 20),
            applyInsertedGroups: n(14_000, minimum: 30),
            syncRows: n(100_000, minimum: 300) / 3 * 3,
            incrementalRepetitions: scale >= 0.5 ? 5 : 3,
            hubProviders: max(3, Int((200 * min(scale, 1)).rounded())),
            hubRowsPerProvider: n(400, minimum: 20), fileReplicas: max(4, Int((50 * min(scale, 1)).rounded())),
            fileRows: n(500, minimum: 20), fileEditsEach: n(20, minimum: 3))
    }

    /// Small sizes for CI: seconds on a debug build, no thresholds.
    static let smoke = BenchSizes(
        localRows: 1000, applyUpdatedGroups: 100, applyDeletedGroups: 20, applyInsertedGroups: 30, syncRows: 600,
        incrementalRepetitions: 2, hubProviders: 3, hubRowsPerProvider: 20, fileReplicas: 4, fileRows: 20,
        fileEditsEach: 3, transactionRows: 200)
}

/// A benchmark failure: a child process that would not start or failed, or a result that makes no sense.
struct BenchError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case spawnFailed, childFailed, serverFailed, notConverged, unexpected
        }
        private let base: Base

        /// A child `spi` process could not be started.
        static let spawnFailed = Code(base: .spawnFailed)
        /// A child `spi` process exited with a failure.
        static let childFailed = Code(base: .childFailed)
        /// `spi serve` did not start listening, or died.
        static let serverFailed = Code(base: .serverFailed)
        /// Replicas did not converge after the syncs.
        static let notConverged = Code(base: .notConverged)
        /// A measurement came out impossible (such as no changes where some were made).
        static let unexpected = Code(base: .unexpected)

        var description: String { base.rawValue }
    }

    /// The code.
    var code: Code
    /// A one-line message for people.
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}
