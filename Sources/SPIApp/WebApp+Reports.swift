import Foundation
import SPIRegister

extension WebApp {
    /// Every report in every format, for all providers or one, to view or download.
    func reportsPage() async throws -> AppResponse {
        let providers = try await queue.run { register in
            try register.read { store in
                try store.records("party", matching: ["kind": .text("provider")]).compactMap { $0["code"].textValue }
                    .sorted()
            }
        }
        var html = "<h1>Reports</h1>"
        html += HTML.table(
            ["Report", "All providers"] + providers,
            ReportName.allCases.map { name in
                [HTML.escape(name.title)]
                    + ([nil] + providers).map { provider in
                        ReportFormat.allCases.map { format in
                            let query = provider.map { "?provider=\(HTML.url($0))" } ?? ""
                            return
                                "<a href=\"/reports/\(name.rawValue).\(format.rawValue)\(query)\">\(format.rawValue)</a>"
                        }.joined(separator: " ")
                    }
            })
        html += "<p class=\"hint\">HTML opens here; Markdown, CSV and JSON download. The calendar also comes as "
        html += "<a href=\"/reports/calendar.ics\">iCalendar</a>.</p>"
        return .html(page(title: "Reports", section: "/reports", body: html))
    }

    /// One report, `NAME.FORMAT` (and `calendar.ics`), optionally for one provider (`?provider=CODE`).
    func report(file: String, _ request: AppRequest) async throws -> AppResponse {
        let parts = file.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let name = ReportName(rawValue: parts[0]) else {
            return errorResponse("no report '\(file)'; see the reports page", status: 404, request: request)
        }
        let provider = request.query["provider"].flatMap { $0.isEmpty ? nil : $0 }
        let generatedAt = ISO8601DateFormatter().string(from: Date())
        let registerName = registerName
        if name == .calendar && parts[1] == "ics" {
            let text = try await queue.run { register in
                try register.read { store in
                    try ReportRenderer.renderCalendarICS(
                        db: store.db, provider: provider, registerName: registerName, generatedAt: generatedAt,
                        today: register.today)
                }
            }
            return AppResponse(
                status: 200, contentType: "text/calendar; charset=utf-8", body: Array(text.utf8),
                headers: [("Content-Disposition", "attachment; filename=\"calendar.ics\"")])
        }
        guard let format = ReportFormat(rawValue: parts[1]) else {
            return errorResponse("no format '\(parts[1])'; choose md, html, csv or json", status: 404, request: request)
        }
        let text: String
        do {
            text = try await queue.run { register in
                try register.read { store in
                    try ReportRenderer.render(
                        name, format: format, db: store.db, provider: provider, registerName: registerName,
                        generatedAt: generatedAt, today: register.today)
                }
            }
        } catch let error as ReportError {
            return errorResponse(error.message, status: 422, request: request)
        }
        if format == .html {
            // A report is a standalone document with its own styles: allow them, and nothing else.
            var response = AppResponse.html(text)
            response.headers = response.headers.map { header in
                header.name == "Content-Security-Policy"
                    ? (
                        header.name,
                        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
                    )
                    : header
            }
            return response
        }
        let suffix = provider.map { "-\($0)" } ?? ""
        return AppResponse(
            status: 200, contentType: format.mediaType + "; charset=utf-8", body: Array(text.utf8),
            headers: [("Content-Disposition", "attachment; filename=\"\(name.rawValue)\(suffix).\(format.rawValue)\"")])
    }
}
