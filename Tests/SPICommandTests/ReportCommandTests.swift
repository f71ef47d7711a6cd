import Foundation
import Testing

@Suite("spi report")
struct ReportCommandTests {
    @Test("report writes each report in each format; an unknown report or format is refused")
    func reports() throws {
        try withCommandFixture(.basics) { f in
            try f.ok(
                "raci", "add", "--interface", "SPI-INC-FAB", "--activity", "INC-LOG", "--party", "FAB", "--role", "R")
            let csv = try f.ok("report", "raci", "--format", "csv")
            let lines = csv.split(whereSeparator: \.isNewline)
            #expect(lines.first?.hasPrefix("spi,provider,practice,activity_code") == true, "\(csv)")
            #expect(lines.contains { $0.contains("INC-LOG") && $0.contains("raci-no-accountable") }, "\(csv)")
            let gaps = try f.json("report", "gaps", "--format", "json")
            #expect(gaps is [String: Any])
            let html = f.directory.appendingPathComponent("fab.html").path
            #expect(
                try f.ok("report", "document", "--provider", "FAB", "--format", "html", "--out", html)
                    == "wrote \(html)")
            let page = try String(contentsOfFile: html, encoding: .utf8)
            #expect(page.contains("SPI-INC-FAB") && page.contains("<style"))
            try f.refused(["report", "bogus"], status: 64)
            try f.refused(["report", "raci", "--format", "pdf"], status: 64)
        }
    }
}
