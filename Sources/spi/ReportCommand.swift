import ArgumentParser
import Foundation
import SPIRegister

/// `spi report NAME`: the SPI artefacts process owners use, generated from the register.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Generate an SPI report: document, raci, integration, calendar, levels, gaps or ecosystem.",
        discussion: """
            document     the SPI document per provider: header, RACI, integration points, information items, \
            targets, reviews
            raci         activities × parties, with violations marked
            integration  who hands what to whom, by which channel and standard, and when
            calendar     information items by frequency and due rule, with the next due dates
            levels       service × provider × metric × priority × target, with the levels achieved in the last \
            periods (--periods, default 3) and how many met the target; weaker underpinning targets flagged
            gaps         every finding of `spi check`, grouped and explained, with the command that fixes it
            ecosystem    practices × providers as a heat map: complete RACIs, gaps, Accountables, hand-offs

            Markdown (the default) reads well in a terminal and a wiki; HTML is one self-contained printable file; \
            CSV and JSON are for spreadsheets and scripts (columns and schema in docs/reports.md).

            With --version, the document shows the SPIs that have that frozen version (frozen when approved or \
            signed), exactly as they were then.

            Examples:
              spi report document --provider FAB --format html --out fabrikam-spi.html
              spi report document --provider FAB --version 2.1
              spi report calendar --provider FAB --format ics --out fabrikam.ics
              spi report levels --provider FAB --periods 12
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The report: \(ReportName.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("Only this provider (a party code such as FAB).", valueName: "code"))
    var provider: String?

    @Option(
        help: ArgumentHelp(
            "Output format: md, html, csv or json; ics (iCalendar) for the calendar.", valueName: "format"))
    var format: String = "md"

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("Report as of this date instead of today (YYYY-MM-DD).", valueName: "date"))
    var today: String?

    @Option(
        help: ArgumentHelp(
            "document only: render the SPIs that have this frozen version (see `spi interface versions`), exactly as frozen.",
            valueName: "version"))
    var version: String?

    @Option(
        help: ArgumentHelp(
            "levels only: how many of the latest periods of achieved levels to show per target (1 to 36; default 3).",
            valueName: "n"))
    var periods: Int?

    func validate() throws {
        guard ReportName(rawValue: name) != nil else {
            throw ValidationError(
                "unknown report '\(name)'; choose one of \(ReportName.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if format == "ics" {
            guard name == ReportName.calendar.rawValue else {
                throw ValidationError("--format ics applies to the calendar report only")
            }
        } else if ReportFormat(rawValue: format) == nil {
            throw ValidationError(
                "unknown format '\(format)'; choose one of \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")) "
                    + "(or ics for the calendar)")
        }
        try DateOption.validate(("--today", today))
        if version != nil && name != ReportName.document.rawValue {
            throw ValidationError("--version applies to the document report only")
        }
        if let periods {
            guard name == ReportName.levels.rawValue else {
                throw ValidationError("--periods applies to the levels report only")
            }
            guard ReportRenderer.periodRange.contains(periods) else {
                throw ValidationError(
                    "--periods \(periods) is out of range; give \(ReportRenderer.periodRange.lowerBound) to "
                        + "\(ReportRenderer.periodRange.upperBound)")
            }
        }
    }

    func run() async throws {
        let register = try global.openRegister()
        let date = today ?? register.today
        let generatedAt = ISO8601DateFormatter().string(from: Date())
        let text = try register.read { store in
            if format == "ics" {
                return try ReportRenderer.renderCalendarICS(
                    db: store.db, provider: provider, registerName: register.name, generatedAt: generatedAt, today: date
                )
            }
            if let version {
                return try ReportRenderer.renderFrozenDocument(
                    version: version, format: ReportFormat(rawValue: format)!, db: store.db, provider: provider,
                    registerName: register.name, generatedAt: generatedAt, today: date)
            }
            return try ReportRenderer.render(
                ReportName(rawValue: name)!, format: ReportFormat(rawValue: format)!, db: store.db, provider: provider,
                registerName: register.name,
                generatedAt: generatedAt, today: date, periods: periods ?? 3)
        }
        if let out {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw RegisterError(.database, "cannot write \(out): \(error.localizedDescription)")
            }
            print("wrote \(out)")
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}
