import SPISQLite

extension NorthwindDemo {
    /// Writes the demo's rows into a register.
    struct Writer {
        let db: Connection
        let today: String
        let practices: [String: String]
        let activities: [String: String]

        init(db: Connection, today: String) throws {
            self.db = db
            self.today = today
            var practices: [String: String] = [:]
            for row in try db.rows("SELECT code, id FROM practice") {
                if let code = row[0].textValue, let id = row[1].textValue { practices[code] = id }
            }
            var activities: [String: String] = [:]
            for row in try db.rows("SELECT code, id FROM activity") {
                if let code = row[0].textValue, let id = row[1].textValue { activities[code] = id }
            }
            let neededPractices = Set(NorthwindDemo.interfaces.map(\.practice) + ["MEM", "SUP"])
            let neededActivities = NorthwindDemo.raciPatterns.values.flatMap { $0.map(\.activity) }
            let missing =
                neededPractices.filter { practices[$0] == nil }.sorted()
                + neededActivities.filter { activities[$0] == nil }.sorted()
            guard missing.isEmpty else {
                throw RegisterCheckError(
                    .missingReferenceData,
                    "the register lacks the seeded practices or activities \(missing.joined(separator: ", "))"
                )
            }
            let existing = try db.scalar(
                "SELECT count(*) FROM party WHERE id = ?", [.text(NorthwindDemo.partyID("NWR"))])
            if let count = existing?.integerValue, count > 0 {
                throw RegisterCheckError(.notEmpty, "the register already holds the Northwind demo")
            }
            self.practices = practices
            self.activities = activities
        }

        /// `today` moved by a number of days (or months), as `YYYY-MM-DD`.
        func date(_ days: Int, months: Int = 0) throws -> String {
            let sql = "SELECT date(?, ? || ' days', ? || ' months')"
            guard let value = try db.scalar(sql, [.text(today), .text(signed(days)), .text(signed(months))])?.textValue
            else {
                throw RegisterCheckError(.invalidDate, "cannot move \(today) by \(days) days")
            }
            return value
        }

        private func signed(_ n: Int) -> String { n < 0 ? "\(n)" : "+\(n)" }

        func insert(_ table: String, _ values: [(String, DatabaseValue)]) throws {
            let columns = values.map(\.0).joined(separator: ", ")
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            try db.execute("INSERT INTO \(table) (\(columns)) VALUES (\(marks))", values.map(\.1))
        }

        func text(_ value: String?) -> DatabaseValue { value.map { .text($0) } ?? .null }

        func practice(_ code: String) -> String { practices[code]! }
        func activity(_ code: String) -> String { activities[code]! }

        /// A recipient or sender key: a party code, else a person key.
        func isParty(_ key: String) -> Bool { NorthwindDemo.parties.contains { $0.code == key } }

        func writeAll() throws {
            try writeParties()
            try writeServicesAndAgreements()
            try writeInterfaces()
            try writeRACI()
            try writeIntegrationPoints()
            try writeInformationItems()
            try writeReviews()
            try writeResults()
            try writeDeliveries()
        }

        /// Delivery evidence for three items over their last three due dates: Fabrikam's incident report was on
        /// time, then three days late, and the latest is missing; its request report and Contoso's incident report
        /// were on time.
        func writeDeliveries() throws {
            guard let day = CivilDate(today) else { return }
            let plans: [(spi: String, name: String, lateness: [Int?])] = [
                ("SPI-INC-FAB", "Incident performance report", [nil, 3, -1]),
                ("SPI-SR-FAB", "Request fulfilment report", [0, -1, 0]),
                ("SPI-INC-CON", "Hosting incident report", [-2, 0, -1]),
            ]
            for plan in plans {
                guard let row = try db.rows(
                    """
                    SELECT n.id, n.frequency, n.due_rule FROM information_item n JOIN interface i ON i.id = n.interface_id
                    WHERE i.code = ? AND n.name = ?
                    """, [.text(plan.spi), .text(plan.name)]).first,
                    let id = row[0].textValue,
                    let rule = ReportDueRule(rule: row[2].textValue, frequency: row[1].textValue)
                else { continue }
                // Latest due date first, as the plan lists them; a nil lateness is a delivery that never came.
                for (due, lateness) in zip(rule.previousDues(onOrBefore: day, count: 3), plan.lateness) {
                    guard let lateness else { continue }
                    let period = ReportDueRule.period(of: due, frequency: row[1].textValue)
                    try insert(
                        "information_delivery",
                        [
                            ("id", .text(RecordID.v5("information_delivery:\(id):\(period)"))),
                            ("information_item_id", .text(id)), ("period", .text(period)),
                            ("delivered_on", .text(due.adding(days: lateness).text)),
                            ("ref", .text("https://reports.northwind.example/\(plan.spi.lowercased())/\(period)")),
                        ])
                }
            }
        }

