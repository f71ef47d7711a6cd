import SPIIdentity
import SPIRegister
import SPIReplication

extension WebApp {
    /// Parties and peers: the parties, which replica speaks for which (the bindings), what this replica's party may
    /// see and write (its scope), and this replica's own peer id, to pair with.
    func partiesPage() async throws -> AppResponse {
        let body = try await queue.run { register -> String in
            let replica = register.replica
            let peerID = try? PeerIdentity.load(forReplicaAt: replica.path, site: replica.siteID, logger: register.logger).peerID
            return try register.read { store in
                var html = "<h1>Parties and peers</h1>"
                html += "<section aria-labelledby=\"me\"><h2 id=\"me\">This replica</h2><dl class=\"facts\">"
                html += "<dt>Peer id</dt><dd><code id=\"peer-id\">\(HTML.escape(peerID?.description ?? "no key beside the replica"))</code></dd>"
                html += "<dt>Site</dt><dd><code>\(HTML.escape(replica.siteID.description))</code></dd>"
                html += "<dt>Speaks for</dt><dd>\(HTML.escape(try store.siteName(replica.siteID, own: replica.siteID, registerID: replica.registerID)))</dd>"
                html += "</dl><p class=\"hint\">To pair, give the peer id to the other party: they run "
                html += "<code>spi peer add --name NAME --id PEERID</code>, and the organization binds it with "
                html += "<code>spi party bind PARTY --peer PEERID</code>.</p></section>"
                let parties = try store.records("party")
                html += "<section aria-labelledby=\"parties-h\"><h2 id=\"parties-h\">Parties</h2>"
                html += HTML.table(
                    ["Code", "Name", "Kind"],
                    parties.map { [HTML.escape($0["code"].textValue ?? ""), HTML.escape($0["name"].textValue ?? ""),
                                   HTML.escape($0["kind"].textValue ?? "")] })
                html += "</section>"
                let bindings = try PartyBinding.all(store)
                html += "<section aria-labelledby=\"bindings-h\"><h2 id=\"bindings-h\">Bindings</h2>"
                html += bindings.isEmpty
                    ? "<p>No replica is bound to a party yet.</p>"
                    : HTML.table(
                        ["Party", "Peer id", "Site"],
                        bindings.map { [HTML.escape($0.partyCode ?? $0.partyID), "<code>\(HTML.escape($0.peerID))</code>",
                                        "<code>\(HTML.escape(String($0.siteID.prefix(8))))</code>"] })
                html += "</section>"
                let actor = try AccessRules.actor(of: replica.siteID, registerID: replica.registerID, store.db)
                html += "<section aria-labelledby=\"scope-h\"><h2 id=\"scope-h\">What this replica's party sees and writes</h2>"
                html += HTML.table(
                    ["Table", "Visible rows", "Reads", "Writes"],
                    try TableScope.all(for: actor, store.db).map { scope in
                        [HTML.escape(scope.table), "\(scope.visibleRows) of \(scope.totalRows)", HTML.escape(scope.read),
                         HTML.escape(scope.write)]
                    })
                return html + "</section>"
            }
        }
        return .html(page(title: "Parties and peers", section: "/parties", body: body))
    }
}
