import SPIReplication
import SPISQLite

extension RegisterCheck {
    /// The state of one check run: the connection, the date, labels for messages, and the findings so far.
    final class Context {
        let db: Connection
        let today: String
        /// Whether the replica holds every row of the register (the organization's replicas); a provider's holds
        /// its party's scope, so rules about what is absent (another provider's SPIs) cannot be judged there.
        let holdsEverything: Bool
        private(set) var findings: [Finding] = []
        private var labels: [String: [String: String]] = [:]

        init(db: Connection, today: String) throws {
            self.db = db
            self.today = today
            self.holdsEverything =
                try Replica.metadata(Register.kindKey, db)?.textValue != ReplicaKind.provider.rawValue
            try loadLabels()
        }

        /// Records a finding of `rule` (whose severity comes from the catalog).
        func add(_ rule: String, _ message: String, _ rows: [FindingRow]) {
            guard let severity = RegisterCheck.rule(rule)?.severity else {
                preconditionFailure("unknown rule \(rule)")
            }
            findings.append(Finding(rule: rule, severity: severity, message: message, rows: rows))
        }

        /// Runs a query and returns its values as optional text (numbers rendered, NULL as nil).
        func query(_ sql: String, _ values: [DatabaseValue] = []) throws -> [[String?]] {
            try db.rows(sql, values).map { row in row.map(Self.text) }
        }

        static func text(_ value: DatabaseValue) -> String? {
            switch value {
            case .null: nil
            case .text(let s): s
            case .integer(let i): String(i)
            case .real(let d): RegisterCheck.format(d)
            case .blob: value.description
            }
        }

        /// A short human name for a row: its code, name or title, else the start of its id.
        func label(_ table: String, _ id: String?) -> String {
            guard let id else { return "(none)" }
            if let label = labels[table]?[id] { return label }
            return String(id.prefix(8))
        }

        /// A label qualified with the table's noun, such as `SPI SPI-INC-FAB` or `party FAB`.
        func describe(_ table: String, _ id: String?) -> String {
            let label = label(table, id)
            if table == "interface", label.hasPrefix("SPI-") { return label }
            return "\(RegisterCheck.noun(table)) \(label)"
        }

        private func loadLabels() throws {
            let sources: [(String, String)] = [
                ("party", "coalesce(nullif(trim(code), ''), name)"),
                ("person", "name"),
                ("practice", "coalesce(nullif(trim(code), ''), name)"),
                ("activity", "coalesce(nullif(trim(code), ''), name)"),
                ("service", "coalesce(nullif(trim(code), ''), name)"),
                ("agreement", "coalesce(nullif(trim(code), ''), title)"),
                ("interface", "coalesce(nullif(trim(code), ''), title)"),
                ("integration_point", "name"),
                ("information_item", "name"),
                ("review", "review_date"),
            ]
            for (table, expression) in sources {
                var map: [String: String] = [:]
                for row in try query("SELECT id, \(expression) FROM \(table)") {
                    if let id = row[0], let label = row[1], !label.isEmpty { map[id] = label }
                }
                labels[table] = map
            }
            var targets: [String: String] = [:]
            let sql = """
                SELECT t.id, coalesce(a.code, '?'), coalesce(s.code, '?'), coalesce(t.metric, '?'), t.priority
                FROM service_level_target t
                LEFT JOIN agreement a ON a.id = t.agreement_id LEFT JOIN service s ON s.id = t.service_id
                """
            for row in try query(sql) {
                guard let id = row[0] else { continue }
                let parts = [row[1], row[2], row[3], row[4]].compactMap { $0 }
                targets[id] = parts.joined(separator: " ")
            }
            labels["service_level_target"] = targets
        }
    }

    /// The noun people use for a table's rows.
    static func noun(_ table: String) -> String {
        switch table {
        case "interface": "SPI"
        case "service_level_target": "target"
        case "raci_assignment": "RACI row"
        case "integration_point": "integration point"
        case "integration_data_item": "data item"
        case "information_item": "information item"
        case "information_recipient": "recipient"
        case "interface_service": "SPI service link"
        default: table
        }
    }

    /// A number as people write it: `99.9`, `4` (no trailing `.0`).
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A unit as people write it after a number: `%`, `min`, `h`, `business days`, `days`.
    static func unitSymbol(_ unit: String) -> String {
        switch unit {
        case "percent": "%"
        case "minutes": "min"
        case "hours": "h"
        case "business_days": "business days"
        default: unit
        }
    }

    /// The SQL condition that a column is empty (NULL or blank).
    static func blank(_ column: String) -> String {
        "(\(column) IS NULL OR trim(\(column)) = '')"
    }

    /// The SQL condition that an SPI (alias `alias`) is live, i.e. not retired.
    static func live(_ alias: String) -> String {
        "\(alias).status IS NOT 'retired'"
    }
}
