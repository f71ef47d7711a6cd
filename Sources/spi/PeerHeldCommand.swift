import ArgumentParser
import Foundation
import SPIRegister
import SPIReplication

/// `spi peer held`: the changes this replica holds aside until it can judge them, oldest first.
struct PeerHeldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "held",
        abstract: "List the changes this replica received but cannot judge yet.",
        discussion: """
            A change is judged by the party its origin was bound to when it made the change. When the binding (or \
            the row the change belongs to) has not reached this replica yet, the change is held: not applied, not \
            refused, and not counted in what this replica reports it knows, so every peer offers it again. Held \
            changes are judged again after every batch this replica receives, and applied or refused as soon as \
            what decides them arrives; a sync with the organization usually settles them. With --json, an array of \
            objects with the keys at, peer, origin, clock, table, id and reason.

            Entries are listed oldest first.

            Examples:
              spi peer held
              spi peer held --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var list: LogListOptions

    func run() async throws {
        let register = try global.openRegister()
        let entries = try register.replica.heldChanges(limit: list.limit)
        func time(_ ms: Int64) -> String { Output.time(milliseconds: ms) }
        if list.json {
            print(
                Output.jsonArray(
                    entries.map { entry in
                        [
                            "at": .string(time(entry.heldAtMilliseconds)),
                            "peer": entry.peer.map(JSONValue.string) ?? .null,
                            "origin": .string(entry.origin.description), "clock": .string("\(entry.clock)"),
                            "table": .string(entry.table), "id": .string(entry.id), "reason": .string(entry.reason),
                        ] as JSONValue
                    }))
        } else if entries.isEmpty {
            print("no held changes")
        } else {
            print(
                Output.table(
                    header: ["since", "from", "table", "id", "reason"],
                    rows: entries.map { entry in
                        [time(entry.heldAtMilliseconds), entry.peer ?? "-", entry.table, entry.id, entry.reason]
                    }, limit: nil))
        }
    }
}
