import ArgumentParser
import Foundation
import SPIRegister
import SPIReplication
import SPISQLite

/// `spi conflicts`: the concurrent edits that merges resolved, and how to settle them.
struct ConflictsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List the concurrent edits that merges resolved, or settle one.",
        discussion: """
            When two parties edit the same field without having seen each other's edit, the later edit wins on \
            every replica, and each replica that sees both records the pair here: the field, both values, both \
            replicas and both times. A conflict stays listed until a later edit of the field settles it, on any \
            replica; `spi conflicts resolve` makes that edit.
            """,
        subcommands: [ConflictsListCommand.self, ConflictsResolveCommand.self],
        defaultSubcommand: ConflictsListCommand.self
    )
}

/// `spi conflicts list [--json] [--all]`.
struct ConflictsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List open conflicts (with --all, settled ones too).",
        discussion:
            "With --json, an array of objects: id, table, rowId, column, winner and loser (each value, site, time), detected, resolved."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .customLong("json"), help: "Print JSON.")
    var json = false

    @Flag(name: .customLong("all"), help: "Include conflicts already settled.")
    var all = false

    func run() async throws {
        let register = try global.openRegister()
        let own = register.replica.siteID
        let conflicts = try register.replica.conflicts(includeResolved: all)
        if json {
            print(
                Output.jsonArray(
                    conflicts.map { c in
                        func side(_ s: Conflict.Side) -> JSONValue {
                            [
                                "value": JSONValue(s.value), "site": .string(s.site?.description ?? ""),
                                "time": .string(s.clock.description),
                            ]
                        }
                        return [
                            "id": .string(c.id), "table": .string(c.table), "rowId": .string(c.rowID),
                            "column": .string(c.column),
                            "winner": side(c.winner), "loser": side(c.loser),
                            "detected": .string(c.detected.description),
                            "resolved": c.resolved.map { .string($0.description) } ?? .null,
                        ] as JSONValue
                    }))
            return
        }
        if conflicts.isEmpty {
            print(all ? "no conflicts recorded" : "no open conflicts")
            return
        }
        // In words: the row by its codes, the values as the register shows them, who by party, times as local time.
        let registerID = register.replica.registerID
        let lines = try register.read { store in
            try conflicts.flatMap { c -> [String] in
                let spec = FieldCatalog.table(c.table)
                let noun = spec?.noun ?? c.table
                let column = spec?.column(c.column)
                func side(_ s: Conflict.Side) throws -> String {
                    let value = try Output.display(s.value, column: column, store: store)
                    let who = try store.siteName(s.site, own: own, registerID: registerID, asOf: s.clock.rawValue)
                    return "\(value)  (\(who), \(Output.localTime(milliseconds: s.clock.physicalMilliseconds)))"
                }
                let settled =
                    c.resolved.map { "  (settled \(Output.localTime(milliseconds: $0.physicalMilliseconds)))" } ?? ""
                return [
                    "\(c.id)  \(noun) \(try store.rowName(c.table, c.rowID)): \(c.column)\(settled)",
                    "  kept:  \(try side(c.winner))",
                    "  lost:  \(try side(c.loser))",
                ]
            }
        }
        for line in lines { print(line) }
        print("\nSettle one with: spi conflicts resolve ID --keep mine|theirs|winner|loser|VALUE")
    }
}

