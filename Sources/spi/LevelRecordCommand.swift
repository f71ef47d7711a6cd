import ArgumentParser
import SPIRegister

/// `spi level record TARGET --period P --value V`: the level achieved against a target in one period.
struct LevelRecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record the service level achieved against a target in one period (recording it again corrects it).",
        discussion: """
            TARGET is a service-level target's id, or the first 8 or more characters of it (`spi target list`). The \\
            period is written in the target's period: 2026-11 for a month, 2026-Q4, 2026, 2026-W47 or 2026-11-20. \\
            The value is in the target's unit; a percentage is met at or above the target, a duration at or below \\
            it. Prints whether it met the target, and by how much. A provider records the levels of the \\
            agreements it provides, on its own replica; the organization sees them after sync. `spi report levels` \\
            shows the last periods of every target beside it, and misses of underpinning targets beside the \\
            targets they support.

            Examples:
              spi level record 7c865136 --period 2026-11 --value 8.5 --source "Jira SLA report, November"
              spi level record 38c65c69 --period 2026-11 --value 99.91
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The target: its id, or 8 or more of its first characters.", valueName: "target"))
    var target: String

    @Option(
        help: ArgumentHelp(
            "The period measured, such as 2026-11 (in the target's period). Required.", valueName: "period"))
    var period: String

    @Option(help: ArgumentHelp("The value achieved, in the target's unit. Required.", valueName: "number"))
    var value: String

    @Option(help: ArgumentHelp("Where the figure comes from, such as a report or a URL.", valueName: "text"))
    var source: String?

    @Option(help: ArgumentHelp("The day it was recorded, YYYY-MM-DD (default: today).", valueName: "date"))
    var date: String?

    func validate() throws {
        try DateOption.validate(("--date", date))
    }

    func run() async throws {
        let register = try global.openRegister()
        let line = try register.write { store -> String in
            let targetID = try store.resolve("service_level_target", target)
            var fields = ["target_id": targetID, "period": period, "value": value, "recorded_on": date ?? store.today]
            if let source { fields["source"] = source }
            let id = try store.put("service_level_result", fields: fields)
            let result = try store.record("service_level_result", id)
            let goal = try store.record("service_level_target", targetID)
            guard case .real(let achieved) = result["value"], case .real(let wanted) = goal["target"] else {
                return "recorded \(try store.rowName("service_level_result", id)): \(value)"
            }
            let unit = goal["unit"].textValue
            let higher = try ServiceLevel.higherIsBetter(metric: goal["metric"].textValue, store.db)
            let met = ServiceLevel.meets(value: achieved, target: wanted, unit: unit, higherIsBetter: higher)
            let margin = ServiceLevel.margin(achieved, wanted)
            let verdict =
                met
                ? "met (target \(JSONValue.real(wanted).canonicalText))"
                : "MISSED by \(JSONValue.real(margin).canonicalText) \(unit ?? "") (target \(JSONValue.real(wanted).canonicalText))"
            return
                "recorded \(try store.rowName("service_level_result", id)): \(JSONValue.real(achieved).canonicalText) \(unit ?? ""), \(verdict)"
        }
        print(line)
    }
}
