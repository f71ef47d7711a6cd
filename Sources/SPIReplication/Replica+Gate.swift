import SPISQLite

/// A part of an incoming row change that cannot be judged yet, kept aside by ``Replica/hold(_:plan:batch:peer:_:)``.
struct HeldPart {
    /// The origin whose authority is in question (the row's origin for a whole change).
    var origin: SiteID
    /// The part, self-contained: every cell names its own clock and site.
    var change: Spi_V1_RowChange
    /// Why it is held.
    var reason: String
    /// The peer or file writer that carried it, when known: held changes are judged again with it.
    var carrier: SiteID?
}

extension Replica {
    /// Asks `gate` about one incoming row change: returns the change with what may be applied (nil when nothing
    /// may), records what was refused in `report`, and returns what cannot be judged yet in `held`.
    ///
    /// Each origin in the change is judged separately, as of the clock at which it made its part: the row's own
    /// origin for a create or delete (with every value the change carries, so the gate sees the row as created), and
    /// the origin of each group of cells for an update. A create of a row that is alive here (a delete and re-create
    /// by the origin) is also judged as a delete of the row that exists, so the rules see its previous owner. Cells
    /// of other origins carried with a create are judged against the row as the create makes it. A change that would
    /// lose anyway (an older incarnation of the row) is passed through: it has no effect to refuse.
    func admit(
        _ change: Spi_V1_RowChange, id: String, local: LocalRow, plan: BatchPlan, gate: any WriteGate,
        report: inout ApplyReport, held: inout [HeldPart], _ db: Connection
    ) throws -> Spi_V1_RowChange? {
        let table = plan.tables[Int(change.table)]
        let columnMap = plan.columnMaps[Int(change.table)]
        let localLength = local.causalLength
        let incomingLength = Int64(change.cl)
        if incomingLength < localLength || (incomingLength == localLength && incomingLength % 2 == 0) { return change }

        let rowOrigin = plan.sites[Int(change.site) - 1]
        func origin(of cell: Spi_V1_CellChange) -> SiteID {
            cell.site != 0 ? plan.sites[Int(cell.site) - 1] : rowOrigin
        }
        // Changes only of a trusted origin: nothing to judge.
        if gate.trusts(rowOrigin), change.cells.allSatisfy({ origin(of: $0) == rowOrigin }) {
            return change
        }
        func clock(of cell: Spi_V1_CellChange) -> UInt64 { cell.hlc != 0 ? cell.hlc : change.hlc }
        func name(of cell: Spi_V1_CellChange) -> String { table.columns[columnMap[Int(cell.column)]].name }
        func values(_ cells: [Spi_V1_CellChange]) -> [String: DatabaseValue] {
            var result: [String: DatabaseValue] = [:]
            for cell in cells { result[name(of: cell)] = BatchBuilder.value(of: cell) ?? .null }
            return result
        }
        func refuse(_ origin: SiteID, columns: [String], reason: String, count: Int) {
            report.refused += count
            report.refusals.append(
                Refusal(
                    table: table.name, id: id, origin: origin, columns: columns.sorted(), reason: reason, count: count))
        }
        /// Keeps a refusal mark of each refused cell (protocol/changes.md §8).
        func mark(_ cells: [Spi_V1_CellChange], of site: SiteID) throws {
            for cell in cells {
                try markRefused(
                    table: table, id: id, column: columnMap[Int(cell.column)], origin: site, clock: clock(of: cell),
                    causalLength: change.cl, db)
            }
        }
        /// The cells of `site` alone, self-contained, without the row's life change: a part held on its own.
        func part(of site: SiteID) -> Spi_V1_RowChange {
            var part = Self.selfContained(change)
            part.rowVersion = false
            part.cells = part.cells.filter { cell in origin(of: cell) == site }
            return part
        }

        var result = change
        let change = result
        let creates = incomingLength > localLength
        // The row's own life: a create, re-create or delete (or a second creation of a derived id).
        if creates || change.rowVersion {
            // Cells of a row whose creation is not here (no row version, and the row unknown) are judged as an update of
            // that row: the rules hold them until the row arrives, or refuse them outright (an origin that may write
            // nothing).
            let partial = creates && !change.rowVersion && local.causalLength == 0
            let kind: RowWrite.Kind = incomingLength % 2 == 0 ? .delete : (partial ? .update : .create)
            var judgements = [
                RowWrite(table: table.name, id: id, kind: kind, values: values(change.cells), clock: change.hlc)
            ]
            if creates && local.exists && kind == .create {
                // A delete and re-create by the origin: it ends the life that exists here, so it must be allowed to.
                judgements.insert(
                    RowWrite(table: table.name, id: id, kind: .delete, values: [:], clock: change.hlc), at: 0)
            }
            for write in judgements {
                switch try gate.judge(write, origin: rowOrigin, db) {
                case .allow:
                    continue
                case .hold(let reason):
                    held.append(
                        HeldPart(
                            origin: rowOrigin, change: Self.selfContained(change), reason: reason, carrier: gate.carrier
                        ))
                    return nil
                case .refuse(let reason), .refuseColumns(_, let reason):
                    if creates {
                        refuse(rowOrigin, columns: [], reason: reason, count: change.cells.count + 1)
                        try markRefused(
                            table: table, id: id, column: nil, origin: rowOrigin, clock: change.hlc,
                            causalLength: change.cl, db)
                        return nil
                    }
                    // A second creation of a row that exists here: drop its row version and judge its cells as updates.
                    refuse(rowOrigin, columns: [], reason: reason, count: 1)
                    result.rowVersion = false
                }
                break
            }
        }
        // Cells: by origin, as updates (a create's cells from its own origin were judged with the create). Cells of
        // other origins carried with a create are judged against the row as the create makes it.
        let before: [String: DatabaseValue]? =
            creates
            ? values(change.cells.filter { origin(of: $0) == rowOrigin }).merging(["id": .text(id)]) { a, _ in a }
            : nil
        var origins: [SiteID] = []
        var cellsByOrigin: [SiteID: [Spi_V1_CellChange]] = [:]
        for cell in change.cells {
            let o = origin(of: cell)
            if creates && o == rowOrigin { continue }
            if cellsByOrigin[o] == nil { origins.append(o) }
            cellsByOrigin[o, default: []].append(cell)
        }
        var removed: [SiteID: Set<String>] = [:]
        for o in origins {
            let cells = cellsByOrigin[o]!
            let write = RowWrite(
                table: table.name, id: id, kind: .update, values: values(cells),
                clock: cells.map(clock(of:)).min() ?? change.hlc,
                before: before)
            switch try gate.judge(write, origin: o, db) {
            case .allow:
                continue
            case .hold(let reason):
                removed[o] = Set(cells.map(name(of:)))
                held.append(HeldPart(origin: o, change: part(of: o), reason: reason, carrier: gate.carrier))
            case .refuse(let reason):
                let columns = Set(cells.map(name(of:)))
                removed[o] = columns
                refuse(o, columns: Array(columns), reason: reason, count: cells.count)
                try mark(cells, of: o)
            case .refuseColumns(let columns, let reason):
                let hit = cells.filter { columns.contains(name(of: $0)) }
                guard !hit.isEmpty else { continue }
                removed[o] = Set(hit.map(name(of:)))
                refuse(o, columns: Array(Set(hit.map(name(of:)))), reason: reason, count: hit.count)
                try mark(hit, of: o)
            }
        }
        if !removed.isEmpty {
            result.cells = result.cells.filter { cell in !(removed[origin(of: cell)]?.contains(name(of: cell)) ?? false)
            }
        }
        if result.cells.isEmpty && !result.rowVersion && incomingLength == localLength { return nil }
        return result
    }

    /// The change with every cell naming its clock and site explicitly, so that any subset of its cells is a valid
    /// change on its own.
    static func selfContained(_ change: Spi_V1_RowChange) -> Spi_V1_RowChange {
        var result = change
        for i in result.cells.indices {
            if result.cells[i].hlc == 0 { result.cells[i].hlc = change.hlc }
            if result.cells[i].site == 0 { result.cells[i].site = change.site }
        }
        return result
    }
}
