import ArgumentParser
import SPIRegister

/// `spi info deliver ITEM --date D`: evidence that a management-information item was delivered.
struct InfoDeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Record that an information item was delivered (for the period it fell due in).",
        discussion: """
            ITEM is the information item's id, or its first 8 or more characters (`spi info list`). The period is \\
            the month the delivery fell due in (2026-12), or the due day for weekly and daily items; by default the \\
            due date nearest to --date. Recording a period again corrects it. Prints the due date and whether the \\
            delivery was on time. A provider records the deliveries of its own SPIs' items on its own replica; the \\
            organization sees them after sync. `spi due` lists due dates with nothing delivered (from an item's first \\
            recorded delivery on), and `spi report calendar` shows each item's last due dates and its on-time rate.

            Examples:
              spi info deliver eb72bb8f --date 2026-12-04 --ref https://wiki.example/reports/2026-11
              spi info deliver eb72bb8f --date 2026-11-10 --period 2026-11
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The information item: its id, or 8 or more of its first characters.", valueName: "item"))
    var item: String

    @Option(help: ArgumentHelp("The day it was delivered, YYYY-MM-DD (default: today).", valueName: "date"))
    var date: String?

    @Option(
        help: ArgumentHelp(
            "The period it was due in, such as 2026-12 (default: the due date nearest --date).", valueName: "period"))
    var period: String?

    @Option(help: ArgumentHelp("Where it is: a URL, a ticket or a file name.", valueName: "text"))
    var ref: String?

    func validate() throws {
        try DateOption.validate(("--date", date))
    }

    func run() async throws {
        let register = try global.openRegister()
        let line = try register.write { store -> String in
            let record = try store.record("information_item", item)
            let day = date ?? store.today
            guard let period = period ?? ReportingEvidence.period(ofItem: record, deliveredOn: day) else {
                throw RegisterError(
                    .missingField,
                    "the due rule of '\(record["name"].textValue ?? item)' gives no due date; give the period with --period"
                )
            }
            var fields = ["information_item_id": record.id, "period": period, "delivered_on": day]
            if let ref { fields["ref"] = ref }
            let id = try store.put("information_delivery", fields: fields)
            let evidence = try ReportingEvidence.recent(in: store, today: max(day, store.today), count: 24)
                .first { $0.itemID == record.id && $0.period == period }
            let name = try store.rowName("information_delivery", id)
            guard let evidence else { return "recorded \(name): delivered \(day)" }
            return "recorded \(name): due \(evidence.due.text), \(evidence.summary)"
        }
        print(line)
    }
}
