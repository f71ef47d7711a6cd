import Foundation
import SPIRegister
import SPISQLite
import Testing

@Suite("RecordStore: validated local edits")
struct RecordStoreTests {
    @Test("put inserts with a UUIDv7, converts values, resolves codes and updates only the given columns")
    func putAndUpdate() throws {
        try withRegister { register, _ in
            try addBasics(register)
            let fab = try register.read { try $0.record("party", "FAB") }
            #expect(RecordID.isCanonical(fab.id))
            #expect(Array(fab.id)[14] == "7") // a version 7 UUID
            #expect(fab["internal"] == .integer(0)) // the default
            #expect(try register.read { try $0.record("party", "NW")["internal"] } == .integer(1))

            let target = try register.write { store in
                try store.put(
                    "service_level_target",
                    fields: [
                        "agreement_id": "UC-FAB", "service_id": "SD", "metric": "time_to_resolve", "priority": "p1",
                        "target": "4", "unit": "hours",
                    ])
            }
            let row = try register.read { try $0.record("service_level_target", target) }
            #expect(row["target"] == .real(4))
            #expect(row["priority"] == .text("P1")) // enumerations are stored as the catalog spells them
            #expect(row["agreement_id"] == .text(try register.read { try $0.resolve("agreement", "UC-FAB") }))

            try register.write { try $0.put("party", id: "fab", fields: ["notes": "Jira"], mode: .update) }
            let updated = try register.read { try $0.record("party", fab.id) }
            #expect(updated["notes"] == .text("Jira"))
            #expect(updated["name"] == fab["name"])
            try register.write { try $0.put("party", id: fab.id.uppercased(), fields: ["notes": ""]) }
            #expect(try register.read { try $0.record("party", "FAB")["notes"] } == .null)
        }
    }

    @Test("a put with an unknown id inserts with that id; update mode refuses it")
    func putWithID() throws {
        try withRegister { register, _ in
            let id = RecordID.v7()
            try register.write {
                try $0.put("party", id: id, fields: ["code": "X", "name": "X", "kind": "integrator"])
            }
            #expect(try register.read { try $0.record("party", "X").id } == id)
            expectRegisterError(.notFound) {
                try register.write { try $0.put("party", id: RecordID.v7(), fields: ["notes": "n"], mode: .update) }
            }
            expectRegisterError(.duplicateCode) {
                try register.write {
                    try $0.put("party", id: id, fields: ["code": "Y", "name": "Y", "kind": "provider"], mode: .insert)
                }
            }
        }
    }

