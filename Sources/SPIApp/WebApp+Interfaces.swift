import SPIRegister
import SPIReplication
import SPISQLite

extension WebApp {
    /// The SPI list, filtered by practice, provider and status (query `practice`, `provider`, `status`: codes).
    func interfaceList(_ request: AppRequest) async throws -> AppResponse {
        let filter = (
            practice: request.query["practice"].flatMap { $0.isEmpty ? nil : $0 },
            provider: request.query["provider"].flatMap { $0.isEmpty ? nil : $0 },
            status: request.query["status"].flatMap { $0.isEmpty ? nil : $0 }
        )
        let body = try await queue.run { register -> String in
            try register.read { store in
                let states = Dictionary(
                    try Governance.signOffStates(registerID: register.replica.registerID, in: store).map {
                        ($0.interfaceID, $0)
                    },
                    uniquingKeysWith: { a, _ in a })
                let spis = try store.records("interface")
                func label(_ table: String, _ value: DatabaseValue) throws -> String {
                    guard let id = value.textValue else { return "-" }
                    return try store.label(table, id) ?? "-"
                }
                var practices: Set<String> = [], providers: Set<String> = []
                var rows: [[String]] = []
                for spi in spis {
                    let practice = try label("practice", spi["practice_id"])
                    let provider = try label("party", spi["provider_id"])
                    let status = spi["status"].textValue ?? ""
                    practices.insert(practice)
                    providers.insert(provider)
                    if let wanted = filter.practice, wanted.uppercased() != practice.uppercased() { continue }
                    if let wanted = filter.provider, wanted.uppercased() != provider.uppercased() { continue }
                    if let wanted = filter.status, wanted != status { continue }
                    let code = spi["code"].textValue ?? spi.id
                    rows.append([
                        Self.codeLink(code, table: "interface"), HTML.escape(spi["title"].textValue ?? ""),
                        HTML.escape(practice), HTML.escape(provider), HTML.escape(status),
                        HTML.escape(spi["version"].textValue ?? "-"),
                        HTML.escape(states[spi.id]?.summary ?? "not signed"),
                    ])
                }
                func select(_ name: String, _ label: String, _ options: [String], _ chosen: String?) -> String {
                    let items = ([""] + options).map { option in
                        let selected = option == (chosen ?? "") ? " selected" : ""
                        return
                            "<option value=\"\(HTML.escape(option))\"\(selected)>\(option.isEmpty ? "any" : HTML.escape(option))</option>"
                    }.joined()
                    return "<label>\(HTML.escape(label)) <select name=\"\(name)\">\(items)</select></label>"
                }
                let statuses = FieldCatalog.table("interface")?.column("status")?.allowedValues ?? []
                var html = "<h1>SPIs</h1>"
                html += "<form class=\"filters\" method=\"get\" action=\"/spis\">"
                html += select("practice", "Practice", practices.sorted(), filter.practice)
                html += select("provider", "Provider", providers.sorted(), filter.provider)
                html += select("status", "Status", statuses, filter.status)
                html += "<button type=\"submit\">Filter</button></form>"
                html += "<p>\(rows.count) of \(spis.count) SPIs</p>"
                html += HTML.table(
                    ["Code", "Title", "Practice", "Provider", "Status", "Version", "Sign-off"], rows, id: "spi-list")
                return html
            }
        }
        return .html(page(title: "SPIs", section: "/spis", body: body))
    }

