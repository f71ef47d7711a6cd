import ArgumentParser
import Foundation
import SPICommandSupport
import SPIRegister
import SPIReplication
import SPITransport

/// `spi changes`: reconcile replicas through files, when no network links two parties.
struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "Exchange changes with another replica through files (e-mail, a USB stick).",
        discussion: """
            The receiving replica writes what it has seen (`knowledge`); the sending replica exports exactly the \
            changes missing from it (`export --since`); the receiver merges them (`apply`). Applying the same file \
            twice changes nothing, files from another register are refused, and a file cut short is detected: its \
            complete batches are applied and the command exits with status 1.

            Example:
              spi changes knowledge --db fabrikam.db --out fabrikam.knowledge
              spi changes export --db northwind.db --since fabrikam.knowledge --out for-fabrikam.changes
              spi changes apply --db fabrikam.db for-fabrikam.changes

            The format is specified in protocol/changes.md.
            """,
        subcommands: [ChangesKnowledgeCommand.self, ChangesExportCommand.self, ChangesApplyCommand.self]
    )
}

/// `spi changes knowledge --out FILE`.
struct ChangesKnowledgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knowledge",
        abstract: "Write what this replica has seen, per origin site, to a file.",
        discussion:
            "Give the file to the replica you want changes from: `spi changes export --since FILE` there computes exactly what this replica lacks."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("out"), help: ArgumentHelp("The knowledge file to write.", valueName: "file"))
    var out: String

    func run() async throws {
        let register = try global.openRegister()
        try register.replica.writeKnowledge(to: out, signer: try global.signer(for: register))
        let knowledge = try register.replica.knowledge()
        print("wrote \(out): knowledge of \(knowledge.clocks.count) site(s)")
    }
}

