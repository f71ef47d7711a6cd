import SPIRegister
import SPIReplication
import SPISQLite

extension WebApp {
    /// The four RACI letters and what they stand for.
    static let roles: [(letter: String, name: String)] = [
        ("R", "Responsible"), ("A", "Accountable"), ("C", "Consulted"), ("I", "Informed"),
    ]

    /// The RACI matrix of SPI `code` (HTML): the practice's activities in process order × the parties (the
    /// organization's, the provider, and any other party the SPI assigns), each cell with a toggle per letter where
    /// this replica's party may set it, and a warning on every activity without exactly one Accountable.
    static func raciMatrix(code: String, csrf: String, _ store: RecordStore) throws -> String {
        let spi = try store.record("interface", code)
        let assignments = try store.records("raci_assignment", matching: ["interface_id": .text(spi.id)])
        let activities =
            try spi["practice_id"].textValue.map {
                try store.records("activity", matching: ["practice_id": .text($0)])
            } ?? []
        // Columns: the organization's parties, the provider, then any other party the SPI assigns.
        let parties = try store.records("party")
        var columns = parties.filter { ["organization", "integrator"].contains($0["kind"].textValue ?? "") }.map(\.id)
        if let provider = spi["provider_id"].textValue, !columns.contains(provider) { columns.append(provider) }
        for row in assignments {
            if let party = row["party_id"].textValue, !columns.contains(party) { columns.append(party) }
        }
        let partyByID = Dictionary(parties.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // What this replica's party may set, per party column and letter (the rules depend on the SPI and the party).
        var allowed: [String: Set<String>] = [:]
        if let probe = activities.first {
            for party in columns {
                for role in roles.map(\.letter) {
                    let values: [String: DatabaseValue] = [
                        "interface_id": .text(spi.id), "activity_id": .text(probe.id), "party_id": .text(party),
                        "role": .text(role),
                    ]
                    let key = "raci:\(spi.id):\(probe.id):\(party):\(role)"
                    if try store.refusal(
                        of: RowWrite(table: "raci_assignment", id: RecordID.v5(key), kind: .create, values: values))
                        == nil
                    {
                        allowed[party, default: []].insert(role)
                    }
                }
            }
        }
        let spiCode = spi["code"].textValue ?? spi.id
        var html =
            "<div class=\"scroll\"><table class=\"raci\" data-spi=\"\(HTML.escape(spiCode))\"><caption>RACI of \(HTML.escape(spiCode)): activities × parties</caption><thead><tr><th scope=\"col\">Activity</th>"
        for party in columns {
            let record = partyByID[party]
            let name = record?["name"].textValue ?? party
            let code = record?["code"].textValue ?? ""
            html += "<th scope=\"col\">\(HTML.escape(name))<br><span class=\"code\">\(HTML.escape(code))</span></th>"
        }
        html += "<th scope=\"col\">Check</th></tr></thead><tbody>"
        for activity in activities {
            let activityCode = activity["code"].textValue ?? activity.id
            let rows = assignments.filter { $0["activity_id"].textValue == activity.id }
            let accountables = rows.filter { $0["role"].textValue == "A" }.count
            let warning =
                accountables == 1 ? "" : (accountables == 0 ? "no Accountable" : "\(accountables) Accountables")
            html +=
                "<tr\(warning.isEmpty ? "" : " class=\"raci-warn\"")><th scope=\"row\"><span class=\"code\">\(HTML.escape(activityCode))</span> \(HTML.escape(activity["name"].textValue ?? ""))</th>"
            for party in columns {
                let cellRows = rows.filter { $0["party_id"].textValue == party }
                let letters = Set(cellRows.compactMap { $0["role"].textValue })
                var titles: [String] = []
                for title in cellRows.compactMap({ $0["role_title"].textValue })
                where !title.isEmpty && !titles.contains(title) {
                    titles.append(title)
                }
                let partyCode = partyByID[party]?["code"].textValue ?? party
                let cellID = "cell-\(activityCode)-\(partyCode)"
                html +=
                    "<td id=\"\(HTML.escape(cellID))\" data-cell=\"\(HTML.escape(activityCode + "/" + partyCode))\">"
                html +=
                    "<span class=\"letters\">\(HTML.escape(roles.map(\.letter).filter(letters.contains).joined(separator: "/")))</span>"
                let may = allowed[party] ?? []
                if !may.isEmpty {
                    html += "<span class=\"toggles\">"
                    for role in roles where may.contains(role.letter) || letters.contains(role.letter) {
                        let on = letters.contains(role.letter)
                        let label = "\(activityCode), \(partyCode): \(role.name)"
                        html +=
                            "<button type=\"button\" class=\"role\" data-activity=\"\(HTML.escape(activity.id))\" data-party=\"\(HTML.escape(party))\" data-role=\"\(role.letter)\" aria-pressed=\"\(on)\" aria-label=\"\(HTML.escape(label))\" title=\"\(HTML.escape(role.name))\">\(role.letter)</button>"
                    }
                    html += "</span>"
                }
                if !titles.isEmpty {
                    html += "<span class=\"title\">\(HTML.escape(titles.joined(separator: "; ")))</span>"
                }
                html += "</td>"
            }
            html += "<td class=\"check\">\(HTML.escape(warning.isEmpty ? "ok" : warning))</td></tr>"
        }
        html += "</tbody></table></div>"
        if activities.isEmpty { html += "<p>The SPI's practice has no activities.</p>" }
        if allowed.isEmpty { html += "<p class=\"hint\">This replica's party may not change this RACI.</p>" }
        return html
    }

    /// The matrix alone, for live updates.
    func raciFragment(code: String) async throws -> AppResponse {
        let csrf = auth.csrf
        let html = try await queue.run { register in
            try register.read { store in try Self.raciMatrix(code: code, csrf: csrf, store) }
        }
        return .html(html)
    }

    /// Sets (`on=1`) or clears (`on=0`) one RACI letter of SPI `code`: form fields `activity`, `party` (ids), `role`.
    /// Checked like `spi raci add` and `spi raci remove`; answers JSON with the new matrix, or the refusal.
    func setRACI(code: String, _ request: AppRequest) async throws -> AppResponse {
        let form = request.form
        guard let activity = form["activity"], let party = form["party"], let role = form["role"],
            let on = form["on"], ["0", "1"].contains(on)
        else {
            return errorResponse("the form needs activity, party, role and on (0 or 1)", status: 400, request: request)
        }
        let csrf = auth.csrf
        let result = try await queue.run { register -> Result<String, RegisterError> in
            do {
                try register.write { store in
                    let spi = try store.record("interface", code)
                    let fields = ["interface_id": spi.id, "activity_id": activity, "party_id": party, "role": role]
                    if on == "1" {
                        _ = try store.put("raci_assignment", fields: fields, mode: .insert)
                    } else {
                        let existing = try store.records(
                            "raci_assignment", matching: fields.mapValues { DatabaseValue.text($0) })
                        guard let row = existing.first else {
                            throw RegisterError(.notFound, "that RACI letter is not set")
                        }
                        _ = try store.delete("raci_assignment", row.id)
                    }
                }
                return .success(try register.read { store in try Self.raciMatrix(code: code, csrf: csrf, store) })
            } catch let error as RegisterError {
                return .failure(error)
            }
        }
        switch result {
        case .success(let html):
            events.localChange()
            return .json(.object(["ok": .bool(true), "html": .string(html)]))
        case .failure(let error):
            return errorResponse(
                error.message, status: error.code == .forbidden ? 403 : 422, field: "raci", request: request)
        }
    }
}
