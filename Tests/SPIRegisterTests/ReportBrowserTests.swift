import Foundation
import SPIRegister
import SPISQLite
import SPITestSupport
import Testing

/// Where a headless Chromium lives, if one is installed (`SPI_CHROMIUM` may name the binary).
enum HeadlessChromium {
    static let path: String? = {
        let candidates = [
            ProcessInfo.processInfo.environment["SPI_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// Renders the HTML reports in a real headless Chromium (from the system packages) and checks the page it built.
/// Skipped when no Chromium is installed.
@Suite("HTML reports in a headless browser", .enabled(if: HeadlessChromium.path != nil))
struct ReportBrowserTests {
    /// Runs Chromium headless with `arguments` and returns its standard output.
    static func runChromium(_ arguments: [String]) throws -> String {
        let arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--user-data-dir=\(FileManager.default.temporaryDirectory.path)/spi-chromium-\(UUID().uuidString)",
            ]
            + arguments
        let output = try WatchedProcess.run(
            URL(fileURLWithPath: try #require(HeadlessChromium.path)), arguments, timeout: 300)
        #expect(output.status == 0, "chromium: \(output)")
        return output.stdoutText
    }

    /// The demo's SPI document (for `provider`, or every provider) written as an HTML page in a scratch directory
    /// that `body` gets, removed afterwards.
    static func withDocumentPage<T>(
        _ report: ReportName = .document, provider: String?, _ body: (URL, URL) throws -> T
    ) throws -> T {
        let html = try CheckFixture.withDemo { db in
            try ReportRenderer.render(
                report, format: .html, db: db, provider: provider, registerName: "Northwind Retail register",
                generatedAt: "2025-03-14T09:30:00Z", today: CheckFixture.today)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spi-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("document.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        return try body(directory, page)
    }

    @Test("the SPI document renders to a PNG, and the page holds the document's text")
    func document() throws {
        try Self.withDocumentPage(provider: nil) { directory, page in
            let png = directory.appendingPathComponent("document.png")

            _ = try Self.runChromium(["--window-size=1280,2000", "--screenshot=\(png.path)", page.absoluteString])
            let bytes = try Data(contentsOf: png)
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47])) // a PNG
            #expect(bytes.count > 20_000) // with content, not a blank page

            let dom = try Self.runChromium(["--dump-dom", page.absoluteString])
            #expect(dom.contains("<h1>SPI document</h1>"))
            #expect(dom.contains("Northwind Retail register") && dom.contains("2025-03-14T09:30:00Z"))
            for text in [
                "Fabrikam Service Desk (FAB)", "SPI-CHG-TAIL: Change enablement", "Roles and responsibilities (RACI)",
                "⚠ 2 Accountables", "TMF621 Trouble Ticket", "Review history",
            ] {
                #expect(dom.contains(text), "\(text)")
            }
            #expect(dom.components(separatedBy: "<table>").count - 1 >= 12 * 5)
        }
    }

    @Test("the ecosystem heat map renders in Chromium: coloured cells per practice × provider, the missing SPI in red")
    func heatMap() throws {
        try Self.withDocumentPage(.ecosystem, provider: nil) { directory, page in
            let png = directory.appendingPathComponent("ecosystem.png")
            _ = try Self.runChromium(["--window-size=1280,1000", "--screenshot=\(png.path)", page.absoluteString])
            let bytes = try Data(contentsOf: png)
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 20_000)
            let dom = try Self.runChromium(["--dump-dom", page.absoluteString])
            #expect(dom.contains("<h1>Ecosystem view</h1>") && dom.contains("Practices × providers"))
            // Contoso receives the access requests Fabrikam hands off, and has no SPI for request fulfilment.
            #expect(
                dom.contains(
                    "<td class=\"heat heat-missing\"><span class=\"marker\">✗</span> no SPI; 1 hand-off in</td>"),
                "\(dom)")
            #expect(
                dom.contains(
                    "heat-good\"><span class=\"marker\">✓</span> SPI-INC-FAB (approved): 7/7 complete; A: SIAM ×7"))
            // Contoso's problem SPI lacks a Responsible on one activity; Tailspin's change SPI has two Accountables.
            #expect(dom.contains("heat-partial\"><span class=\"marker\">◐</span> SPI-PRB-CON (approved): 4/5 complete"))
            #expect(dom.contains("SPI-CHG-TAIL (in review): 4/5 complete; A: SIAM ×5, TAIL"))
            #expect(dom.contains("Hosting incident hand-off") && dom.contains("Hand-offs between providers"))
        }
    }

    /// Where a poppler tool (`pdftoppm`, `pdftotext`) lives, if poppler-utils is installed.
    static func poppler(_ tool: String) -> String? {
        ["/usr/bin/\(tool)", "/usr/local/bin/\(tool)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program and returns its standard output; it must exit 0.
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let output = try WatchedProcess.run(URL(fileURLWithPath: path), arguments, timeout: 300)
        #expect(output.status == 0, "\(path) \(arguments): \(output)")
        return output.stdoutText
    }

    @Test(
        "a provider's SPI document prints to A4 with page numbers, no nearly empty page, and no command or raw id",
        .enabled(if: poppler("pdftoppm") != nil && poppler("pdftotext") != nil))
    func printedDocument() throws {
        try Self.withDocumentPage(provider: "FAB") { directory, page in
            let pdf = directory.appendingPathComponent("fabrikam.pdf")
            _ = try Self.runChromium(["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", page.absoluteString])

            // PNG pages, one per page of the PDF, none blank.
            let pdftoppm = try #require(Self.poppler("pdftoppm"))
            _ = try Self.run(pdftoppm, ["-png", "-r", "30", pdf.path, directory.appendingPathComponent("page").path])
            let pngs = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
                $0.hasSuffix(".png")
            }.sorted()
            #expect((3...20).contains(pngs.count), "\(pngs.count) pages")
            for png in pngs {
                let bytes = try Data(contentsOf: directory.appendingPathComponent(png))
                #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 2_000, "\(png)")
            }
            // The text of each page: numbered "Page n of N"; every page but the last well filled.
            let pdftotext = try #require(Self.poppler("pdftotext"))
            var all = ""
            for number in 1...pngs.count {
                let text = try Self.run(pdftotext, ["-f", "\(number)", "-l", "\(number)", pdf.path, "-"])
                all += text
                #expect(text.contains("Page \(number) of \(pngs.count)"), "page \(number): \(text.suffix(200))")
                if number < pngs.count {
                    #expect(
                        text.count > 600, "page \(number) of \(pngs.count) is nearly empty: \(text.count) characters")
                }
            }
            // Words as they read, whatever the line breaks (a role title wraps inside its RACI cell).
            let words = all.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for text in [
                "SPI-INC-FAB", "Document control", "Roles and responsibilities (RACI)", "Provider incident coordinator",
                "Fabrikam Service Desk",
            ] {
                #expect(words.contains(text), "\(text)")
            }
            // Provider-facing: no command line to run, no bare id.
            #expect(all.range(of: #"\bspi [a-z]+ "#, options: .regularExpression) == nil, "a command in the PDF")
            let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            #expect(all.range(of: uuid, options: .regularExpression) == nil, "a raw id in the PDF")
        }
    }
}
