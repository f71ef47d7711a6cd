import Foundation
import SPIRegister
import SPIReplication

extension WebApp {
    /// Home: what is due or overdue, open findings, open conflicts, SPIs changed since signed, and what this replica
    /// has received from each bound replica.
    func homePage() async throws -> AppResponse {
        let body = try await queue.run { register -> String in
            let conflicts = try register.replica.conflicts().count
            let knowledge = try register.replica.knowledge()
            return try register.read { store in
                let today = register.today
                let due = try Governance.dueItems(in: store, today: today, within: 30)
                let findings = try RegisterCheck.run(store.db, today: today)
                let states = try Governance.signOffStates(registerID: register.replica.registerID, in: store)
                    .filter { $0.isChangedSinceSigned || $0.isChangedSinceApproved }
                var html = "<h1>Home</h1><div id=\"live\" data-live=\"/\">"
                html += "<section aria-labelledby=\"due\"><h2 id=\"due\">Due within 30 days</h2>"
                html +=
                    due.isEmpty
                    ? "<p>Nothing is due within 30 days of \(HTML.escape(today)).</p>"
                    : HTML.table(
                        ["Date", "When", "Due", "Code", "Title", "Owner"],
                        due.map { item in
                            [
                                HTML.escape(item.date),
                                item.isOverdue
                                    ? "<strong class=\"overdue\">\(HTML.escape(item.when))</strong>"
                                    : HTML.escape(item.when),
                                HTML.escape(item.kind.label), Self.codeLink(item.code, table: item.table),
                                HTML.escape(item.title), HTML.escape(item.owner ?? "-"),
                            ]
                        })
                html += "</section>"
                html += "<section aria-labelledby=\"findings\"><h2 id=\"findings\">Open findings</h2>"
                if findings.isEmpty {
                    html += "<p>`spi check` finds nothing.</p>"
                } else {
                    let counts = Severity.allCases.reversed().compactMap { severity -> String? in
                        let n = findings.filter { $0.severity == severity }.count
                        return n == 0 ? nil : "\(n) \(severity.rawValue)\(n == 1 ? "" : "s")"
                    }
                    html += "<p>\(HTML.escape(counts.joined(separator: ", ")))</p>"
                    html += HTML.table(
                        ["Severity", "Rule", "Finding"],
                        findings.sorted { $0.severity > $1.severity }.prefix(25).map { finding in
                            [
                                HTML.escape(finding.severity.rawValue), HTML.escape(finding.rule),
                                HTML.escape(finding.message),
                            ]
                        })
                }
                html += "</section>"
                html += "<section aria-labelledby=\"conflicts\"><h2 id=\"conflicts\">Conflicts</h2><p>"
                html +=
                    conflicts == 0
                    ? "No open conflicts."
                    : "<a href=\"/conflicts\">\(conflicts) open conflict\(conflicts == 1 ? "" : "s")</a> to settle."
                html += "</p></section>"
                html += "<section aria-labelledby=\"changed\"><h2 id=\"changed\">Changed since signed or approved</h2>"
                html +=
                    states.isEmpty
                    ? "<p>No SPI has changed since it was signed or approved.</p>"
                    : HTML.table(
                        ["SPI", "State", "Changes"],
                        states.map { state in
                            [
                                Self.codeLink(state.code, table: "interface"), HTML.escape(state.summary),
                                "\(state.changes.count)",
                            ]
                        })
                html += "</section>"
                html += "<section aria-labelledby=\"peers\"><h2 id=\"peers\">Received from each replica</h2>"
                let own = register.replica.siteID
                let rows = try knowledge.clocks.sorted { $0.value > $1.value }.map { site, clock -> [String] in
                    let name = try store.siteName(site, own: own, registerID: register.replica.registerID)
                    return [
                        HTML.escape(name), HTML.escape(String(site.description.prefix(8))),
                        HTML.escape(Self.time(clock)),
                    ]
                }
                html += HTML.table(["Replica", "Site", "Latest change known"], rows)
                html += "</section></div>"
                return html
            }
        }
        return .html(page(title: "Home", section: "/", body: body))
    }

    /// A link to the page of a row shown by its code (SPIs have one; other rows show the code alone).
    static func codeLink(_ code: String, table: String) -> String {
        table == "interface"
            ? "<a href=\"/spis/\(HTML.url(code))\">\(HTML.escape(code))</a>"
            : HTML.escape(code)
    }

    /// A hybrid logical clock reading as a UTC time, to the minute.
    static func time(_ clock: UInt64) -> String {
        let milliseconds = HybridLogicalClock(rawValue: clock).physicalMilliseconds
        guard milliseconds > 0 else { return "-" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)).prefix(16)
            .replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
