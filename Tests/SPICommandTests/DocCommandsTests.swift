import Foundation
import Testing

/// The docs cannot drift from the tools: every fenced block marked ```` ```sh runnable ```` in the README and in
/// `docs/` runs with the `spi` under test on PATH, in a fresh directory, and must exit 0.
@Suite("runnable docs")
struct DocCommandsTests {
    /// One runnable block: where it is, and its lines.
    struct Block: CustomStringConvertible {
        var file: String
        var line: Int
        var script: String
        var description: String { "\(file):\(line)" }
    }

    static func runnableBlocks() throws -> [Block] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let docs = root.appendingPathComponent("docs")
        let files = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: docs.path))
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        var blocks: [Block] = []
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            var current: Block?
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if var block = current {
                    if line.hasPrefix("```") {
                        blocks.append(block)
                        current = nil
                    } else {
                        block.script += line + "\n"
                        current = block
                    }
                } else if line.trimmingCharacters(in: .whitespaces) == "```sh runnable" {
                    current = Block(file: file, line: number + 1, script: "")
                }
            }
        }
        return blocks
    }

    @Test("every runnable block in the README and docs/ exits 0")
    func runnable() throws {
        let blocks = try Self.runnableBlocks()
        // The README's tour and the user guide's demo at least.
        #expect(blocks.map(\.file).contains("README.md") && blocks.map(\.file).contains("docs/user-guide.md"), "\(blocks)")
        for block in blocks {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-docs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-euo", "pipefail", "-c", block.script]
            var environment = ProcessInfo.processInfo.environment
            environment["SPI_DB"] = nil
            environment["SPI_LOG_LEVEL"] = nil
            environment["PATH"] = SPIProcess.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
            process.environment = environment
            process.currentDirectoryURL = directory
            let log = directory.appendingPathComponent("output.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try handle.close()
            let output = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
            #expect(process.terminationStatus == 0, "\(block) failed:\n\(output.suffix(3000))")
        }
    }
}
