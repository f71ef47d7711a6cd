import Foundation
import SPIReplication
import SPISQLite

/// Everything the reports read, loaded once from a register, with the check's findings.
///
/// Rows are kept as they are, dangling references included: a report shows a missing row as such rather than
/// failing.
struct ReportData {
    struct Party {
        var id, code, name: String
        var kind: String?
        var isInternal: Bool
        var notes: String?
    }
    struct Person {
        var id, name: String
        var partyID, email, role: String?
        var isActive: Bool
    }
    struct Practice { var id, code, name: String }
    struct Activity {
        var id, code, name: String
        var practiceID: String?
        var position: Int
    }
    struct Service {
        var id, code, name: String
        var type, status, providerID: String?
    }
    struct Agreement {
        var id, code, title: String
        var type, customerID, providerID, start, end, status, ownerID: String?
    }
    /// A level achieved against a target in one period.
    struct Result {
        var id, targetID, period: String
        var value: Double
        var source: String?
    }
    struct Target {
        var id: String
        var agreementID, serviceID, metric, priority: String?
        var value: Double?
        var unit, period, supportsID, notes: String?
        /// Whether a higher value is better, from the target's metric (nil when the metric is unknown).
        var higherIsBetter: Bool? = nil
    }
    struct Interface {
        var id, code, title: String
        var practiceID, providerID, stage, ownerID, status, version, approvedBy, approvedOn: String?
        var reviewIntervalMonths: Int?
        var nextReview, agreementID, description: String?
    }
    struct RACI {
        var id, interfaceID, activityID: String
        var partyID, role, title: String?
    }
    struct Point {
        var id, interfaceID, name: String
        var fromPartyID, fromPracticeID, toPartyID, toPracticeID, trigger, channel, standard, timing,
            correlationKey: String?
    }
    struct DataItem {
        var id, pointID, name: String
        var description: String?
        var isMandatory: Bool
    }
    struct InfoItem {
        var id, interfaceID, name: String
        var content, frequency, dueRule, format, senderID: String?
    }
    struct Recipient {
        var id, itemID: String
        var partyID, personID: String?
    }
    struct Review {
        var id, interfaceID: String
        var date, body, outcome, reviewerID, version, notes: String?
    }

    var parties: [Party] = []
    var people: [Person] = []
    var practices: [Practice] = []
    var activities: [Activity] = []
    var services: [Service] = []
    var agreements: [Agreement] = []
    var targets: [Target] = []
    /// Achieved levels by target id, latest period first.
    var resultsByTarget: [String: [Result]] = [:]
    var interfaces: [Interface] = []
    var interfaceServices: [(interfaceID: String, serviceID: String)] = []
    var raci: [RACI] = []
    var points: [Point] = []
    var dataItems: [DataItem] = []
    var infoItems: [InfoItem] = []
    var recipients: [Recipient] = []
    var reviews: [Review] = []
    var findings: [Finding] = []
    /// The sign-off state of every signed SPI, by SPI id (on a replica: signatures sign the register's id).
    var signOffs: [String: SignOffState] = [:]
    /// The recent due dates of each information item whose deliveries are recorded, latest first, by item id.
    var evidence: [String: [ReportingEvidence.Due]] = [:]
    /// For a document of frozen versions: the version each SPI shows, by SPI id.
    var frozen: [String: Governance.FrozenVersion] = [:]

    var partyByID: [String: Party] = [:]
    var personByID: [String: Person] = [:]
    var practiceByID: [String: Practice] = [:]
    var activityByID: [String: Activity] = [:]
    var serviceByID: [String: Service] = [:]
    var agreementByID: [String: Agreement] = [:]
    var targetByID: [String: Target] = [:]
    var interfaceByID: [String: Interface] = [:]

