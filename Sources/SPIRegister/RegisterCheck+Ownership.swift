import SPISQLite

extension RegisterCheck {
    /// Practices and SPIs that nobody (active) owns.
    static func checkOwnership(_ context: Context) throws {
        let practices = """
            SELECT p.id, (SELECT group_concat(i.id) FROM
                (SELECT id FROM interface i WHERE i.practice_id = p.id AND \(live("i")) ORDER BY id) i)
            FROM practice p
            WHERE \(blank("p.owner_id"))
              AND EXISTS (SELECT 1 FROM interface i WHERE i.practice_id = p.id AND \(live("i")))
            ORDER BY p.id
            """
        for row in try context.query(practices) {
            guard let id = row[0] else { continue }
            let spis = (row[1] ?? "").split(separator: ",").map(String.init).sorted()
            let codes = spis.map { context.label("interface", $0) }.sorted().joined(separator: ", ")
            context.add(
                "practice-without-owner",
                "Practice \(context.label("practice", id)) has \(spis.count) live SPI\(spis.count == 1 ? "" : "s") "
                    + "(\(codes)) but no owner",
                [FindingRow(table: "practice", id: id)] + spis.map { FindingRow(table: "interface", id: $0) }
            )
        }

        let interfaces = "SELECT i.id FROM interface i WHERE \(live("i")) AND \(blank("i.owner_id")) ORDER BY i.id"
        for row in try context.query(interfaces) {
            guard let id = row[0] else { continue }
            context.add(
                "interface-without-owner",
                "\(context.describe("interface", id)) has no owner",
                [FindingRow(table: "interface", id: id)]
            )
        }

        let inactive: [(table: String, condition: String)] = [
            ("interface", live("x")),
            ("practice", "EXISTS (SELECT 1 FROM interface i WHERE i.practice_id = x.id AND \(live("i")))"),
            ("agreement", "x.status IS NOT 'expired' AND x.status IS NOT 'terminated'"),
        ]
        for (table, condition) in inactive {
            let sql = """
                SELECT x.id, p.id FROM \(table) x JOIN person p ON p.id = x.owner_id
                WHERE p.active = 0 AND \(condition) ORDER BY x.id
                """
            for row in try context.query(sql) {
                guard let id = row[0], let person = row[1] else { continue }
                context.add(
                    "owner-inactive",
                    "\(context.describe(table, id)) is owned by \(context.label("person", person)), who is inactive",
                    [FindingRow(table: table, id: id), FindingRow(table: "person", id: person)]
                )
            }
        }
    }
}
