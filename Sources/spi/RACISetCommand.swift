import ArgumentParser
import Foundation
import SPIRegister

/// `spi raci set ID [--role …]`, or `spi raci set SPI --from-csv FILE`: one RACI row, or a whole matrix.
struct RACISetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change fields of a RACI row, or set an SPI's whole RACI matrix from a CSV file.",
        discussion: """
            With an id and options, changes that RACI row as any `set` does (only the options you give change).

            With --from-csv, the argument is the SPI and the file (or - for standard input) is its matrix as a \
            spreadsheet saves it: a header row with a first cell such as 'activity' and then one party code per \
            column, then a row per activity with the letters each party holds: R, A, C, I, run together or \
            separated by / (A/R), empty for none. Afterwards each listed party holds exactly the listed letters on \
            each listed activity (role titles of kept rows stay); activities and parties left out are untouched. \
            Every change is checked as `spi raci add` checks it (one Accountable per activity, the SPI's practice, \
            what your party may edit); on any error nothing changes, and the error names the line or column.

            Examples:
              spi raci set 4c712290 --title "Service desk agent"
              spi raci set SPI-INC-FAB --from-csv raci.csv
              printf 'activity,NWR,SIAM,FAB\\nINC-LOG,C,A,R\\n' | spi raci set SPI-INC-FAB --from-csv -
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The RACI row to change (its id), or with --from-csv the SPI (id or code).", valueName: "id")
    )
    var id: String

    @OptionGroup var fields: RACIFields

    @Option(
        name: .customLong("from-csv"),
        help: ArgumentHelp("Set the SPI's matrix from this CSV file (- for standard input).", valueName: "file"))
    var csvPath: String?

    func validate() throws {
        if csvPath != nil && !fields.values.isEmpty {
            throw ValidationError("--from-csv sets a whole matrix; give row options (--role, --party, …) without it")
        }
    }

    func run() async throws {
        let register = try global.openRegister()
        guard let csvPath else {
            let id = try register.write { store in
                var store = store
                fields.configure(&store)
                return try store.put(RACIFields.table, id: self.id, fields: fields.values, mode: .update)
            }
            print(id)
            return
        }
        let text: String
        do {
            let data =
                csvPath == "-"
                ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: csvPath))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw RegisterError(.invalidValue, "\(csvPath) is not UTF-8 text")
            }
            text = decoded
        } catch let error as RegisterError {
            throw error
        } catch {
            throw RegisterError(.notFound, "cannot read \(csvPath): \(error.localizedDescription)")
        }
        let matrix = try RACIMatrix(csv: text)
        let (code, change) = try register.write { store in
            var store = store
            fields.configure(&store)
            let change = try store.setRACI(of: id, to: matrix)
            return (try store.label("interface", try store.resolve("interface", id)) ?? id, change)
        }
        print(
            "\(code): \(Output.count(change.added, "RACI letter")) added, \(change.removed) removed, "
                + "\(change.unchanged) unchanged (\(matrix.rows.count) activities × \(matrix.parties.count) parties)")
    }
}

/// `spi raci copy --from SPI --to SPI [--party OLD=NEW]… [--replace]`.
struct RACICopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy one SPI's RACI to another, mapping parties.",
        discussion: """
            Copies every RACI row of --from to --to, role titles included, with each --party OLD=NEW replaced (the \
            provider of one SPI by the provider of the other, typically). The target must have no RACI yet, unless \
            --replace. Every row is checked as `spi raci add` checks it; on any error nothing changes.

            Examples:
              spi raci copy --from SPI-INC-FAB --to SPI-INC-CON --party FAB=CON
              spi raci copy --from SPI-INC-FAB --to SPI-INC-CON --party FAB=CON --replace
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("from"), help: ArgumentHelp("The SPI to copy from (id or code).", valueName: "spi"))
    var source: String

    @Option(name: .customLong("to"), help: ArgumentHelp("The SPI to copy to (id or code).", valueName: "spi"))
    var target: String

    @Option(
        name: .customLong("party"),
        help: ArgumentHelp("A party to replace, as OLD=NEW codes (repeatable).", valueName: "old=new"))
    var parties: [String] = []

    @Flag(help: "Replace the target's RACI rows (refused by default when it has any).")
    var replace = false

    @Flag(help: "Allow activities of another practice than the target's (refused by default).")
    var otherPractice = false

    func validate() throws {
        for party in parties
        where party.split(separator: "=", omittingEmptySubsequences: false).count != 2
            || party.hasPrefix("=") || party.hasSuffix("=")
        {
            throw ValidationError("--party wants OLD=NEW (two party codes), not '\(party)'")
        }
    }

    func run() async throws {
        let register = try global.openRegister()
        let map = Dictionary(
            parties.map { party -> (String, String) in
                let parts = party.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                return (parts[0], parts[1])
            }, uniquingKeysWith: { _, last in last })
        let change = try register.write { store in
            var store = store
            store.allowsOtherPractice = otherPractice
            return try store.copyRACI(from: source, to: target, parties: map, replacing: replace)
        }
        print(
            "copied \(Output.count(change.added, "RACI row")) from \(source) to \(target)"
                + (change.removed > 0 ? " (replacing \(change.removed))" : ""))
    }
}
