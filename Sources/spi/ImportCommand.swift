import ArgumentParser
import Foundation
import SPIRegister

/// `spi import FILE`: loads a canonical export.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a canonical export into the register.",
        discussion: """
            Inserts the file's rows, and updates rows that exist with other values, as ordinary local edits that \
            replicate. With --replace, rows that are not in the file are deleted too, so that the register's \
            content equals the file's. The whole file is checked first; on error nothing changes.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The export to load.", valueName: "file"))
    var file: String

    @Flag(help: "Also delete the rows that are not in the file.")
    var replace = false

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RegisterError(.notFound, "cannot read \(file)")
        }
        let register = try global.openRegister()
        let progress = ProgressLine(enabled: true)
        let summary = try register.importCanonical(Array(data), replace: replace) { done, total in
            progress.update(
                "imported \(done) of \(Output.count(total, "row")) (\(Output.bytes(data.count)) file), "
                    + progress.rate(done, "rows"))
        }
        progress.finish()
        var parts = ["\(summary.inserted) inserted", "\(summary.updated) updated", "\(summary.unchanged) unchanged"]
        if replace { parts.append("\(summary.deleted) deleted") }
        print("imported \(file): " + parts.joined(separator: ", "))
    }
}
