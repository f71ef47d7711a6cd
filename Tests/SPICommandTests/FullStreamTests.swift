import Foundation
import Testing

/// `spi` never crashes when it cannot write its output or its error: a full disk, `>/dev/full`, `2>/dev/full`. It
/// exits non-zero, without a signal, whatever the command.
@Suite("full output streams")
struct FullStreamTests {
    /// Runs `spi` with standard output and/or standard error sent to /dev/full; returns how it ended.
    static func run(_ arguments: [String], stdoutFull: Bool, stderrFull: Bool) throws -> (status: Int32, signaled: Bool, stderr: String) {
        let process = Process()
        process.executableURL = SPIProcess.executable
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = stdoutFull ? FileHandle(forWritingAtPath: "/dev/full") : FileHandle.nullDevice
        process.standardError = stderrFull ? FileHandle(forWritingAtPath: "/dev/full") : errors
        try process.run()
        process.waitUntilExit()
        let text = stderrFull ? "" : String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, text)
    }

    @Test("every kind of command exits non-zero without a signal when its output or its error cannot be written",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullStreams() throws {
        try withCommandFixture(.basics) { f in
            let commands: [[String]] = [
                ["--db", f.db, "digest"],                                       // output only
                ["--db", f.db, "export"],                                       // a large output, written in one go
                ["--db", f.db, "record", "list", "practice"],                   // a listing
                ["--db", f.db, "record", "get", "practice", "NO-SUCH-CODE"],    // an error
                ["--db", "/nonexistent/x.db", "record", "put", "practice", "name=x"],  // an error before any file
                ["--db", f.db, "no-such-command"],                              // a usage error
                ["--help"],                                                     // help
            ]
            for command in commands {
                for (stdoutFull, stderrFull) in [(true, false), (false, true), (true, true)] {
                    let run = try Self.run(command, stdoutFull: stdoutFull, stderrFull: stderrFull)
                    #expect(!run.signaled, "spi \(command) crashed (stdout full: \(stdoutFull), stderr full: \(stderrFull))")
                    // A command whose error cannot be written still fails; one whose output cannot be written fails
                    // too (an error that is written needs no output, so the last case may keep its own status).
                    if stdoutFull || command.contains("NO-SUCH-CODE") || command.contains("no-such-command") || command.contains("/nonexistent/x.db") {
                        #expect(run.status != 0, "spi \(command) exited 0 with its output lost (stdout full: \(stdoutFull))")
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
}
