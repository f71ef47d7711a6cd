extension RegisterCheck {
    /// A column that refers to rows of other tables (`to` lists the tables a value may live in).
    struct Reference: Sendable {
        var table: String
        var column: String
        var to: [String]
    }

    /// Every reference column of the register, from ``FieldCatalog``. `sender_id` may name a party or a person.
    static let references: [Reference] = FieldCatalog.tables.flatMap { table in
        table.columns.compactMap { column in
            column.references.map { target in
                let to =
                    table.name == "information_item" && column.name == "sender_id" ? ["party", "person"] : [target]
                return Reference(table: table.name, column: column.name, to: to)
            }
        }
    }

    /// The allowed values of every enumerated text column, from ``FieldCatalog``.
    static let enumerations: [(table: String, column: String, values: [String])] = FieldCatalog.tables.flatMap {
        table in
        table.columns.filter { !$0.allowedValues.isEmpty }.map { (table.name, $0.name, $0.allowedValues) }
    }

    /// Integer flag columns, which hold 0 or 1: the boolean columns of ``FieldCatalog``.
    static let flags: [(table: String, column: String)] = FieldCatalog.tables.flatMap { table in
        table.columns.filter { $0.type == .boolean }.map { (table.name, $0.name) }
    }

    /// Date columns, which hold ISO `YYYY-MM-DD` text: the date columns of ``FieldCatalog``.
    static let dates: [(table: String, column: String)] = FieldCatalog.tables.flatMap { table in
        table.columns.filter { $0.type == .date }.map { (table.name, $0.name) }
    }

    /// The columns every row of a table must fill (not NULL, not blank): the required columns of ``FieldCatalog``,
    /// and an SPI's status (defaulted when written through `spi`, so not required there, but a row without one is
    /// broken). An SPI's owner is left to its own rule (`interface-without-owner`).
    static let requiredFields: [(table: String, columns: [String])] = FieldCatalog.tables.compactMap { table in
        var columns = table.columns.filter(\.isRequired).map(\.name)
        if table.name == "interface" {
            columns.removeAll { $0 == "owner_id" }
            columns.append("status")
        }
        return columns.isEmpty ? nil : (table.name, columns)
    }

    /// Columns whose values are unique within their table (codes, and people's emails).
    static let uniqueColumns: [(table: String, column: String)] = [
        ("party", "code"), ("practice", "code"), ("activity", "code"), ("metric", "code"), ("service", "code"),
        ("agreement", "code"),
        ("interface", "code"), ("person", "email"),
    ]
}