        /// The levels achieved in the last three months against six targets: Contoso's e-commerce availability
        /// misses its underpinning 99.95 % last month while the SLA's 99.9 % holds; Fabrikam's P1 response, its
        /// first-contact resolution (higher is better) and its reopen rate (lower is better) hold.
        func writeResults() throws {
            let figures: [(target: String, values: [Double], source: String)] = [
                ("UC-CON-ECOM-AV", [99.97, 99.96, 99.91], "Contoso monitoring, monthly availability report"),
                ("SLA-ECOM-AV", [99.98, 99.95, 99.92], "Synthetic checkout transactions"),
                ("UC-FAB-RSP-P1", [7.5, 8.2, 9.1], "Jira Service Management SLA report"),
                ("SLA-ECOM-RSP-P1", [11, 12, 13], "SIAM service desk report"),
                ("UC-FAB-FCR", [71.2, 73.5, 74.8], "Jira Service Management report"),
                ("UC-FAB-REOPEN", [4.6, 3.9, 4.2], "Jira Service Management report"),
            ]
            for (target, values, source) in figures {
                let id = NorthwindDemo.targetID(target)
                for (offset, value) in values.enumerated() {
                    // From the first of the month: moving the 31st by months would skip shorter months.
                    guard let month = try db.scalar(
                        "SELECT date(?, 'start of month', ? || ' months')", [.text(today), .text("\(offset - 3)")]
                    )?.textValue else { continue }
                    let period = String(month.prefix(7))
                    try insert(
                        "service_level_result",
                        [
                            ("id", .text(RecordID.v5("service_level_result:\(id):\(period)"))), ("target_id", .text(id)),
                            ("period", .text(period)), ("value", .real(value)), ("source", .text(source)),
                            ("recorded_on", .text(try date(-2, months: offset - 2))),
                        ])
                }
            }
        }

        func writeParties() throws {
            for party in NorthwindDemo.parties {
                try insert(
                    "party",
                    [
                        ("id", .text(partyID(party.code))), ("code", .text(party.code)), ("name", .text(party.name)),
                        ("kind", .text(party.kind)), ("internal", .integer(party.isInternal ? 1 : 0)),
                        ("notes", .text(party.notes)),
                    ])
            }
            for person in NorthwindDemo.people {
                try insert(
                    "person",
                    [
                        ("id", .text(personID(person.key))), ("party_id", .text(partyID(person.party))),
                        ("name", .text(person.name)), ("email", .text(person.email)), ("role", .text(person.role)),
                        ("active", .integer(person.isActive ? 1 : 0)),
                    ])
            }
            for (code, person) in NorthwindDemo.practiceOwners {
                try db.execute(
                    "UPDATE practice SET owner_id = ? WHERE id = ?", [.text(personID(person)), .text(practice(code))]
                )
            }
        }

