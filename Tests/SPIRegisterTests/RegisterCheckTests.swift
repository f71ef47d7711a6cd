import Foundation
import SPIRegister
import SPISQLite
import Testing

/// Fixed ids of the small, clean register that the rule tests break one rule at a time.
private enum Clean {
    static func id(_ key: String) -> String { RecordID.v5("test:\(key)") }
    static let org = id("party:ORG"), integrator = id("party:INT"), provider = id("party:PRV")
    static let owner = id("person:owner"), contact = id("person:contact"), approver = id("person:approver")
    static let sla = id("agreement:SLA"), uc = id("agreement:UC")
    static let service = id("service:SVC")
    static let slaTarget = id("target:SLA"), ucTarget = id("target:UC")
    static let spi = id("interface:SPI-INC-PRV")
    static let point = id("integration:1"), dataItem = id("data:1")
    static let info = id("info:1"), recipient = id("recipient:1")
    static let review = id("review:1")
    static let inc = RecordID.v5("practice:INC"), prb = RecordID.v5("practice:PRB")
    static let incLog = RecordID.v5("activity:INC-LOG"), prbID = RecordID.v5("activity:PRB-ID")
    static func raci(_ party: String, _ letter: String, activity: String = incLog) -> String {
        RecordID.v5("raci:\(spi):\(activity):\(party):\(letter)")
    }

    /// Writes a register in which every rule holds.
    static func populate(_ db: Connection) throws {
        try db.execute(
            """
            INSERT INTO party (id, code, name, kind, internal) VALUES
                ('\(org)', 'ORG', 'Organization', 'organization', 1),
                ('\(integrator)', 'INT', 'Integrator', 'integrator', 1),
                ('\(provider)', 'PRV', 'Provider', 'provider', 0);
            INSERT INTO person (id, party_id, name, email, active) VALUES
                ('\(owner)', '\(integrator)', 'Olga Owner', 'olga@int.example', 1),
                ('\(contact)', '\(provider)', 'Paul Provider', 'paul@prv.example', 1),
                ('\(approver)', '\(org)', 'Ada Approver', 'ada@org.example', 1);
            UPDATE practice SET owner_id = '\(owner)' WHERE code = 'INC';
            INSERT INTO service (id, code, name, type, status, owner_id, customer_id, provider_id) VALUES
                ('\(service)', 'SVC', 'Web shop', 'business', 'catalogue', '\(owner)', '\(org)', '\(integrator)');
            INSERT INTO agreement (id, code, title, type, customer_id, provider_id, start_date, end_date, status,
                owner_id)
            VALUES
                ('\(sla)', 'SLA', 'Business SLA', 'sla', '\(org)', '\(integrator)', '2024-01-01', '2027-12-31',
                 'active', '\(owner)'),
                ('\(uc)', 'UC', 'Provider contract', 'uc', '\(org)', '\(provider)', '2024-01-01', '2027-12-31',
                 'active', '\(owner)');
            INSERT INTO service_level_target (id, agreement_id, service_id, metric, priority, target, unit, period,
                supports_id) VALUES
                ('\(slaTarget)', '\(sla)', '\(service)', 'availability', NULL, 99.5, 'percent', 'month', NULL),
                ('\(ucTarget)', '\(uc)', '\(service)', 'availability', NULL, 99.9, 'percent', 'month', '\(slaTarget)');
            INSERT INTO interface (id, code, title, practice_id, provider_id, stage, owner_id, status, version,
                approved_by, approved_on, review_interval_months, next_review, agreement_id) VALUES
                ('\(spi)', 'SPI-INC-PRV', 'Incidents with the provider', '\(inc)', '\(provider)', 'operation',
                 '\(owner)', 'approved', '1.0', '\(approver)', '2025-01-10', 12, '2026-01-10', '\(uc)');
            INSERT INTO interface_service (id, interface_id, service_id) VALUES
                ('\(RecordID.v5("interface_service:\(spi):\(service)"))', '\(spi)', '\(service)');
            INSERT INTO raci_assignment (id, interface_id, activity_id, party_id, role, role_title) VALUES
                ('\(raci(integrator, "A"))', '\(spi)', '\(incLog)', '\(integrator)', 'A', 'Incident manager'),
                ('\(raci(provider, "R"))', '\(spi)', '\(incLog)', '\(provider)', 'R', 'Provider coordinator'),
                ('\(raci(org, "I"))', '\(spi)', '\(incLog)', '\(org)', 'I', 'Business');
            INSERT INTO integration_point (id, interface_id, name, from_party_id, from_practice_id, to_party_id,
                to_practice_id, trigger_event, channel, standard, timing, correlation_key) VALUES
                ('\(point)', '\(spi)', 'Ticket hand-off', '\(provider)', '\(inc)', '\(integrator)', '\(inc)',
                 'Incident needs another resolver', 'e_bonding', 'TMF621', 'Within 10 minutes', 'Ticket id');
            INSERT INTO integration_data_item (id, integration_point_id, name, mandatory) VALUES
                ('\(dataItem)', '\(point)', 'Ticket id', 1);
            INSERT INTO information_item (id, interface_id, name, frequency, due_rule, format, sender_id) VALUES
                ('\(info)', '\(spi)', 'Incident report', 'monthly', '5th business day', 'PDF', '\(provider)');
            INSERT INTO information_recipient (id, information_item_id, party_id) VALUES
                ('\(recipient)', '\(info)', '\(integrator)');
            INSERT INTO review (id, interface_id, review_date, body, outcome, reviewer_id, version_reviewed) VALUES
                ('\(review)', '\(spi)', '2025-01-10', 'Board', 'approved', '\(owner)', '1.0');
            """
        )
    }
}