/// `spi conflicts resolve ID --keep mine|theirs|winner|loser|VALUE`.
struct ConflictsResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflict with a new edit of its field, which replicates to every party.",
        discussion: """
            --keep winner keeps the value that won; --keep loser restores the one that lost; --keep mine and \
            --keep theirs choose by who wrote it (mine: this replica's value; theirs: the other one), when this \
            replica wrote one of the two; any other text is a new value for the field, checked like any edit.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The conflict's id, from `spi conflicts`.", valueName: "id"))
    var id: String

    @Option(
        name: .customLong("keep"),
        help: ArgumentHelp("mine, theirs, winner, loser, or a new value.", valueName: "choice"))
    var keep: String

    func run() async throws {
        let register = try global.openRegister()
        guard let conflict = try register.replica.conflicts().first(where: { $0.id == id }) else {
            throw RegisterError(.notFound, "no open conflict has the id \(id); see `spi conflicts`")
        }
        let choice = ConflictChoice(keep)
        let value = try register.resolveConflict(id, keep: choice)
        if case .value(let text) = choice {
            print("settled \(id): \(conflict.table).\(conflict.column) = \(text)")
        } else {
            print("settled \(id): \(conflict.table).\(conflict.column) = \(value)")
        }
    }
}

/// `spi history TABLE ID`: who wrote each field of a row, and when.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show who changed which field of a row, and when, as far as this replica knows.",
        discussion: """
            A replica keeps the version that wrote each current value (the replica and the time), and the row's \
            life (created, deleted, re-created); a deleted row shows its values when it was deleted (on this \
            replica, by it or by a change it merged). Older values are not kept once superseded; values that lost to a \
            concurrent edit are in `spi conflicts --all`. Short codes work for the id (SPI-INC-FAB, FAB, …).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The register table, or its noun: interface, raci (raci_assignment), target, integration, …",
            valueName: "table"))
    var table: String

    @Argument(help: ArgumentHelp("The row's id or short code.", valueName: "id"))
    var id: String

    @Flag(name: .customLong("json"), help: "Print JSON.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let spec = try FieldCatalog.table(noun: table) ?? FieldCatalog.requireTable(table)
        let table = spec.name
        let rowID = (try? register.read { store in try store.resolve(table, id) }) ?? id
        guard let history = try register.replica.history(table: table, id: rowID) else {
            throw RegisterError(.notFound, "\(table) has no row \(id)")
        }
        let own = register.replica.siteID
        let registerID = register.replica.registerID
        func when(_ version: Version) -> String {
            version.isZero ? "-" : Output.localTime(milliseconds: version.clock.physicalMilliseconds)
        }
        if json {
            let cells: [JSONValue] = history.cells.map { cell in
                [
                    "column": .string(cell.column), "value": JSONValue(cell.value),
                    "site": .string(cell.version.site?.description ?? ""),
                    "time": .string(cell.version.isZero ? "" : cell.version.clock.description),
                ]
            }
            let lastValues: [JSONValue] = history.lastValues.map {
                ["column": .string($0.column), "value": JSONValue($0.value)]
            }
            let object: JSONValue = [
                "table": .string(table), "id": .string(rowID), "alive": .bool(history.isAlive),
                "causalLength": .integer(history.causalLength), "cells": .array(cells),
                "lastValues": .array(lastValues),
            ]
            print(object.canonicalText)
            return
        }
        let life = history.isAlive ? (history.causalLength == 1 ? "created" : "re-created") : "deleted"
        let last = Dictionary(history.lastValues.map { ($0.column, $0.value) }, uniquingKeysWith: { first, _ in first })
        let (name, by, rows, lastRows) = try register.read { store in
            (
                try store.rowName(table, rowID, lastValues: last.isEmpty ? nil : last),
                try store.siteName(
                    history.life.site, own: own, registerID: registerID, asOf: history.life.clock.rawValue),
                try history.cells.map { cell in
                    [
                        cell.column, try Output.display(cell.value, column: spec.column(cell.column), store: store),
                        try store.siteName(
                            cell.version.site, own: own, registerID: registerID, asOf: cell.version.clock.rawValue),
                        when(cell.version),
                    ]
                },
                try history.lastValues.map { value in
                    [value.column, try Output.display(value.value, column: spec.column(value.column), store: store)]
                }
            )
        }
        print(
            "\(spec.noun ?? table) \(name): \(life) by \(by)\(history.life.isZero ? "" : " on \(when(history.life))")")
        if !rows.isEmpty { print(Output.table(header: ["field", "value", "written by", "at"], rows: rows)) }
        if !lastRows.isEmpty {
            print("its values when it was deleted:")
            print(Output.table(header: ["field", "value"], rows: lastRows))
        }
    }
}