    init(_ db: Connection, today: String) throws {
        func text(_ v: DatabaseValue) -> String? {
            switch v {
            case .text(let s): s.trimmingCharacters(in: .whitespaces).isEmpty ? nil : s
            case .integer(let i): String(i)
            case .real(let d): RegisterCheck.format(d)
            default: nil
            }
        }
        func id(_ v: DatabaseValue) -> String { text(v) ?? "" }
        func number(_ v: DatabaseValue) -> Double? { RegisterCheck.number(v) }
        func flag(_ v: DatabaseValue) -> Bool { v == .integer(1) }
        func short(_ v: DatabaseValue) -> String { String(id(v).prefix(8)) }

        for r in try db.rows("SELECT id, code, name, kind, internal, notes FROM party") {
            parties.append(
                Party(
                    id: id(r[0]), code: text(r[1]) ?? text(r[2]) ?? short(r[0]), name: text(r[2]) ?? text(r[1]) ?? "",
                    kind: text(r[3]), isInternal: flag(r[4]), notes: text(r[5])
                )
            )
        }
        for r in try db.rows("SELECT id, party_id, name, email, role, active FROM person") {
            people.append(
                Person(
                    id: id(r[0]), name: text(r[2]) ?? short(r[0]), partyID: text(r[1]), email: text(r[3]),
                    role: text(r[4]), isActive: flag(r[5])
                )
            )
        }
        for r in try db.rows("SELECT id, code, name FROM practice") {
            practices.append(Practice(id: id(r[0]), code: text(r[1]) ?? short(r[0]), name: text(r[2]) ?? ""))
        }
        for r in try db.rows("SELECT id, code, name, practice_id, position FROM activity") {
            activities.append(
                Activity(
                    id: id(r[0]), code: text(r[1]) ?? short(r[0]), name: text(r[2]) ?? "", practiceID: text(r[3]),
                    position: Int(r[4].integerValue ?? 0)
                )
            )
        }
        for r in try db.rows("SELECT id, code, name, type, status, provider_id FROM service") {
            services.append(
                Service(
                    id: id(r[0]), code: text(r[1]) ?? text(r[2]) ?? short(r[0]), name: text(r[2]) ?? "",
                    type: text(r[3]), status: text(r[4]), providerID: text(r[5])
                )
            )
        }
        let agreementSQL = """
            SELECT id, code, title, type, customer_id, provider_id, start_date, end_date, status, owner_id
            FROM agreement
            """
        for r in try db.rows(agreementSQL) {
            agreements.append(
                Agreement(
                    id: id(r[0]), code: text(r[1]) ?? short(r[0]), title: text(r[2]) ?? "", type: text(r[3]),
                    customerID: text(r[4]), providerID: text(r[5]), start: text(r[6]), end: text(r[7]),
                    status: text(r[8]), ownerID: text(r[9])
                )
            )
        }
        let targetSQL = """
            SELECT t.id, t.agreement_id, t.service_id, t.metric, t.priority, t.target, t.unit, t.period, t.supports_id,
                   t.notes, m.higher_is_better
            FROM service_level_target t LEFT JOIN metric m ON m.code = t.metric
            """
        for r in try db.rows(targetSQL) {
            targets.append(
                Target(
                    id: id(r[0]), agreementID: text(r[1]), serviceID: text(r[2]), metric: text(r[3]),
                    priority: text(r[4]), value: number(r[5]), unit: text(r[6]), period: text(r[7]),
                    supportsID: text(r[8]), notes: text(r[9]), higherIsBetter: r[10].integerValue.map { $0 != 0 }
                )
            )
        }
        for r in try db.rows(
            "SELECT id, target_id, period, value, source FROM service_level_result ORDER BY period DESC, id")
        {
            guard let target = text(r[1]), let period = text(r[2]), let value = number(r[3]) else { continue }
            resultsByTarget[target, default: []].append(
                Result(id: id(r[0]), targetID: target, period: period, value: value, source: text(r[4])))
        }
        let interfaceSQL = """
            SELECT id, code, title, practice_id, provider_id, stage, owner_id, status, version, approved_by,
                   approved_on, review_interval_months, next_review, agreement_id, description
            FROM interface
            """
        for r in try db.rows(interfaceSQL) {
            interfaces.append(
                Interface(
                    id: id(r[0]), code: text(r[1]) ?? short(r[0]), title: text(r[2]) ?? "", practiceID: text(r[3]),
                    providerID: text(r[4]), stage: text(r[5]), ownerID: text(r[6]), status: text(r[7]),
                    version: text(r[8]), approvedBy: text(r[9]), approvedOn: text(r[10]),
                    reviewIntervalMonths: r[11].integerValue.map(Int.init), nextReview: text(r[12]),
                    agreementID: text(r[13]), description: text(r[14])
                )
            )
        }
        for r in try db.rows("SELECT interface_id, service_id FROM interface_service ORDER BY id") {
            if let interface = text(r[0]), let service = text(r[1]) { interfaceServices.append((interface, service)) }
        }
        for r in try db.rows("SELECT id, interface_id, activity_id, party_id, role, role_title FROM raci_assignment") {
            guard let interface = text(r[1]), let activity = text(r[2]) else { continue }
            raci.append(
                RACI(
                    id: id(r[0]), interfaceID: interface, activityID: activity, partyID: text(r[3]), role: text(r[4]),
                    title: text(r[5])
                )
            )
        }
        let pointSQL = """
            SELECT id, interface_id, name, from_party_id, from_practice_id, to_party_id, to_practice_id,
                   trigger_event, channel, standard, timing, correlation_key
            FROM integration_point ORDER BY id
            """
        for r in try db.rows(pointSQL) {
            guard let interface = text(r[1]) else { continue }
            points.append(
                Point(
                    id: id(r[0]), interfaceID: interface, name: text(r[2]) ?? short(r[0]), fromPartyID: text(r[3]),
                    fromPracticeID: text(r[4]), toPartyID: text(r[5]), toPracticeID: text(r[6]), trigger: text(r[7]),
                    channel: text(r[8]), standard: text(r[9]), timing: text(r[10]), correlationKey: text(r[11])
                )
            )
        }
        let dataSQL =
            "SELECT id, integration_point_id, name, description, mandatory FROM integration_data_item ORDER BY id"
        for r in try db.rows(dataSQL) {
            guard let point = text(r[1]) else { continue }
            dataItems.append(
                DataItem(
                    id: id(r[0]), pointID: point, name: text(r[2]) ?? short(r[0]), description: text(r[3]),
                    isMandatory: flag(r[4])
                )
            )
        }
        let infoSQL = """
            SELECT id, interface_id, name, content, frequency, due_rule, format, sender_id FROM information_item
            ORDER BY id
            """
        for r in try db.rows(infoSQL) {
            guard let interface = text(r[1]) else { continue }
            infoItems.append(
                InfoItem(
                    id: id(r[0]), interfaceID: interface, name: text(r[2]) ?? short(r[0]), content: text(r[3]),
                    frequency: text(r[4]), dueRule: text(r[5]), format: text(r[6]), senderID: text(r[7])
                )
            )
        }
        for r in try db.rows(
            "SELECT id, information_item_id, party_id, person_id FROM information_recipient ORDER BY id")
        {
            guard let item = text(r[1]) else { continue }
            recipients.append(Recipient(id: id(r[0]), itemID: item, partyID: text(r[2]), personID: text(r[3])))
        }
        let reviewSQL = """
            SELECT id, interface_id, review_date, body, outcome, reviewer_id, version_reviewed, notes FROM review
            ORDER BY review_date, id
            """
        for r in try db.rows(reviewSQL) {
            guard let interface = text(r[1]) else { continue }
            reviews.append(
                Review(
                    id: id(r[0]), interfaceID: interface, date: text(r[2]), body: text(r[3]), outcome: text(r[4]),
                    reviewerID: text(r[5]), version: text(r[6]), notes: text(r[7])
                )
            )
        }
        findings = try RegisterCheck.run(db, today: today)
        for due in try ReportingEvidence.recent(
            in: RecordStore(db: db, kind: .organization, today: today), today: today, count: 12)
        {
            evidence[due.itemID, default: []].append(due)
        }
        if let registerID = try Replica.registerID(db) {
            let store = RecordStore(db: db, kind: .organization, today: today)
            for state in try Governance.signOffStates(registerID: registerID, in: store) {
                signOffs[state.interfaceID] = state
            }
        }
        dataItems.sort { ($0.isMandatory ? 0 : 1, $0.name, $0.id) < ($1.isMandatory ? 0 : 1, $1.name, $1.id) }

        parties.sort { (Self.kindRank($0.kind), $0.code, $0.id) < (Self.kindRank($1.kind), $1.code, $1.id) }
        people.sort { ($0.name, $0.id) < ($1.name, $1.id) }
        activities.sort { ($0.position, $0.code, $0.id) < ($1.position, $1.code, $1.id) }
        services.sort { ($0.code, $0.id) < ($1.code, $1.id) }
        agreements.sort { ($0.code, $0.id) < ($1.code, $1.id) }
        interfaces.sort { ($0.code, $0.id) < ($1.code, $1.id) }
        raci.sort { ($0.interfaceID, $0.activityID, $0.id) < ($1.interfaceID, $1.activityID, $1.id) }

        partyByID = Dictionary(parties.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        personByID = Dictionary(people.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        practiceByID = Dictionary(practices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        activityByID = Dictionary(activities.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        serviceByID = Dictionary(services.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        agreementByID = Dictionary(agreements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        targetByID = Dictionary(targets.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        interfaceByID = Dictionary(interfaces.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Orders parties: the organization, then integrators, then providers, then anything else.
    static func kindRank(_ kind: String?) -> Int {
        switch kind {
        case "organization": 0
        case "integrator": 1
        case "provider": 2
        default: 3
        }
    }

    // MARK: Labels

    /// A party's code, or a marker for a missing party.
    func partyCode(_ id: String?) -> String {
        guard let id else { return "" }
        return partyByID[id]?.code ?? "(missing party \(id.prefix(8)))"
    }

    /// A person's name, or a marker for a missing person.
    func personName(_ id: String?) -> String {
        guard let id else { return "" }
        return personByID[id]?.name ?? "(missing person \(id.prefix(8)))"
    }

    /// A practice's code, or a marker.
    func practiceCode(_ id: String?) -> String {
        guard let id else { return "" }
        return practiceByID[id]?.code ?? "(missing practice \(id.prefix(8)))"
    }

    /// A party or person (for senders and recipients).
    func partyOrPerson(_ id: String?) -> String {
        guard let id else { return "" }
        if let party = partyByID[id] { return party.code }
        if let person = personByID[id] { return person.name }
        return "(missing \(id.prefix(8)))"
    }

    /// The label people know a row by: its code, name or title.
    func label(_ row: FindingRow) -> String? {
        switch row.table {
        case "party": partyByID[row.id]?.code
        case "person": personByID[row.id]?.name
        case "practice": practiceByID[row.id]?.code
        case "activity": activityByID[row.id]?.code
        case "service": serviceByID[row.id]?.code
        case "agreement": agreementByID[row.id]?.code
        case "interface": interfaceByID[row.id]?.code
        case "integration_point": points.first { $0.id == row.id }?.name
        case "information_item": infoItems.first { $0.id == row.id }?.name
        case "service_level_target": targetByID[row.id].map { ReportRenderer.targetLabel($0, self) }
        default: nil
        }
    }

    // MARK: Scope

    /// The SPIs of a provider (or all), sorted by code.
    func interfaces(provider: String?) -> [Interface] {
        guard let provider else { return interfaces }
        return interfaces.filter { $0.providerID == provider }
    }

    /// The provider ids a register row belongs to, for filtering findings.
    func providers(of row: FindingRow) -> Set<String> {
        func ofInterface(_ id: String?) -> Set<String> {
            guard let id, let provider = interfaceByID[id]?.providerID else { return [] }
            return [provider]
        }
        func ofAgreement(_ id: String?) -> Set<String> {
            guard let id, let agreement = agreementByID[id] else { return [] }
            return Set([agreement.providerID, agreement.customerID].compactMap { $0 })
        }
        switch row.table {
        case "party": return [row.id]
        case "person": return Set([personByID[row.id]?.partyID].compactMap { $0 })
        case "interface": return ofInterface(row.id)
        case "raci_assignment": return ofInterface(raci.first { $0.id == row.id }?.interfaceID)
        case "integration_point": return ofInterface(points.first { $0.id == row.id }?.interfaceID)
        case "information_item": return ofInterface(infoItems.first { $0.id == row.id }?.interfaceID)
        case "review": return ofInterface(reviews.first { $0.id == row.id }?.interfaceID)
        case "agreement": return ofAgreement(row.id)
        case "service_level_target": return ofAgreement(targetByID[row.id]?.agreementID)
        case "service": return Set([serviceByID[row.id]?.providerID].compactMap { $0 })
        default: return []
        }
    }

    /// The parties that take part in an SPI's RACI, ordered organization, integrator, provider.
    func raciParties(of interface: Interface) -> [String] {
        let ids = Set(raci.filter { $0.interfaceID == interface.id }.compactMap(\.partyID))
        return ids.sorted { a, b in
            let pa = partyByID[a]
            let pb = partyByID[b]
            return (Self.kindRank(pa?.kind), pa?.code ?? a) < (Self.kindRank(pb?.kind), pb?.code ?? b)
        }
    }

    /// The activities shown in an SPI's RACI: its practice's activities, then any others its rows name.
    func raciActivities(of interface: Interface) -> [String] {
        var ids = activities.filter { $0.practiceID != nil && $0.practiceID == interface.practiceID }.map(\.id)
        for row in raci where row.interfaceID == interface.id && !ids.contains(row.activityID) {
            ids.append(row.activityID)
        }
        return ids
    }

    /// The RACI violations of an SPI activity, from the check's findings.
    func raciViolations(interface: String, activity: String) -> [Finding] {
        findings.filter {
            $0.rule.hasPrefix("raci-") && $0.rows.count >= 2
                && $0.rows[0] == FindingRow(table: "interface", id: interface)
                && $0.rows[1] == FindingRow(table: "activity", id: activity)
        }
    }
}
