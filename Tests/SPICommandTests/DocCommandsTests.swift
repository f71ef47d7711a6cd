import Foundation
import Testing

/// The docs cannot drift from the tools: every fenced block marked ```` ```sh runnable ```` in the README and in
/// `docs/` runs with the `spi` under test on PATH, in a fresh directory, and must exit 0. A block marked
/// ```` ```sh runnable continues ```` runs as the continuation of the runnable block before it in the same file (a
/// walkthrough told in steps).
@Suite("runnable docs")
struct DocCommandsTests {
    /// One runnable block: where it is, and its lines.
    struct Block: CustomStringConvertible {
        var file: String
        var line: Int
        var script: String
        var continues = false
        var description: String { "\(file):\(line)" }
    }

    struct ContinuationError: Error, CustomStringConvertible {
        var description: String
    }

    static func runnableBlocks() throws -> [Block] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let docs = root.appendingPathComponent("docs")
        let files =
            ["README.md"]
            + (try FileManager.default.contentsOfDirectory(atPath: docs.path))
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        var blocks: [Block] = []
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            var current: Block?
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if var block = current {
                    if line.hasPrefix("```") {
                        if block.continues, let last = blocks.last, last.file == block.file {
                            blocks[blocks.count - 1].script += block.script
                        } else if block.continues {
                            throw ContinuationError(
                                description: "\(block): `runnable continues` with no runnable block before it")
                        } else {
                            blocks.append(block)
                        }
                        current = nil
                    } else {
                        block.script += line + "\n"
                        current = block
                    }
                } else if line.trimmingCharacters(in: .whitespaces) == "```sh runnable" {
                    current = Block(file: file, line: number + 1, script: "")
                } else if line.trimmingCharacters(in: .whitespaces) == "```sh runnable continues" {
                    current = Block(file: file, line: number + 1, script: "", continues: true)
                }
            }
        }
        return blocks
    }

    @Test("every runnable block in the README and docs/ exits 0")
    func runnable() throws {
        let blocks = try Self.runnableBlocks()
        // The README's tour and the user guide's demo at least.
        #expect(
            blocks.map(\.file).contains("README.md") && blocks.map(\.file).contains("docs/user-guide.md"), "\(blocks)")
        // The user guide's step-by-step walkthrough is one script, from `spi init` to approval.
        #expect(
            blocks.contains {
                $0.file == "docs/user-guide.md" && $0.script.contains("spi init")
                    && $0.script.contains("spi interface approve SPI-INC-FAB")
            })
        for block in blocks {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "spi-docs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path =
                SPIProcess.executable.deletingLastPathComponent().path + ":"
                + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            let run = try SPIProcess.run(
                ["-euo", "pipefail", "-c", block.script], executable: URL(fileURLWithPath: "/bin/bash"),
                environment: ["PATH": path], in: directory)
            #expect(run.status == 0, "\(block) failed:\n\(run.stdout.suffix(2000))\n\(run.stderr.suffix(2000))")
        }
    }
}
