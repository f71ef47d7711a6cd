import SPIRegister

/// Building the app's HTML: escaping, and the page around every view.
enum HTML {
    /// `text` escaped for HTML text and attribute values.
    static func escape(_ text: String) -> String {
        text.htmlEscaped
    }

    /// `text` escaped for a URL's path segment or query value.
    static func url(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                result += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return result
    }

    /// The navigation's sections: path and label.
    static let sections: [(path: String, label: String)] = [
        ("/", "Home"), ("/spis", "SPIs"), ("/conflicts", "Conflicts"), ("/parties", "Parties and peers"),
        ("/ecosystem", "Ecosystem"), ("/reports", "Reports"),
    ]

    /// A whole page: `body` inside the app's layout, with the CSRF token for its scripts and forms.
    static func page(title: String, register: String, section: String, csrf: String, body: String) -> String {
        let nav = sections.map { item in
            let current = item.path == section ? " aria-current=\"page\"" : ""
            return "<a href=\"\(item.path)\"\(current)>\(escape(item.label))</a>"
        }.joined()
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="csrf-token" content="\(escape(csrf))">
            <title>\(escape(title)) · \(escape(register))</title>
            <link rel="stylesheet" href="/assets/app.css">
            <script src="/assets/app.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header><span class="brand">SPI register</span> <span class="register">\(escape(register))</span>
            <nav aria-label="Sections">\(nav)</nav></header>
            <main id="main" tabindex="-1">
            \(body)
            </main>
            <div id="toasts" class="toasts" role="status" aria-live="polite"></div>
            </body>
            </html>
            """
    }

    /// A table: `header` cells and rows of cells already escaped (HTML).
    static func table(_ header: [String], _ rows: [[String]], caption: String? = nil, id: String? = nil) -> String {
        let head = header.map { "<th scope=\"col\">\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        let captionHTML = caption.map { "<caption>\(escape($0))</caption>" } ?? ""
        let idAttribute = id.map { " id=\"\(escape($0))\"" } ?? ""
        return
            "<div class=\"scroll\"><table\(idAttribute)>\(captionHTML)<thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table></div>"
    }

    /// The hidden CSRF field every form carries.
    static func csrfField(_ csrf: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(csrf))\">"
    }
}