/// One way to break the clean register, and the finding it must cause.
struct BrokenRule: Sendable, CustomTestStringConvertible {
    var rule: String
    var sql: String
    var row: FindingRow
    var testDescription: String { rule }
}

private let brokenRules: [BrokenRule] = [
    BrokenRule(
        rule: "practice-without-owner", sql: "UPDATE practice SET owner_id = NULL WHERE code = 'INC'",
        row: FindingRow(table: "practice", id: Clean.inc)
    ),
    BrokenRule(
        rule: "interface-without-owner", sql: "UPDATE interface SET owner_id = ' '",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "owner-inactive", sql: "UPDATE person SET active = 0 WHERE id = '\(Clean.owner)'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "interface-without-raci", sql: "DELETE FROM raci_assignment",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "raci-no-accountable", sql: "DELETE FROM raci_assignment WHERE role = 'A'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "raci-multiple-accountable",
        sql: """
            INSERT INTO raci_assignment (id, interface_id, activity_id, party_id, role)
            VALUES ('\(Clean.raci(Clean.provider, "A"))', '\(Clean.spi)', '\(Clean.incLog)', '\(Clean.provider)', 'A')
            """,
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "raci-no-responsible", sql: "DELETE FROM raci_assignment WHERE role = 'R'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "raci-activity-outside-practice",
        sql: "UPDATE raci_assignment SET activity_id = '\(Clean.prbID)'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "interface-without-integration-point", sql: "DELETE FROM integration_point",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "interface-without-information-item", sql: "DELETE FROM information_item",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "information-item-without-recipient", sql: "DELETE FROM information_recipient",
        row: FindingRow(table: "information_item", id: Clean.info)
    ),
    BrokenRule(
        rule: "due-rule-not-understood",
        sql: "UPDATE information_item SET frequency = 'monthly', due_rule = 'second Tuesday'",
        row: FindingRow(table: "information_item", id: Clean.info)
    ),
    BrokenRule(
        rule: "integration-point-without-data-item", sql: "DELETE FROM integration_data_item",
        row: FindingRow(table: "integration_point", id: Clean.point)
    ),
    BrokenRule(
        rule: "provider-own-integrator", sql: "UPDATE integration_point SET to_party_id = from_party_id",
        row: FindingRow(table: "integration_point", id: Clean.point)
    ),
    BrokenRule(
        rule: "handoff-without-spi",
        sql: """
            INSERT INTO party (id, code, name, kind) VALUES ('\(Clean.id("party:PR2"))', 'PR2', 'Second provider', 'provider');
            UPDATE integration_point SET to_party_id = '\(Clean.id("party:PR2"))'
            """,
        row: FindingRow(table: "integration_point", id: Clean.point)
    ),
    BrokenRule(
        rule: "integration-point-loop", sql: "UPDATE integration_point SET from_party_id = to_party_id",
        row: FindingRow(table: "integration_point", id: Clean.point)
    ),
    BrokenRule(
        rule: "interface-provider-not-provider", sql: "UPDATE interface SET provider_id = '\(Clean.integrator)'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "approved-without-approval", sql: "UPDATE interface SET approved_on = NULL",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "approval-not-segregated", sql: "UPDATE interface SET approved_by = owner_id",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "retirement-not-segregated", sql: "UPDATE interface SET status = 'retired'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "review-overdue", sql: "UPDATE interface SET next_review = '2025-03-13'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "review-date-missing", sql: "UPDATE interface SET next_review = NULL",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "interface-agreement-of-others", sql: "UPDATE interface SET agreement_id = '\(Clean.sla)'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "agreement-ending-soon", sql: "UPDATE agreement SET end_date = '2025-05-13' WHERE code = 'UC'",
        row: FindingRow(table: "agreement", id: Clean.uc)
    ),
    BrokenRule(
        rule: "agreement-past-end", sql: "UPDATE agreement SET end_date = '2025-03-13' WHERE code = 'UC'",
        row: FindingRow(table: "agreement", id: Clean.uc)
    ),
    BrokenRule(
        rule: "agreement-ends-before-start",
        sql:
            "UPDATE agreement SET status = 'draft', start_date = '2026-01-01', end_date = '2025-12-31' "
            + "WHERE code = 'UC'",
        row: FindingRow(table: "agreement", id: Clean.uc)
    ),
    BrokenRule(
        rule: "agreement-without-owner", sql: "UPDATE agreement SET owner_id = NULL WHERE code = 'SLA'",
        row: FindingRow(table: "agreement", id: Clean.sla)
    ),
    BrokenRule(
        rule: "target-weaker-than-supported",
        sql: "UPDATE service_level_target SET target = 99.0 WHERE id = '\(Clean.ucTarget)'",
        row: FindingRow(table: "service_level_target", id: Clean.ucTarget)
    ),
    BrokenRule(
        rule: "target-not-comparable",
        sql:
            "UPDATE service_level_target SET metric = 'time_to_resolve', unit = 'hours' WHERE id = '\(Clean.ucTarget)'",
        row: FindingRow(table: "service_level_target", id: Clean.ucTarget)
    ),
    BrokenRule(
        rule: "dangling-reference",
        sql: "UPDATE raci_assignment SET party_id = '\(RecordID.v5("test:gone"))' WHERE role = 'R'",
        row: FindingRow(table: "raci_assignment", id: Clean.raci(Clean.provider, "R"))
    ),
    BrokenRule(
        rule: "duplicate-code",
        sql:
            "INSERT INTO party (id, code, name, kind) "
            + "VALUES ('\(RecordID.v5("test:dup"))', ' prv', 'Copy', 'provider')",
        row: FindingRow(table: "party", id: min(Clean.provider, RecordID.v5("test:dup")))
    ),
    BrokenRule(
        rule: "duplicate-interface",
        sql: """
            INSERT INTO interface (id, code, title, practice_id, provider_id, owner_id, status)
            VALUES ('\(RecordID.v5("test:spi2"))', 'SPI-INC-PRV-2', 'Copy', '\(Clean.inc)', '\(Clean.provider)',
                    '\(Clean.owner)', 'draft')
            """,
        row: FindingRow(table: "interface", id: min(Clean.spi, RecordID.v5("test:spi2")))
    ),
    BrokenRule(
        rule: "invalid-enum-value", sql: "UPDATE party SET kind = 'vendor' WHERE code = 'PRV'",
        row: FindingRow(table: "party", id: Clean.provider)
    ),
    BrokenRule(
        rule: "invalid-date", sql: "UPDATE interface SET next_review = '2026-02-30'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        // Every boolean column of the catalog is checked, also one added later (person.approver).
        rule: "invalid-enum-value", sql: "UPDATE person SET approver = 7 WHERE id = '\(Clean.approver)'",
        row: FindingRow(table: "person", id: Clean.approver)
    ),
    BrokenRule(
        rule: "invalid-number",
        sql: "UPDATE service_level_target SET target = 100.5 WHERE id = '\(Clean.slaTarget)'",
        row: FindingRow(table: "service_level_target", id: Clean.slaTarget)
    ),
    BrokenRule(
        rule: "value-too-large",
        sql: "UPDATE interface SET description = printf('%.*c', 1048577, 'x') WHERE id = '\(Clean.spi)'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "invalid-text",
        sql: "UPDATE interface SET description = CAST(X'61C328FFFE62' AS TEXT) WHERE id = '\(Clean.spi)'",
        row: FindingRow(table: "interface", id: Clean.spi)
    ),
    BrokenRule(
        rule: "invalid-id",
        sql:
            "INSERT INTO service (id, code, name, type, status) "
            + "VALUES ('SVC-1', 'SVC2', 'Mail', 'technical', 'pipeline')",
        row: FindingRow(table: "service", id: "SVC-1")
    ),
    BrokenRule(
        rule: "missing-required-field", sql: "UPDATE party SET name = '  ' WHERE code = 'PRV'",
        row: FindingRow(table: "party", id: Clean.provider)
    ),
]

