import SPISQLite

extension RegisterCheck {
    /// One RACI row, as the RACI rules see it.
    struct RACIRow {
        var id: String
        var interfaceID: String
        var activityID: String
        var partyID: String?
        var role: String?
    }

    /// Exactly one A and at least one R per SPI activity that has RACI rows; every live SPI has RACI rows; rows
    /// name activities of the SPI's own practice.
    static func checkRACI(_ context: Context) throws {
        let withoutRACI = """
            SELECT i.id FROM interface i
            WHERE \(live("i")) AND NOT EXISTS (SELECT 1 FROM raci_assignment r WHERE r.interface_id = i.id)
            ORDER BY i.id
            """
        for row in try context.query(withoutRACI) {
            guard let id = row[0] else { continue }
            context.add(
                "interface-without-raci",
                "\(context.describe("interface", id)) has no RACI assignments",
                [FindingRow(table: "interface", id: id)]
            )
        }

        let sql = """
            SELECT r.id, r.interface_id, r.activity_id, r.party_id, r.role FROM raci_assignment r
            JOIN interface i ON i.id = r.interface_id
            WHERE \(live("i")) AND NOT \(blank("r.activity_id"))
            ORDER BY r.interface_id, r.activity_id, r.id
            """
        var groups: [[String]: [RACIRow]] = [:]
        for row in try context.query(sql) {
            guard let id = row[0], let interface = row[1], let activity = row[2] else { continue }
            groups[[interface, activity], default: []].append(
                RACIRow(id: id, interfaceID: interface, activityID: activity, partyID: row[3], role: row[4])
            )
        }
        for (key, rows) in groups {
            let (interface, activity) = (key[0], key[1])
            let head = [FindingRow(table: "interface", id: interface), FindingRow(table: "activity", id: activity)]
            let subject = "\(context.label("interface", interface)), activity \(context.label("activity", activity))"
            let accountable = rows.filter { $0.role == "A" }
            if accountable.isEmpty {
                context.add(
                    "raci-no-accountable",
                    "\(subject): no Accountable party",
                    head + rows.map { FindingRow(table: "raci_assignment", id: $0.id) }
                )
            } else if accountable.count > 1 {
                let parties = accountable.map { context.label("party", $0.partyID) }.sorted()
                context.add(
                    "raci-multiple-accountable",
                    "\(subject): \(accountable.count) Accountable parties (\(parties.joined(separator: ", "))); "
                        + "exactly one is allowed",
                    head + accountable.map { FindingRow(table: "raci_assignment", id: $0.id) }
                )
            }
            if !rows.contains(where: { $0.role == "R" }) {
                context.add(
                    "raci-no-responsible",
                    "\(subject): no Responsible party",
                    head + rows.map { FindingRow(table: "raci_assignment", id: $0.id) }
                )
            }
        }

        let outside = """
            SELECT r.interface_id, r.activity_id, group_concat(r.id) FROM
                (SELECT * FROM raci_assignment ORDER BY id) r
            JOIN interface i ON i.id = r.interface_id
            JOIN activity a ON a.id = r.activity_id
            WHERE \(live("i")) AND NOT \(blank("i.practice_id")) AND a.practice_id IS NOT i.practice_id
            GROUP BY r.interface_id, r.activity_id
            ORDER BY r.interface_id, r.activity_id
            """
        for row in try context.query(outside) {
            guard let interface = row[0], let activity = row[1] else { continue }
            let ids = (row[2] ?? "").split(separator: ",").map(String.init).sorted()
            context.add(
                "raci-activity-outside-practice",
                "\(context.label("interface", interface)): activity \(context.label("activity", activity)) does not "
                    + "belong to the SPI's practice \(practiceLabel(context, interface))",
                [FindingRow(table: "interface", id: interface), FindingRow(table: "activity", id: activity)]
                    + ids.map { FindingRow(table: "raci_assignment", id: $0) }
            )
        }
    }

    static func practiceLabel(_ context: Context, _ interface: String) -> String {
        let practice = try? context.query("SELECT practice_id FROM interface WHERE id = ?", [.text(interface)])
        return context.label("practice", practice?.first?[0] ?? nil)
    }
}
