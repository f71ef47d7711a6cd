import SPISQLite

extension Replica {
    /// Asks `gate` about one incoming row change: returns the change with what may be applied (nil when nothing
    /// may), and records what was refused in `report`.
    ///
    /// Each origin in the change is judged separately: the row's own origin for a create or delete (with every
    /// value the change carries, so the gate sees the row as created), and the origin of each group of cells for
    /// an update. A change that would lose anyway (an older incarnation of the row) is passed through: it has no
    /// effect to refuse.
    func admit(
        _ change: Spi_V1_RowChange, id: String, local: LocalRow, plan: BatchPlan, gate: any WriteGate,
        report: inout ApplyReport, _ db: Connection
    ) throws -> Spi_V1_RowChange? {
        let table = plan.tables[Int(change.table)]
        let columnMap = plan.columnMaps[Int(change.table)]
        let localLength = local.causalLength
        let incomingLength = Int64(change.cl)
        if incomingLength < localLength || (incomingLength == localLength && incomingLength % 2 == 0) { return change }

        let rowOrigin = plan.sites[Int(change.site) - 1]
        func origin(of cell: Spi_V1_CellChange) -> SiteID { cell.site != 0 ? plan.sites[Int(cell.site) - 1] : rowOrigin }
        func name(of cell: Spi_V1_CellChange) -> String { table.columns[columnMap[Int(cell.column)]].name }
        func values(_ cells: [Spi_V1_CellChange]) -> [String: DatabaseValue] {
            var result: [String: DatabaseValue] = [:]
            for cell in cells { result[name(of: cell)] = BatchBuilder.value(of: cell) ?? .null }
            return result
        }
        func refuse(_ origin: SiteID, columns: [String], reason: String, count: Int) {
            report.refused += count
            report.refusals.append(
                Refusal(table: table.name, id: id, origin: origin, columns: columns.sorted(), reason: reason, count: count))
        }

        var result = change
        // The row's own life: a create, re-create or delete (or a second creation of a derived id).
        let lifeChange = incomingLength > localLength || change.rowVersion
        if lifeChange {
            let kind: RowWrite.Kind = incomingLength % 2 == 0 ? .delete : .create
            let write = RowWrite(table: table.name, id: id, kind: kind, values: values(change.cells))
            switch try gate.judge(write, origin: rowOrigin, db) {
            case .allow:
                break
            case .refuse(let reason), .refuseColumns(_, let reason):
                if incomingLength > localLength {
                    refuse(rowOrigin, columns: [], reason: reason, count: change.cells.count + 1)
                    return nil
                }
                // A second creation of a row that exists here: drop its row version and judge its cells as updates.
                refuse(rowOrigin, columns: [], reason: reason, count: 1)
                result.rowVersion = false
            }
        }
        // Cells: by origin, as updates (a create's cells from its own origin were judged with the create).
        let judgedWithCreate = incomingLength > localLength
        var origins: [SiteID] = []
        var cellsByOrigin: [SiteID: [Spi_V1_CellChange]] = [:]
        for cell in change.cells {
            let o = origin(of: cell)
            if judgedWithCreate && o == rowOrigin { continue }
            if cellsByOrigin[o] == nil { origins.append(o) }
            cellsByOrigin[o, default: []].append(cell)
        }
        var refusedCells: [SiteID: Set<String>] = [:]
        for o in origins {
            let cells = cellsByOrigin[o]!
            let write = RowWrite(table: table.name, id: id, kind: .update, values: values(cells))
            switch try gate.judge(write, origin: o, db) {
            case .allow:
                continue
            case .refuse(let reason):
                let columns = Set(cells.map(name(of:)))
                refusedCells[o] = columns
                refuse(o, columns: Array(columns), reason: reason, count: cells.count)
            case .refuseColumns(let columns, let reason):
                let hit = cells.filter { columns.contains(name(of: $0)) }
                guard !hit.isEmpty else { continue }
                refusedCells[o] = Set(hit.map(name(of:)))
                refuse(o, columns: Array(Set(hit.map(name(of:)))), reason: reason, count: hit.count)
            }
        }
        if !refusedCells.isEmpty {
            result.cells = change.cells.filter { cell in !(refusedCells[origin(of: cell)]?.contains(name(of: cell)) ?? false) }
        }
        if result.cells.isEmpty && !result.rowVersion && incomingLength == localLength { return nil }
        return result
    }
}
