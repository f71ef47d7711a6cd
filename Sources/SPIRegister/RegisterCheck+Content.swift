import SPISQLite

extension RegisterCheck {
    /// Integration points and management information of live SPIs.
    static func checkContent(_ context: Context) throws {
        let missing: [(rule: String, table: String, what: String)] = [
            ("interface-without-integration-point", "integration_point", "integration point"),
            ("interface-without-information-item", "information_item", "information item"),
        ]
        for (rule, table, what) in missing {
            let sql = """
                SELECT i.id FROM interface i
                WHERE \(live("i")) AND NOT EXISTS (SELECT 1 FROM \(table) x WHERE x.interface_id = i.id)
                ORDER BY i.id
                """
            for row in try context.query(sql) {
                guard let id = row[0] else { continue }
                context.add(
                    rule, "\(context.describe("interface", id)) has no \(what)",
                    [
                        FindingRow(table: "interface", id: id)
                    ])
            }
        }

        let withoutRecipient = """
            SELECT n.id, n.interface_id FROM information_item n JOIN interface i ON i.id = n.interface_id
            WHERE \(live("i")) AND NOT EXISTS (
                SELECT 1 FROM information_recipient r
                WHERE r.information_item_id = n.id AND NOT (\(blank("r.party_id")) AND \(blank("r.person_id"))))
            ORDER BY n.id
            """
        for row in try context.query(withoutRecipient) {
            guard let id = row[0], let interface = row[1] else { continue }
            context.add(
                "information-item-without-recipient",
                "\(context.label("interface", interface)): \(context.describe("information_item", id)) has no "
                    + "recipient",
                [FindingRow(table: "information_item", id: id), FindingRow(table: "interface", id: interface)]
            )
        }

        let rules = """
            SELECT n.id, n.interface_id, n.due_rule, n.frequency FROM information_item n
            JOIN interface i ON i.id = n.interface_id WHERE \(live("i")) ORDER BY n.id
            """
        for row in try context.query(rules) {
            guard let id = row[0], let interface = row[1],
                let problem = ReportDueRule.problem(rule: row[2], frequency: row[3])
            else { continue }
            context.add(
                "due-rule-not-understood",
                "\(context.label("interface", interface)): \(context.describe("information_item", id)): \(problem)",
                [FindingRow(table: "information_item", id: id), FindingRow(table: "interface", id: interface)])
        }

        let withoutData = """
            SELECT p.id, p.interface_id FROM integration_point p JOIN interface i ON i.id = p.interface_id
            WHERE \(live("i")) AND NOT EXISTS (
                SELECT 1 FROM integration_data_item d WHERE d.integration_point_id = p.id)
            ORDER BY p.id
            """
        for row in try context.query(withoutData) {
            guard let id = row[0], let interface = row[1] else { continue }
            context.add(
                "integration-point-without-data-item",
                "\(context.label("interface", interface)): \(context.describe("integration_point", id)) lists no "
                    + "data items",
                [FindingRow(table: "integration_point", id: id), FindingRow(table: "interface", id: interface)]
            )
        }

        let selfHandOffs = """
            SELECT p.id, p.interface_id, p.from_party_id, y.kind,
                   p.from_practice_id IS NOT NULL AND p.from_practice_id = p.to_practice_id
            FROM integration_point p
            JOIN interface i ON i.id = p.interface_id
            JOIN party y ON y.id = p.from_party_id
            WHERE \(live("i")) AND p.from_party_id = p.to_party_id
            ORDER BY p.id
            """
        for row in try context.query(selfHandOffs) {
            guard let id = row[0], let interface = row[1], let party = row[2] else { continue }
            let rows = [
                FindingRow(table: "integration_point", id: id), FindingRow(table: "interface", id: interface),
                FindingRow(table: "party", id: party),
            ]
            let point = "\(context.label("interface", interface)): \(context.describe("integration_point", id))"
            if row[3] == "provider" {
                context.add(
                    "provider-own-integrator",
                    "\(point) hands work from provider \(context.label("party", party)) to itself instead of to the "
                        + "integrator or the organization",
                    rows
                )
            } else if row[4] == "1" {
                context.add(
                    "integration-point-loop",
                    "\(point) hands work from \(context.label("party", party)) to the same party and practice",
                    rows
                )
            }
        }

        // A hand-off to a provider's practice that no live SPI of that provider covers (only where every SPI is here).
        if context.holdsEverything {
            let uncovered = """
                SELECT p.id, p.to_party_id, p.to_practice_id, p.interface_id FROM integration_point p
                JOIN party y ON y.id = p.to_party_id
                WHERE y.kind = 'provider' AND NOT \(blank("p.to_practice_id"))
                    AND EXISTS (SELECT 1 FROM interface s WHERE s.id = p.interface_id AND \(live("s")))
                    AND NOT EXISTS (SELECT 1 FROM interface i WHERE \(live("i")) AND i.provider_id = p.to_party_id
                        AND i.practice_id = p.to_practice_id)
                ORDER BY p.id
                """
            for row in try context.query(uncovered) {
                guard let id = row[0], let party = row[1], let practice = row[2], let spi = row[3] else { continue }
                context.add(
                    "handoff-without-spi",
                    "\(context.describe("integration_point", id)) on \(context.label("interface", spi)) hands work to "
                        + "\(context.label("party", party))'s \(context.label("practice", practice)), but "
                        + "\(context.label("party", party)) has no live SPI for \(context.label("practice", practice))",
                    [FindingRow(table: "integration_point", id: id), FindingRow(table: "party", id: party)]
                )
            }
        }

        let notProvider = """
            SELECT i.id, y.id, y.kind FROM interface i JOIN party y ON y.id = i.provider_id
            WHERE \(live("i")) AND y.kind IN ('organization', 'integrator')
            ORDER BY i.id
            """
        for row in try context.query(notProvider) {
            guard let id = row[0], let party = row[1] else { continue }
            context.add(
                "interface-provider-not-provider",
                "\(context.describe("interface", id)) names \(context.label("party", party)) as its provider, but it "
                    + "is the \(row[2] ?? "")",
                [FindingRow(table: "interface", id: id), FindingRow(table: "party", id: party)]
            )
        }
    }
}
