import Foundation
import SPIRegister

extension WebApp {
    /// The ecosystem view: practices × providers as a heat map (the `ecosystem` report inside the app's layout), to
    /// show where the Accountables and the gaps sit across all providers.
    func ecosystemPage() async throws -> AppResponse {
        let generatedAt = ISO8601DateFormatter().string(from: Date())
        let registerName = registerName
        let fragment = try await queue.run { register in
            try register.read { store in
                try ReportRenderer.renderFragment(
                    .ecosystem, db: store.db, provider: nil, registerName: registerName, generatedAt: generatedAt,
                    today: register.today)
            }
        }
        var html = "<h1>Ecosystem</h1>"
        html += "<p class=\"hint\">The same view as a printable file: <a href=\"/reports/ecosystem.html\">HTML</a>, "
        html += "<a href=\"/reports/ecosystem.csv\">CSV</a>. It updates live when a sync lands changes.</p>"
        html += "<div class=\"ecosystem\" id=\"ecosystem\" data-live=\"/ecosystem\">\(fragment)</div>"
        return .html(page(title: "Ecosystem", section: "/ecosystem", body: html))
    }
}