        func writeServicesAndAgreements() throws {
            for service in NorthwindDemo.services {
                try insert(
                    "service",
                    [
                        ("id", .text(serviceID(service.code))), ("code", .text(service.code)),
                        ("name", .text(service.name)), ("type", .text(service.type)), ("status", .text(service.status)),
                        ("owner_id", .text(personID(service.owner))), ("customer_id", .text(partyID(service.customer))),
                        ("provider_id", .text(partyID(service.provider))), ("description", .text(service.description)),
                    ])
            }
            for agreement in NorthwindDemo.agreements {
                try insert(
                    "agreement",
                    [
                        ("id", .text(agreementID(agreement.code))), ("code", .text(agreement.code)),
                        ("title", .text(agreement.title)), ("type", .text(agreement.type)),
                        ("customer_id", .text(partyID(agreement.customer))),
                        ("provider_id", .text(partyID(agreement.provider))),
                        ("start_date", .text(try date(agreement.start))), ("end_date", .text(try date(agreement.end))),
                        ("status", .text(agreement.status)), ("owner_id", .text(personID(agreement.owner))),
                        ("notes", .text(agreement.notes)),
                    ])
            }
            // Two metrics of the register's own, beside the seeded four: the incident report promises them.
            for (code, name, higher, notes) in [
                ("first_contact_resolution", "First-contact resolution", true,
                 "Incidents resolved at the first contact, of all incidents logged at the service desk."),
                ("reopen_rate", "Reopen rate", false, "Resolved incidents reopened within 7 days, of all resolved."),
            ] {
                try insert(
                    "metric",
                    [
                        ("id", .text(ReferenceData.metricID(code))), ("code", .text(code)), ("name", .text(name)),
                        ("unit", .text("percent")), ("higher_is_better", .integer(higher ? 1 : 0)), ("notes", .text(notes)),
                    ])
            }
            for target in NorthwindDemo.targets {
                try insert(
                    "service_level_target",
                    [
                        ("id", .text(targetID(target.key))), ("agreement_id", .text(agreementID(target.agreement))),
                        ("service_id", .text(serviceID(target.service))), ("metric", .text(target.metric)),
                        ("priority", text(target.priority)), ("target", .real(target.target)),
                        ("unit", .text(target.unit)), ("period", .text(target.period)),
                        ("supports_id", text(target.supports.map(targetID))), ("notes", text(target.notes)),
                    ])
            }
        }

        func writeInterfaces() throws {
            for spi in NorthwindDemo.interfaces {
                let id = interfaceID(spi.code)
                var approvedOn: String?
                var nextReview: String?
                if let days = spi.approvedOn {
                    let approved = try date(days)
                    approvedOn = approved
                    nextReview = try db.scalar(
                        "SELECT date(?, ? || ' months')", [.text(approved), .text("+\(spi.reviewIntervalMonths)")]
                    )?.textValue
                }
                try insert(
                    "interface",
                    [
                        ("id", .text(id)), ("code", .text(spi.code)), ("title", .text(spi.title)),
                        ("practice_id", .text(practice(spi.practice))), ("provider_id", .text(partyID(spi.provider))),
                        ("stage", .text(spi.stage)), ("owner_id", .text(personID(spi.owner))),
                        ("status", .text(spi.status)), ("version", .text(spi.version)),
                        ("approved_by", text(spi.approvedBy.map(personID))), ("approved_on", text(approvedOn)),
                        ("review_interval_months", .integer(Int64(spi.reviewIntervalMonths))),
                        ("next_review", text(nextReview)), ("agreement_id", .text(agreementID(spi.agreement))),
                        ("description", .text(spi.description)),
                    ])
                for service in spi.services {
                    let serviceID = serviceID(service)
                    try insert(
                        "interface_service",
                        [
                            ("id", .text(RecordID.v5("interface_service:\(id):\(serviceID)"))),
                            ("interface_id", .text(id)), ("service_id", .text(serviceID)),
                        ])
                }
            }
        }

        func writeRACI() throws {
            for spi in NorthwindDemo.interfaces {
                guard let pattern = NorthwindDemo.raciPatterns[spi.practice],
                    let titles = NorthwindDemo.roleTitles[spi.practice]
                else { continue }
                var cells: [(activity: String, party: String, letter: String)] = []
                for row in pattern {
                    for (party, letters) in [
                        ("NWR", row.organization), ("SIAM", row.integrator),
                        (spi.provider, row.provider),
                    ] {
                        for letter in letters { cells.append((row.activity, party, String(letter))) }
                    }
                }
                for adjustment in NorthwindDemo.raciAdjustments where adjustment.interface == spi.code {
                    if adjustment.add {
                        cells.append((adjustment.activity, adjustment.party, adjustment.letter))
                    } else {
                        cells.removeAll {
                            $0.activity == adjustment.activity && $0.party == adjustment.party
                                && $0.letter == adjustment.letter
                        }
                    }
                }
                let interface = interfaceID(spi.code)
                for cell in cells {
                    let activity = activity(cell.activity)
                    let party = partyID(cell.party)
                    let title =
                        switch cell.party {
                        case "NWR": titles.organization
                        case "SIAM": titles.integrator
                        default: titles.provider
                        }
                    try insert(
                        "raci_assignment",
                        [
                            ("id", .text(RecordID.v5("raci:\(interface):\(activity):\(party):\(cell.letter)"))),
                            ("interface_id", .text(interface)), ("activity_id", .text(activity)),
                            ("party_id", .text(party)), ("role", .text(cell.letter)), ("role_title", .text(title)),
                        ])
                }
            }
        }

