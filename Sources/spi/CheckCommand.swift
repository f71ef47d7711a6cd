import ArgumentParser
import Foundation
import SPIRegister

/// `spi check`: the domain rules and gap findings.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report broken rules and gaps in the register.",
        discussion: """
            Local edits are validated when they are made, but merges from other replicas never are: two valid \
            offline edits can combine into a broken rule (two SPIs with the same code, a RACI row whose party was \
            deleted). check reads the register as it is and reports each finding with its rule, severity (error, \
            warning, info) and the rows it concerns.

            A finding given to someone to fix (`spi finding assign`) shows its owner and due date.

            Exit status is 0 even with findings, unless --strict is given and there is an error finding (then 1).

            Examples:
              spi check
              spi check --json | jq '.[] | select(.severity == "error")'
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON array of findings: rule, severity, message, rows (table and id).")
    var json = false

    @Flag(help: "Exit with status 1 when any finding is an error.")
    var strict = false

    @Option(help: ArgumentHelp("Check as of this date instead of today (YYYY-MM-DD).", valueName: "date"))
    var today: String?

    func run() async throws {
        let register = try global.openRegister()
        let date = today ?? register.today
        let (findings, actions) = try register.read { store in
            let findings = try RegisterCheck.run(store.db, today: date)
            return (findings, try Governance.findingActions(in: store, findings: findings, today: date))
        }
        if json {
            print(try Output.encodedArray(findings))
        } else {
            if findings.isEmpty {
                print("no findings")
            } else {
                // A finding given to someone to fix shows who, and by when (`spi finding assign`).
                let assigned = Dictionary(
                    actions.map { ("\($0.rule)/\($0.subjectTable)/\($0.subjectID)", "\($0.owner), due \($0.dueDate)") },
                    uniquingKeysWith: { a, _ in a })
                let rows = findings.map { finding -> [String] in
                    let key = finding.rows.first.map { "\(finding.rule)/\($0.table)/\($0.id)" } ?? ""
                    return [finding.severity.rawValue, finding.rule, finding.message]
                        + (assigned.isEmpty ? [] : [assigned[key] ?? ""])
                }
                print(
                    Output.table(
                        header: ["severity", "rule", "finding"] + (assigned.isEmpty ? [] : ["assigned"]), rows: rows,
                        limit: nil))
                let counts = Severity.allCases.map { severity in
                    "\(findings.filter { $0.severity == severity }.count) \(severity.rawValue)"
                }
                print("\n\(findings.count) finding\(findings.count == 1 ? "" : "s"): \(counts.joined(separator: ", "))")
            }
        }
        if strict && findings.contains(where: { $0.severity == .error }) {
            throw ExitCode.failure
        }
    }
}