/// `spi changes export --out FILE [--since KNOWLEDGE_FILE]`.
struct ChangesExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Write this replica's changes to a change-set file: all of them, or only those another replica lacks.",
        discussion: """
            Without --since the file holds every change this replica knows (enough to bring an empty replica of the \
            register up to date). The file is written under a temporary name and renamed when complete.

            With --for PARTY the file holds only the rows that party may see, as `spi sync` would send them to its \
            replica (see `spi scope`). Every replica exports the changes of every replica it holds, each with the \
            signature of the replica that made it, so a provider can pass the organization's changes on to another \
            provider while the organization is offline. With --since and no --for, the file is scoped to the party the knowledge file's replica is bound to, and says so; \
            --all exports everything instead (a backup, or a second organization replica).

            Examples:
              spi changes export --all --out everything.changes
              spi changes export --since fabrikam.knowledge --out for-fabrikam.changes
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("out"), help: ArgumentHelp("The change-set file to write.", valueName: "file"))
    var out: String

    @Option(
        name: .customLong("since"),
        help: ArgumentHelp(
            "A knowledge file from the receiving replica: export only what it lacks.", valueName: "knowledge-file"))
    var since: String?

    @Option(
        name: .customLong("for"),
        help: ArgumentHelp("Only the rows this party may see (its code or id).", valueName: "party"))
    var party: String?

    @Flag(
        name: .customLong("all"),
        help: "Export every row, whoever the receiver is (a backup, or a replica that acts for the organization).")
    var all = false

    @Flag(name: .customLong("json"), help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        if all && party != nil { throw ValidationError("--all and --for exclude each other: --all exports every row") }
    }

    func run() async throws {
        let register = try global.openRegister()
        let knowledgeFile = try since.map { try register.replica.readKnowledgeFile(from: $0, requireSignature: true) }
        let knowledge = knowledgeFile?.knowledge ?? Knowledge()
        let chosen = try register.fileScope(receiver: knowledgeFile?.site, party: party, all: all)
        var scopeNote: String?
        if chosen.fromReceiver, let viewer = chosen.viewer {
            let name =
                try viewer.partyID.map { id in
                    try register.read { try $0.record("party", id).values["code"]?.textValue }
                } ?? nil
            scopeNote =
                "scoped to \(name.map { "party \($0)" } ?? "an unbound replica"), the receiver of \(since!) "
                + "(--all exports everything)"
        }
        let scope = chosen.scope
        let progress = ProgressLine(enabled: !json)
        let summary = try register.replica.exportChanges(
            since: knowledge, to: out, scope: scope, signer: try global.signer(for: register)
        ) { summary in
            progress.update(
                "exported \(Output.count(summary.cells, "change")) in \(Output.count(summary.batches, "batch", "batches")), "
                    + progress.rate(summary.cells, "changes"))
        }
        progress.finish()
        if json {
            print(
                "{\"batches\":\(summary.batches),\"bytes\":\(summary.bytes),\"changes\":\(summary.cells),\"file\":\(JSONValue.string(out).canonicalText),\"rows\":\(summary.rows)}"
            )
        } else {
            print(
                "wrote \(out): \(Output.count(summary.cells, "change")) in \(Output.count(summary.rows, "row group")), \(Output.count(summary.batches, "batch", "batches")), \(Output.count(summary.bytes, "byte"))"
            )
            if let scopeNote { print(scopeNote) }
        }
    }
}

/// `spi changes apply FILE`.
struct ChangesApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Merge a change-set file into this replica.",
        discussion: """
            Prints how many changes were applied, were already known, or lost to newer values (or to a delete). \
            Each batch is committed with its bookkeeping, so an interrupted apply loses nothing and a later apply \
            of the same or a newer file completes it. Exit status: 0 when the whole file was applied; 1 when it \
            was refused whole (another register, unsigned, forged, corrupt, cut short, clock too far ahead): then \
            nothing of it was applied.

            The file must be signed by the replica that wrote it (`spi changes export` signs with the replica's \
            key), and every change in it must carry the signature of the replica that made it; an unsigned, \
            forged or altered file, or one with a change whose signature fails, is refused whole and nothing is \
            applied. Each change is judged by the party of the site that made it, as in `spi sync`: refused \
            changes are not applied, are listed, and are logged (`spi peer refusals`). Changes that cannot be \
            judged yet are held (`spi peer held`).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The change-set file to merge.", valueName: "file"))
    var file: String

    @Flag(name: .customLong("json"), help: "Print the counts as JSON.")
    var json = false

    func run() async throws {
        let register = try global.openRegister()
        let progress = ProgressLine(enabled: !json)
        var partial = ApplyReport()
        do {
            let report = try register.applySignedChanges(from: file) { report in
                partial = report
                let bytes =
                    report.fileBytes > 0
                    ? " (\(Output.bytes(report.bytesRead)) of \(Output.bytes(report.fileBytes)))" : ""
                progress.update(
                    "applied \(Output.count(report.total, "change")) in \(Output.count(report.batches, "batch", "batches"))\(bytes), "
                        + progress.rate(report.total, "changes"))
            }
            progress.finish()
            print(Self.describe(report, json: json))
            let own = register.replica.siteID.description
            for line in Output.sharedKeyWarnings(report.sharedKeys.map(\.description).sorted(), own: own) {
                StandardStreams.writeError(line + "\n")
            }
        } catch {
            progress.finish()
            if partial.batches > 0 { print(Self.describe(partial, json: json)) }
            throw error
        }
    }

    static func describe(_ report: ApplyReport, json: Bool) -> String {
        if json {
            return
                "{\"alreadyKnown\":\(report.alreadyKnown),\"applied\":\(report.applied),\"batches\":\(report.batches),\"conflicts\":\(report.conflicts),\"discarded\":\(report.discarded),\"held\":\(report.held),\"lost\":\(report.lost),\"refused\":\(report.refused)}"
        }
        var text =
            "\(report.applied) applied, \(report.alreadyKnown) already known, \(report.lost) lost to newer values"
            + (report.conflicts > 0 ? " (\(report.conflicts) concurrent edits logged; see spi conflicts)" : "")
        if report.discarded > 0 {
            text +=
                "\n\(report.discarded) not kept: outside this replica's scope, or not decidable from a file made for another scope"
        }
        if report.held > 0 {
            text +=
                "\n\(report.held) \(report.held == 1 ? "change is" : "changes are") held on this replica: their authority "
                + "cannot be established yet (the binding or row that decides them has not arrived); they are judged "
                + "again after every sync (see spi peer held)"
        }
        if !report.uncovered.isEmpty {
            text +=
                "\nthe file was made for another replica (its knowledge or its scope differs from this one's): what "
                + "this replica may hold of it was applied, but ask for an export made for this replica (spi changes "
                + "knowledge, then export --since) to be sure nothing is missing"
        }
        if report.refused > 0 {
            text += "\n\(report.refused) refused: their origin's party may not make them"
            for r in report.refusals {
                text += "\n  " + Output.refusal(r.table, r.id, columns: r.columns, reason: r.reason)
            }
        }
        return text
    }
}
