import Foundation
import SPISQLite
import SPITestSupport
import Testing

/// The outcome of one run of the `spi` binary.
struct SPIRun: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "status \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }

    /// The stdout without its trailing newline.
    var output: String { stdout.trimmingCharacters(in: .newlines) }
}

/// Runs the real `spi` binary that SwiftPM built next to the test bundle.
enum SPIProcess {
    /// The built `spi` executable: next to the test bundle, else in a `.build*/debug` folder above this file.
    static let executable: URL = {
        let fileManager = FileManager.default
        var candidates: [URL] = []
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("spi"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("spi"))
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let builds = (try? fileManager.contentsOfDirectory(atPath: directory.path))?.filter {
                $0.hasPrefix(".build")
            }
            for build in builds?.sorted() ?? [] {
                candidates.append(directory.appendingPathComponent(build).appendingPathComponent("debug/spi"))
            }
            directory.deleteLastPathComponent()
        }
        guard let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0.path) }) else {
            fatalError("cannot find the spi executable; looked at \(candidates.map(\.path))")
        }
        return found
    }()

    /// Runs `spi` (or another `executable`) with `arguments`, without `$SPI_DB` unless `environment` sets it.
    static func run(
        _ arguments: [String], executable: URL = SPIProcess.executable, environment: [String: String] = [:],
        in directory: URL? = nil
    ) throws -> SPIRun {
        var env = ProcessInfo.processInfo.environment
        env["SPI_DB"] = nil
        env["SPI_LOG_LEVEL"] = nil
        env["COLUMNS"] = "120"
        for (key, value) in environment { env[key] = value }
        let output = try WatchedProcess.run(executable, arguments, environment: env, directory: directory)
        return SPIRun(status: output.status, stdout: output.stdoutText, stderr: output.stderrText)
    }
}

/// A temporary directory with a register file in it, for running commands against.
struct CommandFixture {
    let directory: URL
    let db: String

    /// Runs `spi --db <db> arguments…`.
    @discardableResult
    func spi(_ arguments: String...) throws -> SPIRun {
        try SPIProcess.run(["--db", db] + arguments)
    }

    /// Runs `spi --db <db> arguments…`.
    @discardableResult
    func spi(_ arguments: [String]) throws -> SPIRun {
        try SPIProcess.run(["--db", db] + arguments)
    }

    /// Runs a command that must succeed, and returns its trimmed stdout.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try ok(arguments, sourceLocation: sourceLocation)
    }

    /// Runs a command that must succeed, and returns its trimmed stdout.
    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let run = try spi(arguments)
        #expect(run.status == 0, "spi \(arguments.joined(separator: " ")): \(run)", sourceLocation: sourceLocation)
        #expect(run.stderr.isEmpty, "spi \(arguments.joined(separator: " ")): \(run)", sourceLocation: sourceLocation)
        return run.output
    }

    /// Runs a command that must fail with one `error:` line on stderr and leave the register file unchanged.
    @discardableResult
    func refused(
        _ arguments: [String], status: Int32? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let before = FileManager.default.contents(atPath: db)
        let run = try spi(arguments)
        let label = "spi \(arguments.joined(separator: " ")): \(run)"
        #expect(run.status != 0, "\(label)", sourceLocation: sourceLocation)
        if let status { #expect(run.status == status, "\(label)", sourceLocation: sourceLocation) }
        #expect(run.stderr.hasPrefix("error: "), "\(label)", sourceLocation: sourceLocation)
        #expect(run.stderr.filter { $0 == "\n" }.count == 1, "\(label)", sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "\(label)", sourceLocation: sourceLocation)
        #expect(
            FileManager.default.contents(atPath: db) == before, "\(label) changed the file",
            sourceLocation: sourceLocation)
        return run.stderr
    }

    /// Parses a command's JSON output.
    func json(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let text = try ok(arguments, sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }
}

/// What a command fixture starts with.
enum FixtureContent {
    /// No register file.
    case none
    /// A new, empty organization register.
    case empty
    /// An organization register with the rows of ``addBasics(_:)``.
    case basics
}

/// Registers built once per test run by the `spi` binary, copied into each fixture (building them takes a dozen
/// process runs; copying a file takes none).
enum FixtureTemplates {
    static let empty: Result<String, TemplateError> = build(basics: false)
    static let basics: Result<String, TemplateError> = build(basics: true)