    @Test("reference and link rows get ids derived from their natural key")
    func derivedIDs() throws {
        try withRegister { register, _ in
            try addBasics(register)
            let (spi, fab, log) = try register.read { store in
                (
                    try store.resolve("interface", "SPI-INC-FAB"), try store.resolve("party", "FAB"),
                    try store.resolve("activity", "INC-LOG")
                )
            }
            let raci = try register.write { store in
                try store.put(
                    "raci_assignment",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "activity_id": "INC-LOG", "party_id": "FAB", "role": "r",
                    ])
            }
            #expect(raci == RecordID.v5("raci:\(spi):\(log):\(fab):R"))
            // Putting the same cell again updates it rather than adding a second row.
            let again = try register.write { store in
                try store.put(
                    "raci_assignment",
                    fields: [
                        "interface_id": spi, "activity_id": log, "party_id": fab, "role": "R", "role_title": "Agent",
                    ])
            }
            #expect(again == raci)
            #expect(try register.read { try $0.records("raci_assignment").count } == 1)
            expectRegisterError(.duplicateCode) {
                try register.write { store in
                    try store.put(
                        "raci_assignment",
                        fields: [
                            "interface_id": spi, "activity_id": log, "party_id": fab, "role": "R",
                        ], mode: .insert)
                }
            }

            let service = try register.read { try $0.resolve("service", "SD") }
            let link = try register.write {
                try $0.put("interface_service", fields: ["interface_id": "SPI-INC-FAB", "service_id": "SD"])
            }
            #expect(link == RecordID.v5("interface_service:\(spi):\(service)"))

            let practice = try register.write {
                try $0.put("practice", fields: ["code": "XYZ", "name": "Custom practice", "category": "general"])
            }
            #expect(practice == RecordID.v5("practice:XYZ"))
            #expect(practice == ReferenceData.practiceID("XYZ"))

            let item = try register.write { store in
                try store.put(
                    "information_item",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "name": "Monthly report", "frequency": "monthly",
                    ])
            }
            let jane = try register.read { try $0.resolve("person", "jane@northwind.example") }
            let recipient = try register.write {
                try $0.put(
                    "information_recipient",
                    fields: ["information_item_id": item, "person_id": "JANE@northwind.example"])
            }
            #expect(recipient == RecordID.v5("information_recipient:\(item):\(jane)"))
        }
    }

    @Test("unknown tables and columns are refused with the valid names")
    func unknownNames() throws {
        try withRegister { register, _ in
            let table = expectRegisterError(.unknownTable) {
                try register.write { try $0.put("parties", fields: ["code": "X"]) }
            }
            #expect(table.contains("party") && table.contains("information_recipient"))
            let column = expectRegisterError(.unknownColumn) {
                try register.write { try $0.put("party", fields: ["colour": "red"]) }
            }
            #expect(column.contains("code, name, kind, internal, notes"))
            expectRegisterError(.unknownColumn) {
                try register.write { try $0.put("party", fields: ["id": RecordID.v7()]) }
            }
            expectRegisterError(.unknownTable) { _ = try register.read { try $0.records("_spi_meta") } }
        }
    }

    @Test("enumerations, numbers, dates and booleans are checked, listing what is allowed")
    func valueChecks() throws {
        try withRegister { register, _ in
            let kind = expectRegisterError(.invalidValue) {
                try register.write { try $0.put("party", fields: ["code": "V", "name": "Vendor", "kind": "vendor"]) }
            }
            #expect(kind.contains("organization, integrator, provider"))
            #expect(kind.contains("'vendor'"))
            let flag = expectRegisterError(.invalidValue) {
                try register.write {
                    try $0.put("party", fields: ["code": "V", "name": "V", "kind": "provider", "internal": "maybe"])
                }
            }
            #expect(flag.contains("true or false"))
            try addBasics(register)
            let date = expectRegisterError(.invalidValue) {
                try register.write { try $0.put("agreement", id: "UC-FAB", fields: ["end_date": "2026-02-30"]) }
            }
            #expect(date.contains("YYYY-MM-DD"))
            expectRegisterError(.invalidValue) {
                try register.write {
                    try $0.put("interface", id: "SPI-INC-FAB", fields: ["review_interval_months": "twelve"])
                }
            }
            expectRegisterError(.invalidValue) {
                try register.write { try $0.put("interface", id: "SPI-INC-FAB", fields: ["status": "done"]) }
            }
            #expect(try register.read { try $0.records("party").count } == 3)
        }
    }

    @Test("required fields are needed on insert and cannot be cleared")
    func requiredFields() throws {
        try withRegister { register, _ in
            let message = expectRegisterError(.missingField) {
                try register.write { try $0.put("party", fields: ["code": "FAB"]) }
            }
            #expect(message.contains("name") && message.contains("kind"))
            try addBasics(register)
            expectRegisterError(.missingField) {
                try register.write { try $0.put("party", id: "FAB", fields: ["name": ""]) }
            }
            #expect(try register.read { try $0.record("party", "FAB")["name"] } == .text("Fabrikam Service Desk"))
        }
    }

    @Test("codes are unique ignoring case; references must exist; ambiguous codes are refused")
    func codesAndReferences() throws {
        try withRegister { register, _ in
            try addBasics(register)
            let duplicate = expectRegisterError(.duplicateCode) {
                try register.write {
                    try $0.put("party", fields: ["code": "fab", "name": "Other", "kind": "provider"])
                }
            }
            #expect(duplicate.contains("fab"))
            expectRegisterError(.duplicateCode) {
                try register.write { try $0.put("party", id: "CON", fields: ["code": "FAB"]) }
            }
            expectRegisterError(.duplicateCode) {
                try register.write {
                    try $0.put(
                        "person", fields: ["party_id": "FAB", "name": "Other Jane", "email": "Jane@Northwind.example"])
                }
            }
            let unknown = expectRegisterError(.unknownReference) {
                try register.write {
                    try $0.put("person", fields: ["party_id": "XYZ", "name": "Nobody"])
                }
            }
            #expect(unknown.contains("XYZ") && unknown.contains("FAB"))
            expectRegisterError(.notFound) {
                try register.write { try $0.put("person", fields: ["party_id": RecordID.v7(), "name": "Nobody"]) }
            }
            // A merge can leave two rows with one code: the code then no longer names a row.
            try register.write { store in
                try store.db.execute(
                    "INSERT INTO party(id, code, name, kind) VALUES (?, 'FAB', 'Fabrikam again', 'provider')",
                    [.text(RecordID.v7())])
            }
            expectRegisterError(.ambiguousReference) { _ = try register.read { try $0.resolve("party", "FAB") } }
            expectRegisterError(.invalidID) { _ = try register.read { try $0.resolve("raci_assignment", "R1") } }
        }
    }

    @Test("domain rules: agreement dates and parties, one Accountable, percentages, recipients, hand-offs")
    func rules() throws {
        try withRegister { register, _ in
            try addBasics(register)
            let dates = expectRegisterError(.ruleViolated) {
                try register.write { try $0.put("agreement", id: "UC-FAB", fields: ["end_date": "2024-12-31"]) }
            }
            #expect(dates.contains("ends after it starts"))
            expectRegisterError(.ruleViolated) {
                try register.write { try $0.put("agreement", id: "UC-FAB", fields: ["customer_id": "FAB"]) }
            }
            try register.write { store in
                try store.put(
                    "raci_assignment",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "activity_id": "INC-LOG", "party_id": "NW", "role": "A",
                    ])
            }
            let twoAs = expectRegisterError(.ruleViolated) {
                try register.write { store in
                    try store.put(
                        "raci_assignment",
                        fields: [
                            "interface_id": "SPI-INC-FAB", "activity_id": "INC-LOG", "party_id": "FAB", "role": "A",
                        ])
                }
            }
            #expect(twoAs.contains("Accountable") && twoAs.contains("NW"))
            expectRegisterError(.ruleViolated) {
                try register.write { store in
                    try store.put(
                        "service_level_target",
                        fields: [
                            "agreement_id": "UC-FAB", "service_id": "SD", "metric": "availability", "target": "100.5",
                            "unit": "percent",
                        ])
                }
            }
            let item = try register.write { store in
                try store.put(
                    "information_item",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "name": "Report", "frequency": "monthly",
                    ])
            }
            expectRegisterError(.ruleViolated) {
                try register.write { try $0.put("information_recipient", fields: ["information_item_id": item]) }
            }
            expectRegisterError(.ruleViolated) {
                try register.write { store in
                    try store.put(
                        "integration_point",
                        fields: [
                            "interface_id": "SPI-INC-FAB", "name": "Loop", "from_party_id": "FAB", "to_party_id": "FAB",
                            "channel": "api",
                        ])
                }
            }
        }
    }

    @Test("approving an SPI needs an approver, a date, an integration point, an information item, a future review")
    func approval() throws {
        try withRegister(today: "2025-03-01") { register, _ in
            try addBasics(register)
            let message = expectRegisterError(.ruleViolated) {
                try register.write { try $0.put("interface", id: "SPI-INC-FAB", fields: ["status": "approved"]) }
            }
            for part in [
                "approver", "approval date", "next review", "integration point", "information item", "Accountable",
            ] {
                #expect(message.contains(part), "\(message)")
            }
            try register.write { store in
                // Jane owns the SPI, so another person of the organization approves it (segregation of duties).
                try store.put(
                    "person", fields: ["party_id": "NW", "name": "Ann Approver", "email": "ann@northwind.example"])
                try store.put(
                    "integration_point",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "name": "Assignment", "from_party_id": "NW",
                        "to_party_id": "FAB",
                        "channel": "e_bonding",
                    ])
                try store.put(
                    "information_item",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "name": "Report", "frequency": "monthly",
                    ])
            }
            expectRegisterError(.ruleViolated) {
                try register.write { store in
                    try store.put(
                        "interface", id: "SPI-INC-FAB",
                        fields: [
                            "status": "approved", "approved_by": "ann@northwind.example", "approved_on": "2025-02-28",
                            "next_review": "2025-03-01",
                        ])
                }
            }
            // Exactly one Accountable per activity of the practice.
            try register.write { store in
                let fab = try store.resolve("interface", "SPI-INC-FAB")
                for row in try store.db.rows(
                    """
                    SELECT a.code FROM activity a JOIN practice p ON p.id = a.practice_id WHERE p.code = 'INC'
                    AND NOT EXISTS (SELECT 1 FROM raci_assignment r WHERE r.interface_id = ? AND r.activity_id = a.id AND r.role = 'A')
                    """, [.text(fab)])
                {
                    try store.put(
                        "raci_assignment",
                        fields: [
                            "interface_id": "SPI-INC-FAB", "activity_id": row[0].textValue!, "party_id": "NW",
                            "role": "A",
                        ])
                }
            }
            try register.write { store in
                try store.put(
                    "interface", id: "SPI-INC-FAB",
                    fields: [
                        "status": "approved", "approved_by": "ann@northwind.example", "approved_on": "2025-02-28",
                        "next_review": "2026-02-28",
                    ])
            }
            #expect(try register.read { try $0.record("interface", "SPI-INC-FAB")["status"] } == .text("approved"))
        }
    }

    @Test("only the organization approves or retires an SPI")
    func providerCannotApprove() throws {
        try withRegister(kind: .provider) { register, _ in
            try addBasics(register)
            let message = expectRegisterError(.ruleViolated) {
                try register.write { try $0.put("interface", id: "SPI-INC-FAB", fields: ["status": "retired"]) }
            }
            #expect(message.contains("only the organization"))
            try register.write { try $0.put("interface", id: "SPI-INC-FAB", fields: ["status": "in_review"]) }
        }
    }

    @Test("delete removes owned rows and refuses while other rows refer to the row")
    func delete() throws {
        try withRegister { register, _ in
            try addBasics(register)
            let point = try register.write { store in
                try store.put(
                    "raci_assignment",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "activity_id": "INC-LOG", "party_id": "FAB", "role": "R",
                    ])
                try store.put("interface_service", fields: ["interface_id": "SPI-INC-FAB", "service_id": "SD"])
                let point = try store.put(
                    "integration_point",
                    fields: [
                        "interface_id": "SPI-INC-FAB", "name": "Assignment", "from_party_id": "NW",
                        "to_party_id": "FAB",
                        "channel": "api",
                    ])
                try store.put("integration_data_item", fields: ["integration_point_id": point, "name": "priority"])
                return point
            }
            let blocked = expectRegisterError(.stillReferenced) {
                try register.write { _ = try $0.delete("party", "FAB") }
            }
            #expect(blocked.contains("FAB") && blocked.contains("interface.provider_id"))
            #expect(try register.read { try $0.records("party").count } == 3)

            let removed = try register.write { try $0.delete("interface", "SPI-INC-FAB") }
            #expect(removed.first?.table == "interface")
            #expect(
                Set(removed.map(\.table)) == [
                    "interface", "raci_assignment", "interface_service", "integration_point", "integration_data_item",
                ])
            #expect(removed.contains(RecordKey(table: "integration_point", id: point)))
            let tables = [
                "interface", "raci_assignment", "interface_service", "integration_point", "integration_data_item",
            ]
            let counts = try register.read { store in try tables.map { try store.records($0).count } }
            #expect(counts == [0, 0, 0, 0, 0])
            expectRegisterError(.unknownReference) {
                try register.write { _ = try $0.delete("interface", "SPI-INC-FAB") }
            }
        }
    }

    @Test("codes, enumerations and references are trimmed; free text keeps its spacing")
    func trimming() throws {
        try withRegister { register, _ in
            try register.write { store in
                try store.put(
                    "party", fields: ["code": " TAIL ", "name": "Tailspin", "kind": " Provider ", "notes": "  a\n"])
            }
            let tail = try register.read { try $0.record("party", "TAIL") }
            #expect(tail["code"] == .text("TAIL"))
            #expect(tail["kind"] == .text("provider"))
            #expect(tail["notes"] == .text("  a\n"))
            try register.write { try $0.put("party", id: "TAIL", fields: ["notes": "   "]) }
            #expect(try register.read { try $0.record("party", "TAIL")["notes"] } == .null)
        }
    }

    @Test("records filter by column values written as people type them")
    func filters() throws {
        try withRegister { register, _ in
            let inc = try register.read { try $0.records("activity", matchingFields: ["practice_id": "INC"]) }
            #expect(inc.count == 7)
            let none = try register.read { try $0.records("activity", matchingFields: ["practice_id": "CI"]) }
            #expect(none.isEmpty)
            expectRegisterError(.unknownColumn) {
                _ = try register.read { try $0.records("activity", matchingFields: ["colour": "red"]) }
            }
            #expect(try register.read { try $0.label("activity", RecordID.v5("activity:INC-LOG")) } == "INC-LOG")
        }
    }
}
