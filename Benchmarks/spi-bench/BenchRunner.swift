import Foundation
import SPICommandSupport

/// Runs the scenarios of the benchmark suite in one working directory, sharing what several scenarios measure on
/// (B1's files serve B6; one synced pair of replicas serves B3, B4, B5 and B7).
///
/// ```swift
/// let runner = BenchRunner(sizes: .scaled(0.1), directory: "/tmp/bench", quick: false)
/// let result = runner.run(.b1)      // never throws: a failure is a result with `error` set
/// ```
final class BenchRunner {
    /// The sizes of every scenario.
    let sizes: BenchSizes
    /// Where the files go.
    let directory: String
    /// Whether this is the smoke run (targets reported but meaningless at these sizes).
    let quick: Bool
    /// Progress lines on stderr.
    let progress: BenchProgress

    /// B1's measurements, which B6 and B9 reuse.
    var localOutcome: BenchLocalOutcome?
    /// B2's measurements, which B9 reuses.
    var applyOutcome: BenchApplyOutcome?
    /// The synced pair of B3, which B4, B5 and B7 reuse.
    var syncFixture: BenchSyncFixture?
    /// The ten-times-smaller synced pair B7 compares with.
    var smallSyncFixture: BenchSyncFixture?
    /// Whether `spi party bind` exists in this build: nil until first tried.
    var partyBindAvailable: Bool?

    init(sizes: BenchSizes, directory: String, quick: Bool) {
        self.sizes = sizes
        self.directory = directory
        self.quick = quick
        self.progress = BenchProgress()
    }

    /// Runs one scenario; a failure becomes a result with its error. Most scenarios give one result; B9 gives one per
    /// path it measures on (B1's, B2's and B3's), each of which may fail on its own.
    func run(_ scenario: BenchScenario) -> [BenchResult] {
        progress.say("\(scenario.rawValue): \(scenario.title)")
        do {
            switch scenario {
            case .b1: return [try runLocalWrites()]
            case .b2: return [try runApply()]
            case .b3: return [try runInitialSync()]
            case .b4: return [try runIncrementalSync()]
            case .b11: return [try runNoopAtScale()]
            case .b5: return [try runWireBytes()]
            case .b6: return [try runFileSize()]
            case .b7: return [try runPeakMemory()]
            case .b8: return [try runHub()]
            case .b10: return [try runFileExchange()]
            case .b9: return runSigning() // each path's failure is its own result
            }
        } catch {
            progress.say("\(scenario.rawValue): failed: \(error)")
            return [.failure(scenario, error)]
        }
    }

    /// The median of some measurements.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Stops the servers the shared fixtures started.
    func finish() {
        syncFixture?.stop()
        smallSyncFixture?.stop()
    }

    /// A fresh subdirectory of the working directory.
    func subdirectory(_ name: String) throws -> String {
        let path = directory + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Progress lines on standard error while long scenarios run, at most one every two seconds for the same step.
final class BenchProgress {
    private var lastLine = ContinuousClock.now - .seconds(10)

    /// Prints a line now.
    func say(_ line: String) {
        StandardStreams.writeError("bench: \(line)\n")
        lastLine = ContinuousClock.now
    }

    /// Prints `done of total` if two seconds have passed since the last line.
    func step(_ what: String, _ done: Int, of total: Int) {
        guard ContinuousClock.now - lastLine > .seconds(2) else { return }
        say("  \(what): \(BenchFormat.count(done)) of \(BenchFormat.count(total))")
    }
}

/// How the suite prints figures.
enum BenchFormat {
    /// `1,234,567`.
    static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `4.21 s` or `312 ms`.
    static func seconds(_ s: Double) -> String {
        s >= 1 ? String(format: "%.2f s", s) : String(format: "%.0f ms", s * 1000)
    }

    /// `1,234 B`, `12.3 KiB`, `45.6 MiB`.
    static func bytes(_ n: Int) -> String {
        if n < 10 * 1024 { return "\(count(n)) B" }
        if n < 10 * 1024 * 1024 { return String(format: "%.1f KiB", Double(n) / 1024) }
        return String(format: "%.1f MiB", Double(n) / 1_048_576)
    }

    /// `312k/s` style rates.
    static func rate(_ perSecond: Double, _ unit: String) -> String {
        perSecond >= 10_000
            ? String(format: "%.0fk %@/s", perSecond / 1000, unit) : String(format: "%.0f %@/s", perSecond, unit)
    }

    /// `1.42×`.
    static func ratio(_ r: Double) -> String { String(format: "%.2f×", r) }
}
