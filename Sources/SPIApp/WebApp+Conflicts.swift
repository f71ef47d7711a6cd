import SPIRegister
import SPIReplication
import SPISQLite

extension WebApp {
    /// The open conflicts, both values side by side, in words, each with keep mine, keep theirs, or a new value.
    func conflictsPage() async throws -> AppResponse {
        let csrf = auth.csrf
        let body = try await queue.run { register -> String in
            let conflicts = try register.replica.conflicts()
            let own = register.replica.siteID, registerID = register.replica.registerID
            return try register.read { store in
                var html = "<h1>Conflicts</h1><div id=\"live\" data-live=\"/conflicts\">"
                guard !conflicts.isEmpty else { return html + "<p>No open conflicts.</p></div>" }
                html += "<p>Two parties edited the same field without seeing each other's edit. The later edit "
                html += "stands on every replica; settle each one to say which value the register keeps.</p>"
                for conflict in conflicts {
                    let spec = FieldCatalog.table(conflict.table)
                    let noun = spec?.noun ?? conflict.table
                    let reference = spec?.column(conflict.column)?.references
                    func side(_ s: Conflict.Side, _ heading: String) throws -> String {
                        var value = Self.text(s.value)
                        if let reference, let id = s.value.textValue { value = try store.label(reference, id) ?? id }
                        let who = try store.siteName(s.site, own: own, registerID: registerID, asOf: s.clock.rawValue)
                        return
                            "<div class=\"side\"><h3>\(HTML.escape(heading))</h3><p class=\"value\">\(HTML.escape(value.isEmpty ? "(empty)" : value))</p><p>\(HTML.escape(who)), \(HTML.escape(Self.time(s.clock.rawValue)))</p></div>"
                    }
                    let mineIsWinner = conflict.winner.site == own ? true : (conflict.loser.site == own ? false : nil)
                    let id = HTML.escape(conflict.id)
                    html += "<article class=\"conflict\" id=\"conflict-\(id)\" aria-labelledby=\"conflict-\(id)-h\">"
                    html +=
                        "<h2 id=\"conflict-\(id)-h\">\(HTML.escape(noun)) \(HTML.escape(try store.rowName(conflict.table, conflict.rowID))): \(HTML.escape(conflict.column))</h2>"
                    html +=
                        "<div class=\"sides\">\(try side(conflict.winner, "Kept (the later edit)"))\(try side(conflict.loser, "Lost"))</div>"
                    html +=
                        "<form class=\"async settle\" method=\"post\" action=\"/conflicts/\(HTML.url(conflict.id))\">\(HTML.csrfField(csrf))"
                    if let mineIsWinner {
                        html +=
                            "<button type=\"submit\" name=\"keep\" value=\"mine\">Keep mine (\(mineIsWinner ? "kept" : "lost"))</button>"
                        html +=
                            "<button type=\"submit\" name=\"keep\" value=\"theirs\">Keep theirs (\(mineIsWinner ? "lost" : "kept"))</button>"
                    } else {
                        html += "<button type=\"submit\" name=\"keep\" value=\"winner\">Keep the kept value</button>"
                        html += "<button type=\"submit\" name=\"keep\" value=\"loser\">Keep the lost value</button>"
                    }
                    html += "<label for=\"new-\(id)\">or a new value</label><input id=\"new-\(id)\" name=\"value\">"
                    html += "<button type=\"submit\" name=\"keep\" value=\"value\">Keep the new value</button>"
                    html += "<p class=\"error\" role=\"alert\" data-error-for=\"\"></p></form></article>"
                }
                return html + "</div>"
            }
        }
        return .html(page(title: "Conflicts", section: "/conflicts", body: body))
    }

    /// Settles conflict `id`: form field `keep` (`mine`, `theirs`, `winner`, `loser`, or `value` with field `value`).
    func resolveConflict(id: String, _ request: AppRequest) async throws -> AppResponse {
        let form = request.form
        guard let keep = form["keep"] else {
            return errorResponse(
                "the form needs keep: mine, theirs, winner, loser or value", status: 400, request: request)
        }
        let choice: ConflictChoice
        switch keep {
        case "mine": choice = .mine
        case "theirs": choice = .theirs
        case "winner": choice = .winner
        case "loser": choice = .loser
        case "value": choice = .value(form["value"] ?? "")
        default:
            return errorResponse(
                "keep must be mine, theirs, winner, loser or value, not '\(keep)'", status: 400, request: request)
        }
        let result = try await queue.run { register -> Result<String, RegisterError> in
            do {
                return .success(try register.resolveConflict(id, keep: choice).description)
            } catch let error as RegisterError {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value):
            events.localChange()
            if Self.wantsJSON(request) { return .json(.object(["ok": .bool(true), "value": .string(value)])) }
            return .redirect(to: "/conflicts")
        case .failure(let error):
            return errorResponse(
                error.message, status: error.code == .notFound ? 404 : 422, field: "value", request: request)
        }
    }
}
