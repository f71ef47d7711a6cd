import SPIRegister
import SPISQLite
import Testing

@Suite("Field catalog")
struct FieldCatalogTests {
    @Test("the catalog describes exactly the tables and columns the schema creates, with their types")
    func matchesSchema() throws {
        #expect(FieldCatalog.tables.map(\.name) == RegisterSchema.tableNames)
        let db = try Connection(path: ":memory:")
        try RegisterSchema.migrate(db)
        for spec in FieldCatalog.tables {
            let columns = try db.rows("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", [.text(spec.name)])
            let names = columns.compactMap { $0[0].textValue }
            #expect(names == spec.columnNames, "\(spec.name)")
            for row in columns.dropFirst() {
                let column = try #require(spec.column(row[0].textValue!))
                #expect(row[1].textValue == column.type.sqlType, "\(spec.name).\(column.name)")
            }
        }
    }

    @Test("references name register tables; lookups and list columns are columns")
    func consistency() throws {
        for spec in FieldCatalog.tables {
            for column in spec.columns {
                if let target = column.references { #expect(FieldCatalog.table(target) != nil) }
                if column.references != nil { #expect(column.type == .text) }
                if let value = column.defaultValue, !column.allowedValues.isEmpty {
                    #expect(column.allowedValues.contains(value.textValue ?? ""))
                }
            }
            if let lookup = spec.lookupColumn { #expect(spec.column(lookup) != nil) }
            for name in spec.listColumns + spec.labelColumns {
                #expect(spec.column(name) != nil, "\(spec.name).\(name)")
            }
            let options = spec.columns.map(\.optionName)
            #expect(Set(options).count == options.count, "\(spec.name)")
        }
        let nouns = FieldCatalog.tables.compactMap(\.noun)
        #expect(
            Set(nouns).isSuperset(of: [
                "party", "person", "service", "agreement", "target", "interface", "raci", "integration", "info",
                "review",
            ]))
        #expect(FieldCatalog.table(noun: "target")?.name == "service_level_target")
        #expect(
            FieldCatalog.table("party")?.column("kind")?.allowedValues == ["organization", "integrator", "provider"])
    }

    @Test("help texts list enumerations and what references accept")
    func help() throws {
        let kind = try #require(FieldCatalog.table("party")?.column("kind"))
        #expect(kind.help.contains("organization, integrator, provider"))
        #expect(kind.help.contains("Required"))
        let owner = try #require(FieldCatalog.table("interface")?.column("owner_id"))
        #expect(owner.help.contains("email"))
        #expect(owner.optionName == "owner")
    }

    @Test("the seeded reference data has 34 practices in three categories and unique activity codes")
    func referenceData() {
        #expect(ReferenceData.practices.count == 34)
        #expect(Set(ReferenceData.practices.map(\.code)).count == 34)
        #expect(Set(ReferenceData.practices.map(\.category)) == ["general", "service", "technical"])
        #expect(ReferenceData.practices.filter { $0.category == "general" }.count == 14)
        #expect(ReferenceData.practices.filter { $0.category == "technical" }.count == 3)
        #expect(Set(ReferenceData.activities.map(\.code)).count == ReferenceData.activities.count)
        let codes = Set(ReferenceData.practices.map(\.code))
        #expect(ReferenceData.activities.allSatisfy { codes.contains($0.practice) })
    }
}
