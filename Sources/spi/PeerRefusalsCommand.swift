import ArgumentParser
import Foundation
import SPIRegister
import SPIReplication

/// `spi peer refusals`: the changes this replica refused, newest first.
struct PeerRefusalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refusals",
        abstract: "List the changes this replica refused by permission.",
        discussion: """
            Every change received by `spi sync`, `spi serve` or `spi changes apply` is judged by the party of the \
            site that made it; refused changes are never applied and are logged here with the peer (or file) that \
            sent them, the row, the columns and the rule. The log is local to this replica. With --json, an array \
            of objects with the keys at, peer, origin, table, id, columns, reason and count.

            Entries are listed newest first.

            Examples:
              spi peer refusals
              spi peer refusals --limit 10 --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var list: LogListOptions

    func run() async throws {
        let register = try global.openRegister()
        let entries = try register.replica.refusalLog(limit: list.limit)
        func time(_ ms: Int64) -> String { Output.time(milliseconds: ms) }
        if list.json {
            print(
                Output.jsonArray(
                    entries.map { entry in
                        [
                            "at": .string(time(entry.refusedAtMilliseconds)),
                            "peer": entry.peer.map(JSONValue.string) ?? .null,
                            "origin": .string(entry.refusal.origin.description), "table": .string(entry.refusal.table),
                            "id": .string(entry.refusal.id),
                            "columns": .array(entry.refusal.columns.map(JSONValue.string)),
                            "reason": .string(entry.refusal.reason), "count": .integer(Int64(entry.refusal.count)),
                        ] as JSONValue
                    }))
        } else if entries.isEmpty {
            print("no refused changes")
        } else {
            print(
                Output.table(
                    header: ["at", "from", "table", "id", "columns", "reason"],
                    rows: entries.map { entry in
                        [
                            time(entry.refusedAtMilliseconds), entry.peer ?? "-", entry.refusal.table, entry.refusal.id,
                            entry.refusal.columns.isEmpty ? "(row)" : entry.refusal.columns.joined(separator: ","),
                            entry.refusal.reason,
                        ]
                    }, limit: nil))
        }
    }
}
