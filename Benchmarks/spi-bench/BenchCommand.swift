import ArgumentParser
import Foundation

/// `spi-bench`: the benchmark suite B1–B8 of issue 7 and B9–B11 of issue 20, each scenario against its baseline from the same run. It lives
/// apart from the product, and runs the `spi` built beside it (or the one `SPI_BENCH_SPI` names) for the scenarios
/// that need processes.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spi-bench",
        abstract:
            "Run the benchmark suite (B1–B11): each scenario, its baseline from the same run, and the ratio.",
        discussion: """
            Scenarios, on register rows (interfaces and their RACI rows, each \
            interface with one provider), each against a baseline from the same run:
              B1  100k tracked inserts, then 100k updates, transactions of 1,000 rows
                  vs plain SQLite (target ≤ 1.5×)
              B2  apply ~1M cell changes from a peer, 30% losing to newer local values
                  vs a plain SQLite upsert (≤ 2×, ≥ 300k cells/s)
              B3  initial sync of a 100k-row register, spi serve → spi sync over TLS
                  vs spi export plus copying the file (≥ 100k rows/s)
              B4  sync of 1 changed cell in that replica
                  vs a sync with nothing to send (≤ 2 KiB more, ≤ 2× the time)
              B11 a sync with nothing to send on that replica
                  vs the same on a register 100× smaller (≤ 1.5×)
              B5  bytes on the wire per cell change, in bulk
                  vs the raw value bytes (≤ 32 bytes of overhead)
              B6  replica file size after B1
                  vs the plain SQLite file (≤ 2×)
              B7  peak resident memory while syncing
                  vs the same sync of a 10× smaller register (≤ 128 MiB)
              B8  a hub with 200 providers syncing at once, 2,000 cells up and 2 titles down each
                  vs one provider alone (all converge, ≥ 0.5× its rate, hub ≤ 256 MiB)
              B10 50 replicas exchanging change-set files in random pairs until quiet
                  vs a perfect delta exchange (≤ 2× the bytes), at two sizes (time per exchange flat)
              B9  signing and verifying origin proofs, one line per path: B1's writes then their
                  signing, B2's applies verifying proofs, B3's delta with proofs, in-process
                  vs the same path without them, in the same run (≤ 5% added to each)

            Files go to a temporary directory, removed at the end (keep them with --keep). Progress goes to stderr; \
            the table (or --json) to stdout. Targets are reported, never enforced: the exit status is 1 only when a \
            scenario fails to run. Build in release mode for real figures; the full suite takes several minutes.

            Examples:
              swift build -c release --product spi && swift build -c release --product spi-bench && .build/release/spi-bench
              spi-bench --scenario B1,B6 --scale 0.1
              spi-bench --smoke --json              # CI: small sizes, seconds
              spi-bench --scenario B3 --keep /tmp/bench
            """
    )

    @Option(
        name: .customLong("scenario"),
        help: ArgumentHelp(
            "Scenarios to run, comma-separated or repeated (default: all), such as --scenario B1,B6.",
            valueName: "B1,B2,…"))
    var scenarios: [String] = []

    @Option(
        name: .customLong("scale"),
        help: ArgumentHelp(
            "Multiply the issue's sizes by this factor (default 1), such as --scale 0.1 for a quick look.",
            valueName: "factor"))
    var scale: Double?

    @Flag(name: .customLong("smoke"), help: "Tiny sizes for CI (seconds on a debug build); targets not meaningful.")
    var smoke = false

    @Flag(name: .customLong("json"), help: "Print the report as JSON, such as for spi-bench --smoke --json | jq.")
    var json = false

    @Option(
        name: .customLong("keep"),
        help: ArgumentHelp(
            "Keep the benchmark's files in this directory instead of a removed temporary one, such as --keep /tmp/b.",
            valueName: "dir"))
    var keep: String?

    /// The selected scenarios, in the suite's order.
    var selected: [BenchScenario] {
        let names = Set(
            scenarios.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
        return names.isEmpty ? BenchScenario.allCases : BenchScenario.allCases.filter { names.contains($0.rawValue) }
    }

    func validate() throws {
        let names = scenarios.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for name in names where BenchScenario(rawValue: name.uppercased()) == nil {
            throw ValidationError("unknown scenario '\(name)': expected B1 to B11, such as --scenario B1,B3")
        }
        if let scale {
            guard scale > 0, scale <= 10 else { throw ValidationError("--scale must be above 0 and at most 10") }
            guard !smoke else { throw ValidationError("give either --scale or --smoke, not both") }
        }
    }

    func run() async throws {
        let directory: String
        if let keep {
            directory = URL(fileURLWithPath: keep).standardizedFileURL.path
        } else {
            directory =
                FileManager.default.temporaryDirectory
                .appendingPathComponent("spi-bench-\(UUID().uuidString)").path
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }

        let sizes = smoke ? BenchSizes.smoke : BenchSizes.scaled(scale ?? 1)
        let runner = BenchRunner(sizes: sizes, directory: directory, quick: smoke)
        let loadBefore = BenchReport.loadAverageNow
        let started = ContinuousClock.now
        var results: [BenchResult] = []
        for scenario in selected {
            results.append(contentsOf: runner.run(scenario))
        }
        runner.finish()
        let report = BenchReport(
            date: ISO8601DateFormatter().string(from: Date()), build: BenchReport.currentBuild,
            cores: ProcessInfo.processInfo.activeProcessorCount, loadAverage: [loadBefore, BenchReport.loadAverageNow],
            sqlite: BenchReport.sqliteVersion, scale: smoke ? 0 : scale ?? 1, smoke: smoke, sizes: sizes,
            seconds: BenchClock.seconds(since: started), results: results)
        print(json ? try report.json() : report.text)
        if results.contains(where: { $0.error != nil }) { throw ExitCode.failure }
    }
}
