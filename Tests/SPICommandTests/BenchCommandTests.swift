import Foundation
import Testing

/// The benchmark suite (`spi-bench`, built beside `spi`) runs end to end at tiny sizes, so that it cannot rot: every
/// scenario reports a measurement, a baseline and a ratio. (Nothing here checks a target: unit tests never time
/// anything.)
@Suite("spi-bench", .serialized)
struct BenchCommandTests {
    /// `spi-bench`, beside the `spi` under test.
    static let executable = SPIProcess.executable.deletingLastPathComponent().appendingPathComponent("spi-bench")

    /// Runs `spi-bench arguments…`.
    func bench(_ arguments: [String]) throws -> SPIRun {
        try SPIProcess.run(arguments, executable: Self.executable)
    }

    @Test("spi-bench --smoke --json runs every scenario and reports its baseline and ratio", .timeLimit(.minutes(5)))
    func smokeRun() throws {
        let run = try bench(["--smoke", "--json"])
        #expect(run.status == 0, "\(run)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        let report = try #require(object as? [String: Any], "\(run)")
        #expect(report["smoke"] as? Bool == true)
        let results = try #require(report["results"] as? [[String: Any]], "\(run)")
        #expect(
            results.compactMap { $0["scenario"] as? String } == [
                "B1", "B2", "B3", "B4", "B11", "B5", "B6", "B7", "B8", "B10", "B9", "B9", "B9",
            ])
        // B9 reports one result per path it measures on.
        #expect(
            results.filter { $0["scenario"] as? String == "B9" }.compactMap { $0["part"] as? String } == [
                "B1", "B2", "B3",
            ])
        for result in results {
            let scenario = result["scenario"] as? String ?? "?"
            #expect(result["error"] == nil, "\(scenario) failed: \(result["error"] ?? "")")
            #expect((result["baseline"] as? String).map { !$0.isEmpty && $0 != "-" } == true, "\(scenario): \(result)")
            #expect((result["measured"] as? String).map { !$0.isEmpty && $0 != "-" } == true, "\(scenario): \(result)")
            let ratio = try #require(result["ratio"] as? Double, "\(scenario): \(result)")
            #expect(ratio > 0, "\(scenario): \(result)")
            #expect(result["met"] is Bool, "\(scenario): \(result)")
            #expect(result["target"] is String, "\(scenario): \(result)")
        }
        // B8's providers converged.
        let hub = try #require(results.first { $0["scenario"] as? String == "B8" }?["values"] as? [String: Any])
        #expect(hub["converged"] as? Double == 1, "\(hub)")
    }

    @Test("spi-bench refuses an unknown scenario and --scale with --smoke")
    func badOptions() throws {
        let unknown = try bench(["--scenario", "B12"])
        #expect(unknown.status == 64, "\(unknown)")
        #expect(unknown.stderr.contains("unknown scenario 'B12'"), "\(unknown)")
        let both = try bench(["--smoke", "--scale", "0.1"])
        #expect(both.status == 64, "\(both)")
    }

    @Test("spi-bench --scenario runs only the chosen scenarios, in the suite's order", .timeLimit(.minutes(1)))
    func chosenScenarios() throws {
        let run = try bench(["--smoke", "--json", "--scenario", "B6,B1"])
        #expect(run.status == 0, "\(run)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let results = try #require(report["results"] as? [[String: Any]])
        #expect(results.compactMap { $0["scenario"] as? String } == ["B1", "B6"])
    }
}
