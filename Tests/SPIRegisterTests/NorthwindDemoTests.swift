import SPIRegister
import SPISQLite
import Testing

@Suite("Northwind demo")
struct NorthwindDemoTests {
    static let spiCodes = [
        "SPI-INC-FAB", "SPI-INC-CON", "SPI-INC-TAIL", "SPI-PRB-CON", "SPI-PRB-TAIL", "SPI-CHG-CON", "SPI-CHG-TAIL",
        "SPI-SR-FAB", "SPI-SLM-CON", "SPI-CAP-CON", "SPI-CFG-TAIL", "SPI-ISM-FAB",
    ]

    @Test("the demo has the five parties and the twelve SPIs with the right practices and providers")
    func structure() throws {
        try CheckFixture.withDemo { db in
            let parties = try db.rows("SELECT code, kind, internal FROM party ORDER BY code").map {
                "\($0[0].textValue!):\($0[1].textValue!):\($0[2].integerValue!)"
            }
            #expect(
                parties == [
                    "CON:provider:0", "FAB:provider:0", "NWR:organization:1", "SIAM:integrator:1",
                    "TAIL:provider:0",
                ])
            let spis = try db.rows(
                """
                SELECT i.code, p.code, y.code FROM interface i
                JOIN practice p ON p.id = i.practice_id JOIN party y ON y.id = i.provider_id
                """
            )
            #expect(Set(spis.map { $0[0].textValue! }) == Set(Self.spiCodes))
            #expect(spis.count == 12)
            for row in spis {
                #expect(row[0].textValue == "SPI-\(row[1].textValue!)-\(row[2].textValue!)")
            }
            #expect(Set(NorthwindDemo.interfaceCodes) == Set(Self.spiCodes))
            // Ids are deterministic UUIDv5s.
            #expect(try CheckFixture.id(db, "party", code: "FAB") == RecordID.v5("demo:party:FAB"))
            let id = try CheckFixture.id(db, "interface", code: "SPI-INC-FAB")
            let raciIDs = try db.rows(
                "SELECT id, activity_id, party_id, role FROM raci_assignment WHERE interface_id = ?",
                [.text(id)])
            #expect(raciIDs.count > 7)
            for row in raciIDs {
                let expected = RecordID.v5(
                    "raci:\(id):\(row[1].textValue!):\(row[2].textValue!):\(row[3].textValue!)"
                )
                #expect(row[0].textValue == expected)
            }
        }
    }

    @Test("every SPI has RACI rows, services and reviews; the content tables are filled")
    func content() throws {
        try CheckFixture.withDemo { db in
            for table in ["raci_assignment", "interface_service"] {
                let without = try db.scalar(
                    """
                    SELECT count(*) FROM interface i
                    WHERE NOT EXISTS (SELECT 1 FROM \(table) x WHERE x.interface_id = i.id)
                    """
                )
                #expect(without == .integer(0), "SPIs without \(table)")
            }
            for (table, minimum) in [
                ("person", 12), ("service", 5), ("agreement", 5), ("service_level_target", 12),
                ("integration_point", 20), ("integration_data_item", 60), ("information_item", 18),
                ("information_recipient", 30), ("review", 10),
            ] as [(String, Int64)] {
                let count = try db.scalar("SELECT count(*) FROM \(table)")?.integerValue ?? 0
                #expect(count >= minimum, "\(table): \(count)")
            }
            let supports = try db.scalar("SELECT count(*) FROM service_level_target WHERE supports_id IS NOT NULL")
            #expect((supports?.integerValue ?? 0) >= 8)
            let channels = try db.rows("SELECT DISTINCT channel FROM integration_point").compactMap { $0[0].textValue }
            #expect(Set(channels).isSuperset(of: ["e_bonding", "api", "email", "portal"]))
            let tmf = try db.scalar("SELECT count(*) FROM integration_point WHERE standard LIKE '%TMF621%'")
            #expect((tmf?.integerValue ?? 0) >= 3)
        }
    }

    @Test("dates are relative to today")
    func relativeDates() throws {
        try CheckFixture.withDemo { db in
            let end = try db.scalar("SELECT end_date FROM agreement WHERE code = 'UC-FAB'")?.textValue
            #expect(end == "2025-04-28") // today + 45 days
            let review = try db.scalar("SELECT next_review FROM interface WHERE code = 'SPI-ISM-FAB'")?.textValue
            #expect(review != nil && review! < CheckFixture.today)
        }
    }

    @Test("every planted gap is found by the check, with the right rule and row")
    func plantedGapsAreFound() throws {
        try CheckFixture.withDemo { db in
            let findings = try RegisterCheck.run(db, today: CheckFixture.today)
            #expect(NorthwindDemo.plantedGaps.count >= 6)
            #expect(Set(NorthwindDemo.plantedGaps.map(\.rule)).count == NorthwindDemo.plantedGaps.count)
            for gap in NorthwindDemo.plantedGaps {
                #expect(RegisterCheck.rule(gap.rule) != nil, "unknown rule \(gap.rule)")
                let id = try #require(try NorthwindDemo.rowID(of: gap, in: db), "no row for \(gap.code)")
                let row = FindingRow(table: gap.table, id: id)
                #expect(
                    findings.contains { $0.rule == gap.rule && $0.rows.contains(row) },
                    "planted gap \(gap.rule) on \(gap.code) not found"
                )
            }
        }
    }

    @Test("the clean parts of the demo produce no findings: every finding is a planted gap")
    func noFalseFindings() throws {
        try CheckFixture.withDemo { db in
            let findings = try RegisterCheck.run(db, today: CheckFixture.today)
            var planted: [String: String] = [:]
            for gap in NorthwindDemo.plantedGaps {
                planted[gap.rule] = try NorthwindDemo.rowID(of: gap, in: db)
            }
            for finding in findings {
                let id = planted[finding.rule]
                #expect(id != nil && finding.rows.contains { $0.id == id }, "unexpected finding: \(finding.message)")
            }
            #expect(findings.count == NorthwindDemo.plantedGaps.count)
            // The SPIs without planted RACI gaps have no RACI findings.
            let raci = findings.filter { $0.rule.hasPrefix("raci-") }
            let raciSPIs = Set(raci.compactMap { $0.rows.first?.id })
            #expect(
                raciSPIs == [
                    try CheckFixture.id(db, "interface", code: "SPI-CHG-TAIL"),
                    try CheckFixture.id(db, "interface", code: "SPI-PRB-CON"),
                ])
            let multiple = try #require(raci.first { $0.rule == "raci-multiple-accountable" })
            #expect(multiple.message.contains("CHG-CAB") && multiple.message.contains("SIAM, TAIL"))
            #expect(multiple.rows.filter { $0.table == "raci_assignment" }.count == 2)
        }
    }

    @Test("the demo's findings do not depend on the day it is built and checked")
    func anyToday() throws {
        for today in ["2024-02-29", "2026-12-31", "2031-07-01"] {
            let rules = try CheckFixture.withRegister { db in
                try db.transaction { db in try NorthwindDemo.populate(db, today: today) }
                return try RegisterCheck.run(db, today: today).map(\.rule)
            }
            #expect(Set(rules) == Set(NorthwindDemo.plantedGaps.map(\.rule)), "\(today)")
        }
    }

    @Test("populate refuses a register without seeded practices, a bad date, and a second run")
    func refusals() throws {
        try CheckFixture.withRegister(seeded: false) { db in
            #expect(throws: RegisterCheckError.self) {
                try db.transaction { db in try NorthwindDemo.populate(db, today: CheckFixture.today) }
            }
            let parties = try db.scalar("SELECT count(*) FROM party")
            #expect(parties == .integer(0))
        }
        try CheckFixture.withDemo { db in
            #expect(throws: RegisterCheckError.self) {
                try db.transaction { db in try NorthwindDemo.populate(db, today: CheckFixture.today) }
            }
            #expect(throws: RegisterCheckError.self) {
                try db.transaction { db in try NorthwindDemo.populate(db, today: "2025-13-01") }
            }
            let parties = try db.scalar("SELECT count(*) FROM party")
            #expect(parties == .integer(5))
        }
    }

    @Test("two demos built on the same day are identical")
    func deterministic() throws {
        func dump() throws -> [String] {
            try CheckFixture.withDemo { db in
                var lines: [String] = []
                for table in RegisterSchema.tableNames {
                    for row in try db.rows("SELECT * FROM \(table) ORDER BY id") {
                        lines.append(table + ":" + row.map(\.description).joined(separator: "|"))
                    }
                }
                return lines
            }
        }
        #expect(try dump() == dump())
    }
}