    static func build(basics: Bool) -> Result<String, TemplateError> {
        do {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("spi-template-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let fixture = CommandFixture(directory: directory, db: directory.appendingPathComponent("register.db").path)
            let created = try fixture.spi("init", "--name", "Northwind Retail", "--kind", "organization")
            guard created.status == 0 else { return .failure(TemplateError(message: "\(created)")) }
            if basics { try addBasics(fixture) }
            return .success(fixture.db)
        } catch {
            return .failure(TemplateError(message: "\(error)"))
        }
    }

    /// Building a template failed.
    struct TemplateError: Error, Sendable {
        var message: String
    }
}

/// A fresh directory with a register at `register.db` (a copy of a template, so that each fixture has its own site
/// id's file but tests stay fast); checks the integrity of every `.db` file in the directory afterwards.
func withCommandFixture<T>(
    _ content: FixtureContent = .empty, _ body: (CommandFixture) throws -> T
) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = CommandFixture(directory: directory, db: directory.appendingPathComponent("register.db").path)
    let template: String?
    switch content {
    case .none: template = nil
    case .empty: template = try FixtureTemplates.empty.get()
    case .basics: template = try FixtureTemplates.basics.get()
    }
    if let template {
        try FileManager.default.copyItem(atPath: template, toPath: fixture.db)
        // The replica's identity travels with it: its site id is derived from this key, and its files are signed with it.
        for suffix in [".key", ".crt"] where FileManager.default.fileExists(atPath: template + suffix) {
            try FileManager.default.copyItem(atPath: template + suffix, toPath: fixture.db + suffix)
        }
    }
    let result = try body(fixture)
    try expectIntegrityOfDatabases(in: directory)
    return result
}

/// Asserts `PRAGMA integrity_check` is `ok` on every `.db` file under `directory`.
func expectIntegrityOfDatabases(in directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let enumerator = FileManager.default.enumerator(atPath: directory.path)
    while let name = enumerator?.nextObject() as? String {
        guard name.hasSuffix(".db") else { continue }
        let path = directory.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path), data.starts(with: Array("SQLite format 3".utf8))
        else { continue }
        let db = try Connection(path: path, mode: .readOnly)
        #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"), "\(path)", sourceLocation: sourceLocation)
    }
}

/// Adds the parties, people, service, agreement and SPI that most command tests refer to.
func addBasics(_ f: CommandFixture) throws {
    try f.ok(
        "party", "add", "--code", "NW", "--name", "Northwind Retail", "--kind", "organization", "--internal", "true")
    try f.ok("party", "add", "--code", "FAB", "--name", "Fabrikam Service Desk", "--kind", "provider")
    try f.ok("party", "add", "--code", "CON", "--name", "Contoso Cloud Hosting", "--kind", "provider")
    try f.ok("person", "add", "--party", "NW", "--name", "Jane Doe", "--email", "jane@northwind.example")
    try f.ok(
        "service", "add", "--code", "SD", "--name", "Service desk", "--type", "technical", "--status",
        "catalogue", "--provider", "FAB", "--customer", "NW")
    try f.ok(
        "agreement", "add", "--code", "UC-FAB", "--title", "Service desk contract", "--type", "uc",
        "--customer", "NW", "--provider", "FAB", "--start-date", "2025-01-01", "--end-date", "2026-12-31")
    try f.ok(
        "interface", "add", "--code", "SPI-INC-FAB", "--title", "Incident management with Fabrikam",
        "--practice", "INC", "--provider", "FAB", "--owner", "jane@northwind.example")
}

/// Runs several `spi` commands at once (for read-only checks such as help texts), results in order.
func runConcurrently(_ commands: [[String]]) throws -> [SPIRun] {
    final class Results: @unchecked Sendable {
        // Every access to `runs` holds the lock below, and it is read only after concurrentPerform returns.
        var runs: [Result<SPIRun, SPIProcess.RunError>]
        init(count: Int) { runs = Array(repeating: .failure(SPIProcess.RunError(message: "not run")), count: count) }
    }
    let results = Results(count: commands.count)
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: commands.count) { index in
        let result: Result<SPIRun, SPIProcess.RunError>
        do {
            result = .success(try SPIProcess.run(commands[index]))
        } catch {
            result = .failure(SPIProcess.RunError(message: "\(error)"))
        }
        lock.withLock { results.runs[index] = result }
    }
    return try results.runs.map { try $0.get() }
}

extension SPIProcess {
    /// A run that could not start.
    struct RunError: Error, Sendable {
        var message: String
    }
}
