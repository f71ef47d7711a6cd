import Foundation
import SPIIdentity
import SPIRegister
import SPIReplication

extension WebApp {
    /// Parties and peers: the parties, which replica speaks for which (the bindings), what this replica's party may
    /// see and write (its scope), and this replica's own peer id, to pair with.
    func partiesPage() async throws -> AppResponse {
        let (directory, csrf) = (peers, auth.csrf)
        let body = try await queue.run { register -> String in
            let replica = register.replica
            let peerID = try? PeerIdentity.load(
                forReplicaAt: replica.path, site: replica.siteID, logger: register.logger
            ).peerID
            return try register.read { store in
                var html = "<h1>Parties and peers</h1>"
                html += "<section aria-labelledby=\"me\"><h2 id=\"me\">This replica</h2><dl class=\"facts\">"
                html +=
                    "<dt>Peer id</dt><dd><code id=\"peer-id\">\(HTML.escape(peerID?.description ?? "no key beside the replica"))</code></dd>"
                html += "<dt>Site</dt><dd><code>\(HTML.escape(replica.siteID.description))</code></dd>"
                html +=
                    "<dt>Speaks for</dt><dd>\(HTML.escape(try store.siteName(replica.siteID, own: replica.siteID, registerID: replica.registerID)))</dd>"
                html += "</dl><p class=\"hint\">To pair, give the peer id to the other party: they add it as a trusted "
                html += "peer (here, or with <code>spi peer add --name NAME --id PEERID</code>), and the organization "
                html += "binds it with <code>spi party bind PARTY --peer PEERID</code>.</p></section>"
                if let directory {
                    let trusted = try directory.peers(of: register)
                    html +=
                        "<section aria-labelledby=\"peers-h\"><h2 id=\"peers-h\">Trusted peers</h2><div id=\"peers\">"
                    html +=
                        trusted.isEmpty
                        ? "<p>No trusted peer yet.</p>"
                        : HTML.table(
                            ["Name", "Peer id", "Address"],
                            trusted.map {
                                [
                                    "<span data-cell=\"peer-\(HTML.escape($0.name))\">\(HTML.escape($0.name))</span>",
                                    "<code>\(HTML.escape($0.peerID))</code>", HTML.escape($0.address ?? "-"),
                                ]
                            },
                            id: "peer-list")
                    html += "</div><form id=\"add-peer\" class=\"async pairing\" method=\"post\" action=\"/peers\">"
                    html += HTML.csrfField(csrf)
                    for (name, label, hint) in [
                        ("name", "Name", "a name of your choice, such as fabrikam"),
                        ("peer", "Peer id", "what the other replica's spi whoami prints"),
                        ("address", "Address (optional)", "HOST:PORT, to sync with it"),
                    ] {
                        html += "<label for=\"peer-\(name)\">\(label)</label>"
                        html += "<input id=\"peer-\(name)\" name=\"\(name)\" placeholder=\"\(HTML.escape(hint))\">"
                        html += "<span class=\"error\" data-error-for=\"\(name)\"></span>"
                    }
                    html += "<button type=\"submit\">Trust this peer</button>"
                    html += "<p class=\"error\" role=\"alert\" data-error-for=\"\"></p></form></section>"
                }
                let parties = try store.records("party")
                html += "<section aria-labelledby=\"parties-h\"><h2 id=\"parties-h\">Parties</h2>"
                html += HTML.table(
                    ["Code", "Name", "Kind"],
                    parties.map {
                        [
                            HTML.escape($0["code"].textValue ?? ""), HTML.escape($0["name"].textValue ?? ""),
                            HTML.escape($0["kind"].textValue ?? ""),
                        ]
                    })
                html += "</section>"
                let bindings = try PartyBinding.all(store)
                html += "<section aria-labelledby=\"bindings-h\"><h2 id=\"bindings-h\">Bindings</h2>"
                html +=
                    bindings.isEmpty
                    ? "<p>No replica is bound to a party yet.</p>"
                    : HTML.table(
                        ["Party", "Peer id", "Site"],
                        bindings.map {
                            [
                                HTML.escape($0.partyCode ?? $0.partyID), "<code>\(HTML.escape($0.peerID))</code>",
                                "<code>\(HTML.escape(String($0.siteID.prefix(8))))</code>",
                            ]
                        })
                html += "</section>"
                let actor = try AccessRules.actor(of: replica.siteID, registerID: replica.registerID, store.db)
                html +=
                    "<section aria-labelledby=\"scope-h\"><h2 id=\"scope-h\">What this replica's party sees and writes</h2>"
                html += HTML.table(
                    ["Table", "Visible rows", "Reads", "Writes"],
                    try TableScope.all(for: actor, store.db).map { scope in
                        [
                            HTML.escape(scope.table), "\(scope.visibleRows) of \(scope.totalRows)",
                            HTML.escape(scope.read),
                            HTML.escape(scope.write),
                        ]
                    })
                html += "</section>"
                // The organization sees every party's scope: what each party's replicas receive and may write.
                if actor.isOrganization {
                    html += "<section aria-labelledby=\"scopes-h\"><h2 id=\"scopes-h\">Each party's scope</h2>"
                    for party in parties where party["kind"].textValue != "organization" {
                        let code = party["code"].textValue ?? party.id
                        html +=
                            "<details class=\"scope\" id=\"scope-\(HTML.escape(code))\"><summary>\(HTML.escape(code)) "
                        html += "\(HTML.escape(party["name"].textValue ?? ""))</summary>"
                        html += HTML.table(
                            ["Table", "Visible rows", "Reads", "Writes"],
                            try TableScope.all(for: .party(party.id), store.db).map { scope in
                                [
                                    HTML.escape(scope.table), "\(scope.visibleRows) of \(scope.totalRows)",
                                    HTML.escape(scope.read), HTML.escape(scope.write),
                                ]
                            })
                        html += "</details>"
                    }
                    html += "</section>"
                }
                return html
            }
        }
        return .html(page(title: "Parties and peers", section: "/parties", body: body))
    }

    /// Trusts a peer (form fields `name`, `peer`, `address`), as `spi peer add` does.
    func addPeer(_ request: AppRequest) async throws -> AppResponse {
        guard let directory = peers else {
            return errorResponse(
                "this app was started without access to the trusted peers", status: 404, request: request)
        }
        let form = request.form
        let name = form["name"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let peer = form["peer"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let address = form["address"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        guard !name.isEmpty else {
            return errorResponse("give the peer a name", status: 422, field: "name", request: request)
        }
        guard !peer.isEmpty else {
            return errorResponse("give the peer id its spi whoami prints", status: 422, field: "peer", request: request)
        }
        let failure = try await queue.run { register -> (message: String, field: String)? in
            do {
                try directory.add(name: name, peerID: peer, address: address, to: register)
                return nil
            } catch let error as PeerError {
                // Next to the field it concerns, in the words of `spi peer add`.
                switch error.code {
                case .invalidName, .duplicateName: return (error.description, "name")
                case .invalidAddress: return (error.description, "address")
                default: return (error.description, "peer")
                }
            } catch {
                return ("\(error)", "")
            }
        }
        if let failure {
            return errorResponse(failure.message, status: 422, field: failure.field, request: request)
        }
        if Self.wantsJSON(request) { return .json(.object(["ok": .bool(true)])) }
        return .redirect(to: "/parties")
    }
}
