import Foundation
import SPIRegister
import SPIReplication
import SPISQLite
import Testing

/// Metrics as register data: the seeded four, a party's own, which way is better, and the rules around them.
@Suite("metrics")
struct MetricTests {
    @Test("every register starts with the four seeded metrics, each with its direction")
    func seeded() throws {
        try withRegister { register, _ in
            let rows = try register.read { try $0.records("metric") }
            let directions = Dictionary(
                uniqueKeysWithValues: rows.map { ($0["code"].textValue ?? "", $0["higher_is_better"]) })
            #expect(
                directions == [
                    "availability": .integer(1), "time_to_respond": .integer(0), "time_to_resolve": .integer(0),
                    "report_delivery": .integer(0),
                ])
            #expect(rows.allSatisfy { $0.id == ReferenceData.metricID($0["code"].textValue ?? "") })
        }
    }

    @Test("a target names a metric of the register; a party's own metric counts, lower-is-better included")
    func ownMetric() throws {
        try withRegister(today: "2026-12-07") { register, _ in
            try register.replica.write { db in try NorthwindDemo.populate(db, today: "2026-12-07") }
            let refused = #expect(throws: RegisterError.self) {
                try register.write { store in
                    try store.put(
                        "service_level_target",
                        fields: [
                            "agreement_id": "UC-CON", "service_id": "HOST", "metric": "change_success_rate",
                            "target": "95",
                            "unit": "percent",
                        ])
                }
            }
            #expect(refused?.message.contains("unknown metric 'change_success_rate'") == true)
            #expect(refused?.message.contains("reopen_rate") == true, "\(String(describing: refused))")
            let id = try register.write { store -> String in
                _ = try store.put(
                    "metric",
                    fields: [
                        "code": "change_success_rate", "name": "Change success rate", "unit": "percent",
                    ])
                return try store.put(
                    "service_level_target",
                    fields: [
                        "agreement_id": "UC-CON", "service_id": "HOST", "metric": "change_success_rate", "target": "95",
                        "unit": "percent",
                    ])
            }
            #expect(
                try register.read { try $0.record("metric", "change_success_rate").id }
                    == ReferenceData.metricID("change_success_rate"))
            #expect(!id.isEmpty)
            // The demo's reopen rate: lower is better, so 5.6 % misses a 5 % target and 4.2 % meets it.
            try register.write { store in
                _ = try store.put(
                    "service_level_result",
                    fields: [
                        "target_id": try store.resolve("service_level_target", NorthwindDemoTargetID.reopen),
                        "period": "2026-12", "value": "5.6",
                    ])
            }
            let csv = try register.read { store in
                try ReportRenderer.render(
                    .levels, format: .csv, db: store.db, provider: "FAB", registerName: "R", generatedAt: "now",
                    today: "2026-12-07")
            }
            let rows = try CSVReader.parse(csv)
            let header = try #require(rows.first)
            func field(_ name: String, _ metric: String) throws -> String {
                let row = try #require(rows.first { $0.contains(metric) }, "\(metric)")
                return row[try #require(header.firstIndex(of: name), "\(name)")]
            }
            #expect(
                try [
                    field("latest_period", "reopen_rate"), field("latest_value", "reopen_rate"),
                    field("latest_met", "reopen_rate"),
                ]
                    == ["2026-12", "5.6", "false"])
            #expect(
                try [
                    field("latest_value", "first_contact_resolution"), field("latest_met", "first_contact_resolution"),
                ]
                    == ["74.8", "true"])
            #expect(try field("periods_met", "reopen_rate") == "2" && field("periods_recorded", "reopen_rate") == "3")
            // The SPI document shows the attainment too, the missed latest period flagged.
            let document = try register.read { store in
                try ReportRenderer.render(
                    .document, format: .md, db: store.db, provider: "FAB", registerName: "R", generatedAt: "now",
                    today: "2026-12-07")
            }
            #expect(document.contains("| Achieved |") && document.contains("2026-12: 5.6 ✗ (by 0.6)"), "\(document)")
            #expect(document.contains("latest period missed"))
            #expect(ServiceLevel.meets(value: 4.2, target: 5, unit: "percent", higherIsBetter: false))
            #expect(!ServiceLevel.meets(value: 4.2, target: 5, unit: "percent"))
        }
    }

    @Test("a provider adds its own metrics but changes none; a target whose metric is gone is a finding")
    func rules() throws {
        try withRegister(today: "2026-12-07") { register, _ in
            try register.replica.write { db in try NorthwindDemo.populate(db, today: "2026-12-07") }
            try register.read { store in
                let fabrikam = AccessActor.party(try store.resolve("party", "FAB"))
                let create = RowWrite(
                    table: "metric", id: ReferenceData.metricID("callback_rate"), kind: .create,
                    values: ["code": .text("callback_rate"), "name": .text("Callback rate"), "unit": .text("percent")])
                #expect(try AccessRules.judge(create, by: fabrikam, store.db) == .allow)
                let change = RowWrite(
                    table: "metric", id: ReferenceData.metricID("availability"), kind: .update,
                    values: ["higher_is_better": .integer(0)])
                #expect(try AccessRules.judge(change, by: fabrikam, store.db) != .allow)
            }
            try register.replica.write { db in try db.execute("DELETE FROM metric WHERE code = 'reopen_rate'") }
            let findings = try register.read { try RegisterCheck.run($0.db, today: "2026-12-07") }
            #expect(
                findings.contains { $0.rule == "invalid-enum-value" && $0.message.contains("metric is 'reopen_rate'") })
        }
    }
}

/// The demo's target keys this suite uses.
enum NorthwindDemoTargetID {
    static let reopen = RecordID.v5("demo:target:UC-FAB-REOPEN")
}
