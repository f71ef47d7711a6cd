import Foundation
import SPIRegister
import SPIReplication
import SPISQLite
import Testing

/// Achieved service levels: which way is better, the period labels, the rules a result keeps, who may record one,
/// who sees it, and the levels report's attainment and chain (issue 18).
@Suite("service levels achieved")
struct ServiceLevelTests {
    /// The demo's id of a target or a party, as the demo derives it.
    static func target(_ key: String) -> String { RecordID.v5("demo:target:\(key)") }
    static func party(_ code: String) -> String { RecordID.v5("demo:party:\(code)") }

    @Test("a percentage is met at or above its target, a duration at or below; periods follow the target's period")
    func attainment() {
        #expect(ServiceLevel.meets(value: 99.95, target: 99.9, unit: "percent"))
        #expect(ServiceLevel.meets(value: 99.9, target: 99.9, unit: "percent"))
        #expect(!ServiceLevel.meets(value: 99.91, target: 99.95, unit: "percent"))
        #expect(ServiceLevel.meets(value: 9.1, target: 10, unit: "minutes"))
        #expect(!ServiceLevel.meets(value: 12, target: 10, unit: "minutes"))
        #expect(!ServiceLevel.meets(value: 6, target: 5, unit: "business_days"))
        for (label, period) in [
            ("2026-11", "month"), ("2026-Q4", "quarter"), ("2026", "year"), ("2026-W47", "week"),
            ("2026-11-20", "day"), ("2026-11", nil),
        ] {
            #expect(ServiceLevel.periodProblem(label, for: period) == nil, "\(label) \(period ?? "nil")")
        }
        for (label, period) in [
            ("2026-13", "month"), ("November", "month"), ("2026-Q5", "quarter"), ("2026-11", "year"),
            ("2026-02-30", "day"), ("2026-W54", "week"),
        ] {
            #expect(ServiceLevel.periodProblem(label, for: period) != nil, "\(label) \(period)")
        }
        #expect(
            ServiceLevel.periodProblem("Nov 2026", for: "month")
                == "'Nov 2026' is not a month period; write it as 2026-11")
    }

    @Test(
        "recording a level: the period and value are checked, recording a period again corrects it, and only the agreement's provider (or the organization) may write it"
    )
    func recording() throws {
        try CheckFixture.withDemo { db in
            let store = RecordStore(db: db, kind: .organization, today: CheckFixture.today)
            let target = Self.target("UC-FAB-RSP-P1")
            let first = try store.put(
                "service_level_result", fields: ["target_id": target, "period": "2025-02", "value": "12"])
            let again = try store.put(
                "service_level_result", fields: ["target_id": target, "period": "2025-02", "value": "9.5"])
            #expect(first == again)
            #expect(try store.record("service_level_result", first)["value"] == .real(9.5))
            for (fields, message) in [
                (["target_id": target, "period": "February", "value": "9"], "not a month period"),
                (["target_id": target, "period": "2025-03", "value": "-1"], "not negative"),
                (["target_id": Self.target("UC-CON-ECOM-AV"), "period": "2025-03", "value": "100.5"], "at most 100"),
            ] {
                let error = try #require(throws: RegisterError.self) {
                    try store.put("service_level_result", fields: fields)
                }
                #expect(error.message.contains(message), "\(error)")
            }
            // Fabrikam records against its own agreement's target, not against Contoso's or the SLA's.
            let fab = AccessActor.party(Self.party("FAB"))
            func judge(_ target: String) throws -> GateDecision {
                try AccessRules.judge(
                    RowWrite(
                        table: "service_level_result", id: RecordID.v7(), kind: .create,
                        values: ["target_id": .text(target), "period": .text("2025-03"), "value": .real(1)]),
                    by: fab, db)
            }
            #expect(try judge(target) == .allow)
            for other in ["UC-CON-ECOM-AV", "SLA-ECOM-RSP-P1"] {
                guard case .refuse(let reason) = try judge(Self.target(other)) else {
                    Issue.record("Fabrikam may record against \(other)")
                    continue
                }
                #expect(reason.contains("agreements it provides"), "\(reason)")
            }
            // Who sees the results: the agreement's parties.
            let visible = { (party: String) in
                try AccessRules.visibility(for: .party(Self.party(party)))?["service_level_result"]
                    .map { rule in
                        try db.rows("SELECT count(DISTINCT id) FROM (\(AccessRules.withoutEntry(rule)))")[0][0]
                    }
            }
            // Fabrikam's three months of P1 response (February corrected in place: the demo's row has the same
            // derived id), first-contact resolution and reopen rate.
            #expect(try visible("FAB") == .integer(9))
            #expect(try visible("CON") == .integer(3))
            #expect(try visible("TAIL") == .integer(0))
        }
    }

    @Test(
        "the levels report shows the last periods, flags a missed latest period, and shows the supported target beside an underpinning one"
    )
    func report() throws {
        try CheckFixture.withDemo { db in
            let markdown = try ReportRenderer.render(
                .levels, format: .md, db: db, provider: nil, registerName: "Northwind",
                generatedAt: "2025-03-14T09:30:00Z",
                today: CheckFixture.today)
            let contoso = try #require(
                markdown.split(separator: "\n").first {
                    $0.contains("| CON | UC-CON UC | availability | any | 99.95 %")
                })
            #expect(
                contoso.contains("⚠ 2025-02: 99.91 ✗ (by 0.04); 2025-01: 99.96 ✓; 2024-12: 99.97 ✓ (missed)"),
                "\(contoso)")
            #expect(contoso.contains("SLA-RETAIL ECOM availability (99.9 %): 2025-02: 99.92 ✓"), "\(contoso)")
            let csv = try CSVReader.parse(
                try ReportRenderer.render(
                    .levels, format: .csv, db: db, provider: nil, registerName: "Northwind",
                    generatedAt: "2025-03-14T09:30:00Z",
                    today: CheckFixture.today))
            let header = try #require(csv.first)
            let id = try #require(header.firstIndex(of: "target_id"))
            let met = try #require(header.firstIndex(of: "latest_met"))
            let row = try #require(csv.first { $0[id] == Self.target("UC-CON-ECOM-AV") })
            #expect(row[met] == "false")
            #expect(csv.first { $0[id] == Self.target("UC-FAB-RSP-P1") }?[met] == "true")
        }
    }
}