    /// One SPI: what it is, its sign-off, its RACI matrix (editable), integration points and information items
    /// (editable in place), the targets it cites, and its history.
    func interfacePage(code: String) async throws -> AppResponse {
        let csrf = auth.csrf
        let body = try await queue.run { register -> String in
            let (spi, matrix) = try register.read { store in
                (try store.record("interface", code), try Self.raciMatrix(code: code, csrf: csrf, store))
            }
            let history = try register.replica.history(table: "interface", id: spi.id)
            return try register.read { store in
                let state = try Governance.signOff(of: spi.id, registerID: register.replica.registerID, in: store)
                func label(_ table: String, _ column: String) throws -> String {
                    guard let id = spi[column].textValue else { return "-" }
                    return try store.label(table, id) ?? "-"
                }
                let code = spi["code"].textValue ?? spi.id
                var html =
                    "<h1>\(HTML.escape(code)) <span class=\"subtitle\">\(HTML.escape(spi["title"].textValue ?? ""))</span></h1>"
                html += "<dl class=\"facts\">"
                for (term, value) in [
                    ("Practice", try label("practice", "practice_id")), ("Provider", try label("party", "provider_id")),
                    (
                        "Owner",
                        try spi["owner_id"].textValue.map { try store.record("person", $0)["name"].textValue ?? $0 }
                            ?? "-"
                    ),
                    ("Status", spi["status"].textValue ?? "-"),
                    ("Version", spi["version"].textValue ?? "-"), ("Next review", spi["next_review"].textValue ?? "-"),
                    ("Sign-off", state.summary),
                ] {
                    html += "<dt>\(HTML.escape(term))</dt><dd>\(HTML.escape(value))</dd>"
                }
                html += "</dl>"
                html += try Self.editForm(
                    "interface", spi, columns: ["title", "description", "version"], legend: "Edit the SPI", csrf: csrf,
                    store)
                if !state.changes.isEmpty {
                    html += "<section aria-labelledby=\"changes\"><h2 id=\"changes\">Changed since signed</h2><ul>"
                    for change in state.changes.prefix(50) {
                        let by = change.by.map { " (by \($0))" } ?? ""
                        html += "<li>\(HTML.escape(change.change.description + by))</li>"
                    }
                    html += "</ul></section>"
                }
                html += "<section aria-labelledby=\"raci-h\"><h2 id=\"raci-h\">RACI</h2>"
                html += "<p class=\"hint\">Press a letter to set or clear it. Each activity has exactly one "
                html += "Accountable (A).</p>"
                html += "<div id=\"raci\" data-live=\"/spis/\(HTML.url(code))/raci\">\(matrix)</div>"
                html += "<p id=\"raci-error\" class=\"error\" role=\"alert\"></p></section>"
                html += try Self.ownedRows(
                    "integration_point", of: spi.id, title: "Integration points",
                    shown: ["name", "from_party_id", "to_party_id", "trigger_event", "channel", "timing"],
                    editable: ["name", "trigger_event", "channel", "standard", "timing", "correlation_key"], csrf: csrf,
                    store)
                html += try Self.ownedRows(
                    "information_item", of: spi.id, title: "Management information",
                    shown: ["name", "frequency", "due_rule", "format", "sender_id"],
                    editable: ["name", "content", "frequency", "due_rule", "format"], csrf: csrf, store)
                html += try Self.targets(of: spi, csrf: csrf, store)
                if let history {
                    html += "<section aria-labelledby=\"history\"><h2 id=\"history\">History</h2>"
                    let own = register.replica.siteID, registerID = register.replica.registerID
                    let rows = try history.cells.map { cell -> [String] in
                        let by = try store.siteName(
                            cell.version.site, own: own, registerID: registerID, asOf: cell.version.clock.rawValue)
                        return [
                            HTML.escape(cell.column), HTML.escape(cell.value.description), HTML.escape(by),
                            HTML.escape(Self.time(cell.version.clock.rawValue)),
                        ]
                    }
                    html += HTML.table(["Field", "Value", "Written by", "When"], rows)
                    html += "</section>"
                }
                return html
            }
        }
        return .html(page(title: code, section: "/spis", body: body))
    }

    /// A table of the rows of `table` that belong to SPI `interfaceID`, each with its edit form when this replica's
    /// party may edit it.
    static func ownedRows(
        _ table: String, of interfaceID: String, title: String, shown: [String], editable: [String], csrf: String,
        _ store: RecordStore
    ) throws -> String {
        let rows = try store.records(table, matching: ["interface_id": .text(interfaceID)])
        let spec = try store.spec(table)
        var html = "<section aria-labelledby=\"\(table)-h\"><h2 id=\"\(table)-h\">\(HTML.escape(title))</h2>"
        guard !rows.isEmpty else { return html + "<p>None.</p></section>" }
        let header =
            shown.map { column in column.hasSuffix("_id") ? String(column.dropLast(3)) : column }
            .map { $0.replacingOccurrences(of: "_", with: " ") } + ["Edit"]
        let cells = try rows.map { row -> [String] in
            try shown.map { column -> String in
                let value = row[column]
                if let reference = spec.column(column)?.references, let id = value.textValue {
                    return HTML.escape(try store.label(reference, id) ?? id)
                }
                return HTML.escape(Self.text(value))
            } + [try editForm(table, row, columns: editable, legend: "Edit", csrf: csrf, store)]
        }
        html += HTML.table(header, cells)
        return html + "</section>"
    }

    /// The service level targets the SPI cites (its agreement's, for the services it covers), each with its edit form
    /// where this replica's party may edit it.
    static func targets(of spi: Record, csrf: String, _ store: RecordStore) throws -> String {
        let html = "<section aria-labelledby=\"targets-h\"><h2 id=\"targets-h\">Service level targets</h2>"
        guard let agreement = spi["agreement_id"].textValue else {
            return html + "<p>The SPI names no agreement, so it cites no targets.</p></section>"
        }
        let content = try InterfaceContent(of: spi.id, in: store)
        let targets = try (content.rows["service_level_target"]?.keys.sorted() ?? []).map {
            try store.record("service_level_target", $0)
        }
        guard !targets.isEmpty else {
            return html
                + "<p>Agreement \(HTML.escape(try store.label("agreement", agreement) ?? agreement)) has no targets for its services.</p></section>"
        }
        let rows = try targets.map { target -> [String] in
            let service = try target["service_id"].textValue.flatMap { try store.label("service", $0) } ?? "-"
            return [
                HTML.escape(service), HTML.escape(Self.text(target["metric"])),
                HTML.escape(Self.text(target["target"]) + " " + Self.text(target["unit"])),
                HTML.escape(Self.text(target["period"])),
                try editForm(
                    "service_level_target", target, columns: ["target", "period", "notes"], legend: "Edit",
                    csrf: csrf, store),
            ]
        }
        return html + HTML.table(["Service", "Metric", "Target", "Period", "Edit"], rows) + "</section>"
    }

    /// A value as people read it: text as is, numbers as written, nothing for NULL.
    static func text(_ value: DatabaseValue) -> String {
        value == .null ? "" : value.description
    }
}
