import ArgumentParser
import Foundation
import SPIRegister

/// `spi finding`: findings of `spi check` given to someone to fix by a date.
struct FindingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finding",
        abstract: "Give findings of `spi check` to someone to fix by a date, and list them.",
        discussion: """
            A finding is given to a person with a due date; `spi due` lists it until the date, then as overdue, for \
            as long as `spi check` still finds it; once fixed it drops out (`spi finding list` shows it as fixed). \
            The assignment replicates, so every party sees who fixes what (a provider sees those given to its own \
            people). Only the organization assigns.
            """,
        subcommands: [FindingAssignCommand.self, FindingListCommand.self],
        defaultSubcommand: FindingListCommand.self
    )
}

/// `spi finding assign RULE ROW --owner PERSON --due DATE [--note TEXT]`.
struct FindingAssignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Give a finding to a person to fix by a date.",
        discussion: """
            The finding is named by its rule and the row it points at: the row's code, name or id (or the words \
            `spi check` shows). Assigning it again changes the owner, the date or the note.

            Examples:
              spi finding assign review-overdue SPI-ISM-FAB --owner priya.natarajan@northwind.example --due 2026-12-20
              spi finding assign handoff-without-spi "Hosting access request" --owner tom.becker@northwind.example \\
                  --due 2027-01-31 --note "Agree an SR SPI with Contoso or route through the SIAM office"
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The rule, as `spi check` shows it (such as review-overdue).", valueName: "rule"))
    var rule: String

    @Argument(help: ArgumentHelp("The row the finding points at: its code, name or id.", valueName: "row"))
    var row: String

    @Option(help: ArgumentHelp("Who fixes it: a person's email or id.", valueName: "person"))
    var owner: String

    @Option(help: ArgumentHelp("By when (YYYY-MM-DD).", valueName: "date"))
    var due: String

    @Option(help: ArgumentHelp("What to do, or what was agreed.", valueName: "text"))
    var note: String?

    func validate() throws {
        try DateOption.validate(("--due", due))
    }

    func run() async throws {
        let register = try global.openRegister()
        let action = try register.write { store in
            try Governance.assign(rule: rule, row: row, owner: owner, due: due, note: note, in: store)
        }
        print("\(action.rule) on \(action.subject): \(action.owner), due \(action.dueDate)")
    }
}

/// `spi finding list [--json]`.
struct FindingListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the findings given to someone to fix, open and fixed.",
        discussion:
            "With --json, an array of objects: id, rule, subjectTable, subjectID, subject, owner, dueDate, note, message (null once fixed)."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let actions = try register.read { store in try Governance.findingActions(in: store) }
        if json {
            print(try Output.encodedArray(actions))
            return
        }
        guard !actions.isEmpty else {
            print("no findings are assigned; give one with `spi finding assign RULE ROW --owner PERSON --due DATE`")
            return
        }
        let rows = actions.map { action in
            [
                action.dueDate, action.isOpen ? "open" : "fixed", action.rule, action.subject, action.owner,
                action.note ?? "",
            ]
        }
        print(Output.table(header: ["due", "state", "rule", "row", "owner", "note"], rows: rows, limit: nil))
    }
}