@Suite("RegisterCheck rules")
struct RegisterCheckTests {
    @Test("a register that keeps every rule has no findings")
    func cleanRegister() throws {
        let findings = try CheckFixture.withRegister { db in
            try db.transaction { db in try Clean.populate(db) }
            return try RegisterCheck.run(db, today: CheckFixture.today)
        }
        #expect(findings == [])
    }

    @Test("breaking a rule produces its finding, pointing at the row to fix", arguments: brokenRules)
    func brokenRule(_ broken: BrokenRule) throws {
        let findings = try CheckFixture.withRegister { db in
            try db.transaction { db in
                try Clean.populate(db)
                try db.execute(broken.sql)
            }
            return try RegisterCheck.run(db, today: CheckFixture.today)
        }
        let matching = findings.filter { $0.rule == broken.rule }
        #expect(!matching.isEmpty, "no \(broken.rule) finding in \(findings.map(\.rule))")
        #expect(matching.contains { $0.rows.first == broken.row }, "\(matching)")
        let severity = try #require(RegisterCheck.rule(broken.rule)?.severity)
        #expect(matching.allSatisfy { $0.severity == severity && !$0.message.isEmpty })
    }

    @Test(
        "on a provider's replica, which holds its party's scope, what lies outside the scope is neither dangling nor missing"
    )
    func providerReplica() throws {
        let findings = try CheckFixture.withRegister { db in
            try db.transaction { db in
                try Clean.populate(db)
                // A hand-off to another provider, which this replica cannot see the SPIs of, on an SPI it does not hold.
                try db.execute(
                    """
                    INSERT INTO party (id, code, name, kind) VALUES ('\(Clean.id("party:PR2"))', 'PR2', 'Second provider', 'provider');
                    UPDATE integration_point SET to_party_id = '\(Clean.id("party:PR2"))', interface_id = '\(Clean.id("interface:elsewhere"))';
                    CREATE TABLE _spi_meta (key TEXT PRIMARY KEY, value);
                    INSERT INTO _spi_meta (key, value) VALUES ('register.kind', 'provider');
                    """)
            }
            return try RegisterCheck.run(db, today: CheckFixture.today)
        }
        #expect(
            !findings.contains { $0.rule == "handoff-without-spi" || $0.rule == "dangling-reference" }, "\(findings)")
    }

    @Test("every rule in the catalog has a test that breaks it")
    func everyRuleIsTested() {
        // The sign-off rules need signatures made by bound replicas, and versions frozen by approval: SignOffTests
        // breaks them across replicas.
        let signOffRules: Set<String> = ["signature-invalid", "changed-since-signed", "changed-since-approved"]
        #expect(Set(brokenRules.map(\.rule)).union(signOffRules) == Set(RegisterCheck.rules.map(\.id)))
    }

    @Test("rule ids are unique kebab-case, and every rule explains itself and names a spi command")
    func catalog() {
        let ids = RegisterCheck.rules.map(\.id)
        #expect(Set(ids).count == ids.count)
        for rule in RegisterCheck.rules {
            #expect(rule.id.allSatisfy { $0.isLowercase || $0 == "-" }, "\(rule.id)")
            #expect(!rule.title.isEmpty && rule.explanation.count > 20)
            #expect(rule.fix.hasPrefix("spi "), "\(rule.id): \(rule.fix)")
        }
        #expect(RegisterCheck.rule("raci-multiple-accountable")?.severity == .error)
        #expect(RegisterCheck.rule("no-such-rule") == nil)
    }

    @Test("docs/checks.md documents every rule with its severity and fix")
    func documented() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/checks.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for rule in RegisterCheck.rules {
            #expect(text.contains("| `\(rule.id)` | \(rule.severity.rawValue) |"), "\(rule.id) is not documented")
            #expect(text.contains("`\(rule.fix)`"), "the fix of \(rule.id) is not documented")
        }
    }

    @Test("every reference column of the schema is checked for dangling references")
    func referencesCoverSchema() throws {
        try CheckFixture.withRegister(seeded: false) { db in
            // Point every reference column of one row per table at a missing id.
            let missing = RecordID.v5("test:missing")
            var expected = 0
            for table in RegisterSchema.tableNames {
                let columns = try db.rows("SELECT name FROM pragma_table_info(?)", [.text(table)])
                    .compactMap { $0[0].textValue }
                    .filter { ($0.hasSuffix("_id") || $0 == "approved_by") }
                guard !columns.isEmpty else { continue }
                expected += columns.count
                let names = (["id"] + columns).joined(separator: ", ")
                let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
                try db.execute(
                    "INSERT INTO \(table) (\(names)) VALUES (?, \(marks))",
                    [.text(RecordID.v5("test:row:\(table)"))] + columns.map { _ in .text(missing) }
                )
            }
            let dangling = try RegisterCheck.run(db, today: CheckFixture.today).filter {
                $0.rule == "dangling-reference"
            }
            #expect(dangling.count == expected)
        }
    }

    @Test("a RACI row whose party was deleted on another replica is a dangling reference")
    func deletedParty() throws {
        let findings = try CheckFixture.withRegister { db in
            try db.transaction { db in
                try Clean.populate(db)
                try db.execute("DELETE FROM party WHERE code = 'ORG'")
            }
            return try RegisterCheck.run(db, today: CheckFixture.today)
        }
        let dangling = findings.filter { $0.rule == "dangling-reference" }
        #expect(dangling.contains { $0.rows == [FindingRow(table: "raci_assignment", id: Clean.raci(Clean.org, "I"))] })
        #expect(dangling.contains { $0.rows == [FindingRow(table: "agreement", id: Clean.sla)] })
        #expect(dangling.allSatisfy { $0.message.contains("does not exist") })
    }

    @Test("retired SPIs are not checked for content, RACI or reviews")
    func retiredSPI() throws {
        let findings = try CheckFixture.withRegister { db in
            try db.transaction { db in
                try Clean.populate(db)
                try db.execute(
                    """
                    UPDATE interface SET status = 'retired', next_review = '2020-01-01';
                    DELETE FROM raci_assignment WHERE role = 'A';
                    DELETE FROM information_recipient;
                    """
                )
            }
            return try RegisterCheck.run(db, today: CheckFixture.today)
        }
        // Retired behind the register's back: nothing records who retired them, which is the one finding.
        #expect(findings.filter { $0.rule != "retirement-not-segregated" } == [])
        let retirements = findings.filter { $0.rule == "retirement-not-segregated" }
        #expect(
            !retirements.isEmpty && retirements.allSatisfy { $0.message.contains("no record of who retired it") },
            "\(retirements)")
    }

    @Test("findings are deterministic, sorted errors first, and today must be a date")
    func deterministic() throws {
        try CheckFixture.withRegister { db in
            try db.transaction { db in
                try Clean.populate(db)
                try db.execute(
                    """
                    DELETE FROM raci_assignment WHERE role = 'R';
                    UPDATE interface SET next_review = '2024-12-31';
                    DELETE FROM integration_data_item;
                    """
                )
            }
            let first = try RegisterCheck.run(db, today: CheckFixture.today)
            let second = try RegisterCheck.run(db, today: CheckFixture.today)
            #expect(first == second)
            #expect(first == first.sorted())
            #expect(first.map(\.severity) == [.error, .warning, .info])
            #expect(
                first.map(\.rule) == ["raci-no-responsible", "review-overdue", "integration-point-without-data-item"])
            #expect(throws: RegisterCheckError.self) { try RegisterCheck.run(db, today: "2025-02-29") }
            #expect(throws: RegisterCheckError.self) { try RegisterCheck.run(db, today: "14/03/2025") }
        }
    }

    @Test("ISO dates are validated as real calendar dates")
    func isoDates() {
        #expect(CivilDate.isValid("2024-02-29"))
        #expect(!CivilDate.isValid("2023-02-29"))
        #expect(!CivilDate.isValid("2024-13-01"))
        #expect(!CivilDate.isValid("2024-1-01"))
        #expect(!CivilDate.isValid("2024-01-01T00:00"))
        #expect(!CivilDate.isValid("1900-02-29"))
        #expect(CivilDate.isValid("2000-02-29"))
        #expect(!CivilDate.isValid("0000-01-01"))
        #expect(!CivilDate.isValid("2024-04-31"))
        #expect(!CivilDate.isValid("２０２４-01-01"))
        #expect(CivilDate("2024-02-29") == CivilDate(year: 2024, month: 2, day: 29))
        #expect(CivilDate("2024-02-29")?.adding(days: 1).text == "2024-03-01")
        // Day numbers and dates convert both ways, across leap years and centuries.
        for n in stride(from: -719_162, through: 2_932_896, by: 997) {
            let date = CivilDate(dayNumber: n)
            #expect(date.dayNumber == n && CivilDate(date.text) == date, "\(n) \(date.text)")
        }
    }

    @Test("findings encode to JSON with rule, severity, message and rows")
    func codable() throws {
        let finding = Finding(
            rule: "review-overdue", severity: .warning, message: "m", rows: [FindingRow(table: "interface", id: "x")]
        )
        let data = try JSONEncoder().encode(finding)
        let decoded = try JSONDecoder().decode(Finding.self, from: data)
        #expect(decoded == finding)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"severity\":\"warning\""))
    }
}
