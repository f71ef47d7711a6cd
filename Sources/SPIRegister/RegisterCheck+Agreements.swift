import SPISQLite

extension RegisterCheck {
    /// Whether a target metric is better when higher (availability) or when lower (times, delivery days).
    static func higherIsBetter(_ metric: String) -> Bool? {
        switch metric {
        case "availability": true
        case "time_to_respond", "time_to_resolve", "report_delivery": false
        default: nil
        }
    }

    /// Agreement dates and owners, and underpinning targets against the targets they support.
    static func checkAgreements(_ context: Context) throws {
        // An SPI's agreement must be one its provider is a party to: the provider sees only its own agreements, so
        // it could not see the targets the SPI cites, and the two sides would sign different content.
        let foreign = """
            SELECT i.id, a.id FROM interface i JOIN agreement a ON a.id = i.agreement_id
            WHERE i.provider_id IS NOT NULL AND i.provider_id IS NOT a.provider_id AND i.provider_id IS NOT a.customer_id
            ORDER BY i.id
            """
        for row in try context.query(foreign) {
            guard let id = row[0], let agreement = row[1] else { continue }
            context.add(
                "interface-agreement-of-others",
                "\(context.describe("interface", id)) cites \(context.describe("agreement", agreement)), to which its "
                    + "provider is not a party: the provider cannot see the agreement's targets",
                [FindingRow(table: "interface", id: id), FindingRow(table: "agreement", id: agreement)])
        }
        let horizon =
            try context.db.scalar(
                "SELECT date(?, '+\(agreementWarningDays) days')", [.text(context.today)]
            )?.textValue ?? context.today
        let active = "SELECT id, start_date, end_date FROM agreement WHERE status = 'active' ORDER BY id"
        for row in try context.query(active) {
            guard let id = row[0], let end = row[2], CivilDate.isValid(end) else { continue }
            if end >= context.today, end <= horizon {
                let days =
                    try context.db.scalar(
                        "SELECT CAST(julianday(?) - julianday(?) AS INTEGER)", [.text(end), .text(context.today)]
                    )?.integerValue ?? 0
                context.add(
                    "agreement-ending-soon",
                    "\(context.describe("agreement", id)) ends on \(end), in \(days) day\(days == 1 ? "" : "s")",
                    [FindingRow(table: "agreement", id: id)]
                )
            } else if end < context.today {
                context.add(
                    "agreement-past-end",
                    "\(context.describe("agreement", id)) is active but ended on \(end)",
                    [FindingRow(table: "agreement", id: id)]
                )
            }
        }

        for row in try context.query("SELECT id, start_date, end_date FROM agreement ORDER BY id") {
            guard let id = row[0], let start = row[1], let end = row[2], CivilDate.isValid(start),
                CivilDate.isValid(end),
                end < start
            else { continue }
            context.add(
                "agreement-ends-before-start",
                "\(context.describe("agreement", id)) ends on \(end), before it starts on \(start)",
                [FindingRow(table: "agreement", id: id)]
            )
        }

        let unowned = """
            SELECT id FROM agreement
            WHERE status IS NOT 'expired' AND status IS NOT 'terminated' AND \(blank("owner_id")) ORDER BY id
            """
        for row in try context.query(unowned) {
            guard let id = row[0] else { continue }
            context.add(
                "agreement-without-owner",
                "\(context.describe("agreement", id)) has no owner (contract manager)",
                [FindingRow(table: "agreement", id: id)]
            )
        }

        let supports = """
            SELECT t.id, t.metric, t.unit, t.target, s.id, s.metric, s.unit, s.target
            FROM service_level_target t JOIN service_level_target s ON s.id = t.supports_id
            WHERE t.target IS NOT NULL AND s.target IS NOT NULL
            ORDER BY t.id
            """
        for row in try context.db.rows(supports) {
            guard case .text(let id) = row[0], case .text(let supported) = row[4],
                let metric = row[1].textValue, let otherMetric = row[5].textValue,
                let value = number(row[3]), let otherValue = number(row[7])
            else { continue }
            let unit = row[2].textValue ?? ""
            let otherUnit = row[6].textValue ?? ""
            let rows = [
                FindingRow(table: "service_level_target", id: id),
                FindingRow(table: "service_level_target", id: supported),
            ]
            let this = "\(context.describe("service_level_target", id)) (\(format(value)) \(unitSymbol(unit)))"
            let that =
                "\(context.label("service_level_target", supported)) (\(format(otherValue)) \(unitSymbol(otherUnit)))"
            guard metric == otherMetric, unit == otherUnit, !unit.isEmpty else {
                context.add("target-not-comparable", "\(this) supports \(that), a different metric or unit", rows)
                continue
            }
            guard let higher = higherIsBetter(metric) else { continue }
            let weaker = higher ? value < otherValue : value > otherValue
            if weaker {
                context.add("target-weaker-than-supported", "\(this) is weaker than \(that), which it supports", rows)
            }
        }
    }

    static func number(_ value: DatabaseValue) -> Double? {
        switch value {
        case .integer(let i): Double(i)
        case .real(let d): d
        case .text(let s): Double(s)
        default: nil
        }
    }
}
