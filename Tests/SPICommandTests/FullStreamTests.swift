import Foundation
import SPITestSupport
import Testing

/// `spi` never crashes when it cannot write its output or its error: a full disk, `>/dev/full`, `2>/dev/full`. It
/// exits non-zero, without a signal, whatever the command.
@Suite("full output streams")
struct FullStreamTests {
    /// Runs `spi` with standard output and/or standard error sent to /dev/full; returns how it ended.
    static func run(_ arguments: [String], stdoutFull: Bool, stderrFull: Bool) throws -> (
        status: Int32, signaled: Bool, stderr: String
    ) {
        let child = WatchedProcess()
        child.process.executableURL = SPIProcess.executable
        child.process.arguments = arguments
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("spi-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        child.process.standardInput = FileHandle.nullDevice
        child.process.standardOutput = stdoutFull ? FileHandle(forWritingAtPath: "/dev/full") : FileHandle.nullDevice
        child.process.standardError =
            stderrFull ? FileHandle(forWritingAtPath: "/dev/full") : try FileHandle(forWritingTo: errors)
        try child.start()
        try child.waitForExit(timeout: 300)
        let text = stderrFull ? "" : String(decoding: try Data(contentsOf: errors), as: UTF8.self)
        return (child.status, child.signaled, text)
    }

    @Test(
        "every kind of command exits non-zero without a signal when its output or its error cannot be written",
        .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullStreams() throws {
        try withCommandFixture(.basics) { f in
            let commands: [[String]] = [
                ["--db", f.db, "digest"], // output only
                ["--db", f.db, "export"], // a large output, written in one go
                ["--db", f.db, "record", "list", "practice"], // a listing
                ["--db", f.db, "record", "get", "practice", "NO-SUCH-CODE"], // an error
                ["--db", "/nonexistent/x.db", "record", "put", "practice", "name=x"], // an error before any file
                ["--db", f.db, "no-such-command"], // a usage error
                ["--help"], // help
            ]
            for command in commands {
                for (stdoutFull, stderrFull) in [(true, false), (false, true), (true, true)] {
                    let run = try Self.run(command, stdoutFull: stdoutFull, stderrFull: stderrFull)
                    #expect(
                        !run.signaled, "spi \(command) crashed (stdout full: \(stdoutFull), stderr full: \(stderrFull))"
                    )
                    // A command whose error cannot be written still fails; one whose output cannot be written fails
                    // too (an error that is written needs no output, so the last case may keep its own status).
                    if stdoutFull || command.contains("NO-SUCH-CODE") || command.contains("no-such-command")
                        || command.contains("/nonexistent/x.db")
                    {
                        #expect(
                            run.status != 0, "spi \(command) exited 0 with its output lost (stdout full: \(stdoutFull))"
                        )
                    }
                    if stdoutFull && !stderrFull && run.status != 0 {
                        #expect(!run.stderr.isEmpty, "spi \(command) said nothing on stderr")
                    }
                }
            }
            // The register is unchanged and intact (checked by the fixture).
            #expect(try f.ok("digest").count > 0)
        }
    }

    /// Every leaf command path, found by walking `spi … --help` (so a new command is covered without editing this).
    static func leafCommands(under path: [String] = []) throws -> [[String]] {
        let help = try SPIProcess.run(path + ["--help"])
        guard let section = help.stdout.range(of: "SUBCOMMANDS:") else { return [path] }
        var names: [String] = []
        for line in help.stdout[section.upperBound...].split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("  ") && !line.hasPrefix("   "), let name = words.first, name.first?.isLetter == true,
                name.allSatisfy({ $0.isLetter || $0 == "-" })
            {
                names.append(String(name))
            }
        }
        return try names.flatMap { try leafCommands(under: path + [$0]) }
    }

    @Test(
        "every spi subcommand, with >/dev/full and 2>/dev/full, exits non-zero without a signal",
        .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")), .timeLimit(.minutes(5)))
    func everySubcommand() throws {
        let leaves = try Self.leafCommands()
        #expect(leaves.count >= 60, "found only \(leaves.count) commands: \(leaves)")
        #expect(
            leaves.contains(["key", "rotate"]) && leaves.contains(["party", "bind"])
                && leaves.contains(["changes", "apply"]))
        #expect(leaves.contains(["app"]), "spi app, which serves until stopped, is among the commands run")
        // Those that run for long or make files in the working directory are run for their help.
        let helpOnly: Set<String> = ["serve", "demo"]
        try withCommandFixture(.basics) { f in
            let digest = try f.ok("digest")
            for leaf in leaves {
                var arguments = helpOnly.contains(leaf[0]) ? leaf + ["--help"] : ["--db", f.db] + leaf
                // `spi app` serves until stopped: on any free port, so that what is tested is that it stops when it
                // cannot print its address (not that the default port happens to be taken).
                if leaf == ["app"] { arguments += ["--listen", "127.0.0.1:0"] }
                let both = try Self.run(arguments, stdoutFull: true, stderrFull: true)
                #expect(!both.signaled, "spi \(arguments) crashed with both streams full")
                #expect(both.status != 0, "spi \(arguments) exited 0 with both streams full")
                let output = try Self.run(arguments, stdoutFull: true, stderrFull: false)
                #expect(!output.signaled, "spi \(arguments) crashed with its output full")
                if output.status == 0 {
                    Issue.record("spi \(arguments) exited 0 with its output lost")
                } else {
                    #expect(!output.stderr.isEmpty, "spi \(arguments) failed and said nothing on stderr")
                }
            }
            #expect(try f.ok("digest") == digest, "a command run without its arguments changed the register")
        }
    }
}
