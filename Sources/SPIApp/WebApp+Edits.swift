import SPIRegister
import SPIReplication
import SPISQLite

extension WebApp {
    /// The edit form of one row (HTML): an input per column of `columns` (a list for columns with a fixed set of
    /// values), posted to `/records/TABLE/ID`; a read-only note instead when this replica's party may not edit the row.
    static func editForm(
        _ table: String, _ row: Record, columns: [String], legend: String, csrf: String, _ store: RecordStore
    ) throws -> String {
        let spec = try store.spec(table)
        let values = Dictionary(columns.map { ($0, row[$0]) }, uniquingKeysWith: { a, _ in a })
        if try store.refusal(of: RowWrite(table: table, id: row.id, kind: .update, values: values)) != nil {
            return "<span class=\"hint\">read-only for this replica's party</span>"
        }
        let formID = "edit-\(table)-\(row.id)"
        var html = "<details class=\"edit\"><summary>\(HTML.escape(legend))</summary>"
        html +=
            "<form id=\"\(HTML.escape(formID))\" class=\"async\" method=\"post\" action=\"/records/\(HTML.url(table))/\(HTML.url(row.id))\">"
        html += HTML.csrfField(csrf)
        for column in columns {
            guard let columnSpec = spec.column(column) else { continue }
            let inputID = "\(formID)-\(column)"
            let current = text(row[column])
            let label = column.replacingOccurrences(of: "_", with: " ")
            html += "<label for=\"\(HTML.escape(inputID))\">\(HTML.escape(label))</label>"
            if !columnSpec.allowedValues.isEmpty {
                html += "<select id=\"\(HTML.escape(inputID))\" name=\"\(HTML.escape(column))\">"
                for value in (columnSpec.isRequired ? [] : [""]) + columnSpec.allowedValues {
                    let selected = value == current ? " selected" : ""
                    html += "<option value=\"\(HTML.escape(value))\"\(selected)>\(HTML.escape(value))</option>"
                }
                html += "</select>"
            } else {
                html +=
                    "<input id=\"\(HTML.escape(inputID))\" name=\"\(HTML.escape(column))\" value=\"\(HTML.escape(current))\">"
            }
            html += "<span class=\"error\" data-error-for=\"\(HTML.escape(column))\"></span>"
        }
        html +=
            "<button type=\"submit\">Save</button><p class=\"error\" role=\"alert\" data-error-for=\"\"></p></form></details>"
        return html
    }

    /// Saves the fields a form posted to `/records/TABLE/ID`, checked as `spi record put` checks them; only the fields
    /// that changed are written. Answers JSON for the app's scripts, else redirects back (or shows the refusal).
    func editRecord(table: String, id: String, _ request: AppRequest) async throws -> AppResponse {
        let fields = request.form.filter { $0.key != "csrf" }
        guard !fields.isEmpty else {
            return errorResponse("the form has no fields to save", status: 400, request: request)
        }
        let result = try await queue.run { register -> Result<Int, RegisterError> in
            do {
                let changed = try register.write { store -> Int in
                    let current = try store.record(table, id)
                    let spec = try store.spec(table)
                    var changes: [String: String] = [:]
                    for (column, value) in fields {
                        guard spec.column(column) != nil else {
                            throw RegisterError(.unknownColumn, "\(table) has no field \(column)")
                        }
                        if Self.text(current[column]) != value { changes[column] = value }
                    }
                    if !changes.isEmpty { _ = try store.put(table, id: id, fields: changes, mode: .update) }
                    return changes.count
                }
                return .success(changed)
            } catch let error as RegisterError {
                return .failure(error)
            }
        }
        switch result {
        case .success(let changed):
            if changed > 0 { events.localChange() }
            if Self.wantsJSON(request) {
                return .json(.object(["ok": .bool(true), "changed": .integer(Int64(changed))]))
            }
            return .redirect(to: request.header("referer").flatMap(Self.localPath) ?? "/")
        case .failure(let error):
            let field = fields.keys.sorted().first { error.message.contains($0) }
            return errorResponse(
                error.message, status: error.code == .forbidden ? 403 : 422, field: field, request: request)
        }
    }

    /// The path of a URL on this app (a `Referer`), or nil.
    static func localPath(_ url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return url.hasPrefix("/") ? url : nil }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }
}
