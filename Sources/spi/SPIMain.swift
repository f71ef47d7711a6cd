import ArgumentParser
import Foundation
import Logging
import SPICommandSupport
import SPIIdentity
import SPIRegister

/// The entry point: parses the command line, runs the command, and turns every failure into one line on stderr.
///
/// Exit status: 0 on success; 64 when the command line or the input is invalid (an unknown option, table, column,
/// code or enumeration value, a missing required field); 1 for any other failure (the file exists, is not a
/// register, a database error).
@main
enum SPIMain {
    static func main() async {
        PeakMemoryReport.installIfRequested()
        // A server's sessions, refusals and errors are what its operator watches: the long-running commands
        // (`spi serve`, and `spi app`, which may sync with peers) log at info by default, every other command at
        // warning.
        let arguments = Self.movingDatabaseOption(Array(CommandLine.arguments.dropFirst()))
        let serving = ["serve", "app"].contains(arguments.first { !$0.hasPrefix("-") })
        let level =
            ProcessInfo.processInfo.environment["SPI_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
            ?? (serving ? .info : .warning)
        let json =
            (Self.optionValue("--log-format", in: arguments) ?? ProcessInfo.processInfo.environment["SPI_LOG_FORMAT"])
            == LogFormat.json.rawValue
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            if let message = CommandSuggestion.unknownSubcommand(in: arguments) {
                printError(message)
                exit(ExitCode.validationFailure.rawValue)
            }
            var command = try await SPICommand.asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            fail(with: error)
        }
        if !StandardStreams.flushStandardOutput() || StandardStreams.failed {
            // The command did its work, but what it had to say was lost (a full disk, a closed pipe).
            printError("could not write the output (the disk or the pipe it goes to is full or closed)")
            exit(ExitCode.failure.rawValue)
        }
    }

    /// The value of `option` in `arguments` (`--option VALUE` or `--option=VALUE`), before a `--` terminator; nil when
    /// absent. The logging system is set up before the command line is parsed, so it reads `--log-format` this way
    /// (the parser checks the value afterwards).
    static func optionValue(_ option: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { return nil }
            if argument == option, index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix(option + "=") { return String(argument.dropFirst(option.count + 1)) }
        }
        return nil
    }

    /// Moves `--db PATH` (or `--db=PATH`) to the end of the arguments (before a `--` terminator), so that the
    /// global option may be given anywhere: `spi --db x.db party list` as well as `spi party list --db x.db`.
    ///
    /// Every leaf command declares `--db` (through ``GlobalOptions``); ArgumentParser only accepts a command's
    /// options after its name.
    static func movingDatabaseOption(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                break
            } else if argument == "--db", index + 1 < arguments.count {
                moved += [argument, arguments[index + 1]]
                index += 2
            } else if argument.hasPrefix("--db=") {
                moved.append(argument)
                index += 1
            } else {
                kept.append(argument)
                index += 1
            }
        }
        return kept + moved + arguments[index...]
    }

    /// Prints `error` as one line on stderr and exits with its status; help requests print help and exit 0 (1 when the
    /// help could not be written). Nothing here traps when a stream is full or closed.
    static func fail(with error: any Error) -> Never {
        StandardStreams.flushStandardOutput()
        if let error = error as? RegisterError {
            printError(error.message)
            exit(error.code.isInputError ? ExitCode.validationFailure.rawValue : ExitCode.failure.rawValue)
        }
        if let error = error as? ReportError {
            // Every report error is about the command line: a provider, a date or a version that does not exist.
            printError(error.message)
            exit(ExitCode.validationFailure.rawValue)
        }
        if let error = error as? PeerError {
            printError(error.description)
            exit(error.code.isInputError ? ExitCode.validationFailure.rawValue : ExitCode.failure.rawValue)
        }
        let code = SPICommand.exitCode(for: error)
        if code == .success {
            StandardStreams.writeOutput(SPICommand.fullMessage(for: error) + "\n")
            if StandardStreams.flushStandardOutput() && !StandardStreams.failed { exit(0) }
            printError("could not write the output (the disk or the pipe it goes to is full or closed)")
            exit(ExitCode.failure.rawValue)
        }
        var message = SPICommand.message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
        if message.isEmpty { exit(code.rawValue) } // a command chose its exit status and said what it had to say
        message = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        if message.lowercased().hasPrefix("error: ") { message = String(message.dropFirst(7)) }
        if code == .validationFailure { message += " (see --help)" }
        printError(message)
        exit(code.rawValue)
    }

    static func printError(_ message: String) {
        StandardStreams.writeError("error: \(message)\n")
    }
}