        func writeIntegrationPoints() throws {
            var counters: [String: Int] = [:]
            for point in NorthwindDemo.integrationPoints {
                counters[point.interface, default: 0] += 1
                let id = RecordID.v5("demo:integration:\(point.interface):\(counters[point.interface]!)")
                try insert(
                    "integration_point",
                    [
                        ("id", .text(id)), ("interface_id", .text(interfaceID(point.interface))),
                        ("name", .text(point.name)), ("from_party_id", .text(partyID(point.from.party))),
                        ("from_practice_id", .text(practice(point.from.practice))),
                        ("to_party_id", .text(partyID(point.to.party))),
                        ("to_practice_id", .text(practice(point.to.practice))), ("trigger_event", .text(point.trigger)),
                        ("channel", .text(point.channel)), ("standard", .text(point.standard)),
                        ("timing", .text(point.timing)), ("correlation_key", .text(point.correlationKey)),
                    ])
                for (index, item) in point.dataItems.enumerated() {
                    try insert(
                        "integration_data_item",
                        [
                            ("id", .text(RecordID.v5("demo:data-item:\(id):\(index + 1)"))),
                            ("integration_point_id", .text(id)), ("name", .text(item.0)),
                            ("description", .text(item.1)), ("mandatory", .integer(item.2 ? 1 : 0)),
                        ])
                }
            }
        }

        func writeInformationItems() throws {
            var counters: [String: Int] = [:]
            for item in NorthwindDemo.informationItems {
                counters[item.interface, default: 0] += 1
                let id = RecordID.v5("demo:info:\(item.interface):\(counters[item.interface]!)")
                try insert(
                    "information_item",
                    [
                        ("id", .text(id)), ("interface_id", .text(interfaceID(item.interface))),
                        ("name", .text(item.name)), ("content", .text(item.content)),
                        ("frequency", .text(item.frequency)), ("due_rule", .text(item.dueRule)),
                        ("format", .text(item.format)),
                        ("sender_id", .text(isParty(item.sender) ? partyID(item.sender) : personID(item.sender))),
                    ])
                for recipient in item.recipients {
                    let party = isParty(recipient)
                    let recipientID = party ? partyID(recipient) : personID(recipient)
                    try insert(
                        "information_recipient",
                        [
                            ("id", .text(RecordID.v5("information_recipient:\(id):\(recipientID)"))),
                            ("information_item_id", .text(id)),
                            ("party_id", party ? .text(recipientID) : .null),
                            ("person_id", party ? .null : .text(recipientID)),
                        ])
                }
            }
        }

        func writeReviews() throws {
            var reviews = NorthwindDemo.reviews
            for spi in NorthwindDemo.interfaces {
                guard let approvedOn = spi.approvedOn, let approver = spi.approvedBy,
                    !reviews.contains(where: { $0.interface == spi.code && $0.date == approvedOn })
                else { continue }
                reviews.append(
                    DemoReview(
                        interface: spi.code, date: approvedOn, body: "SIAM governance board", outcome: "approved",
                        reviewer: approver, version: spi.version, notes: "Approved."
                    )
                )
            }
            var counters: [String: Int] = [:]
            for review in reviews.sorted(by: { ($0.interface, $0.date) < ($1.interface, $1.date) }) {
                counters[review.interface, default: 0] += 1
                try insert(
                    "review",
                    [
                        ("id", .text(RecordID.v5("demo:review:\(review.interface):\(counters[review.interface]!)"))),
                        ("interface_id", .text(interfaceID(review.interface))),
                        ("review_date", .text(try date(review.date))),
                        ("body", .text(review.body)), ("outcome", .text(review.outcome)),
                        ("reviewer_id", .text(personID(review.reviewer))), ("version_reviewed", .text(review.version)),
                        ("notes", .text(review.notes)),
                    ])
            }
        }
    }
}
