import SPIRegister
import SPISQLite
import Testing

@Suite("Canonical JSON writer and reader")
struct JSONValueTests {
    @Test("objects are written with sorted keys and no whitespace")
    func sortedKeys() {
        let value: JSONValue = ["b": 1, "a": [true, false, nil], "A": "x", "é": 2]
        #expect(value.canonicalText == #"{"A":"x","a":[true,false,null],"b":1,"é":2}"#)
    }

    @Test(
        "reals always carry a point or an exponent and read back as the same double",
        arguments: [
            0.0, 1.0, 5.0, 99.9, 99.95, 0.1, 1e-5, 1.5e300, 123456789012345678.0, Double.leastNonzeroMagnitude,
            -2.5, 1.0 / 3.0, Double.greatestFiniteMagnitude, Double.infinity, -Double.infinity,
        ])
    func reals(value: Double) throws {
        let text = JSONValue.real(value).canonicalText
        #expect(text.contains(".") || text.contains("e"), "\(text)")
        let back = try JSONValue(parsing: text)
        guard case .real(let d) = back else {
            Issue.record("\(text) did not read back as a real")
            return
        }
        #expect(d.bitPattern == value.bitPattern, "\(text)")
    }

    @Test("negative zero is written as 0.0: SQLite holds them as one value, so replicas must print one text")
    func negativeZero() {
        #expect(JSONValue.real(-0.0).canonicalText == "0.0")
        #expect(JSONValue.real(-0.0).canonicalText == JSONValue.real(0.0).canonicalText)
    }

    @Test("integers stay integers, including the extremes")
    func integers() throws {
        for value in [Int64.min, -1, 0, 42, Int64.max] {
            let text = JSONValue.integer(value).canonicalText
            #expect(text == String(value))
            #expect(try JSONValue(parsing: text) == .integer(value))
        }
        #expect(throws: RegisterError.self) { try JSONValue(parsing: "9223372036854775808") }
    }

    @Test("strings escape quotes, backslashes and control characters per RFC 8259")
    func strings() throws {
        let text = "quote \" backslash \\ slash / newline \n tab \t cr \r bell \u{07} nul \u{00} del \u{7F} é 😀"
        let written = JSONValue.string(text).canonicalText
        #expect(
            written == #""quote \" backslash \\ slash / newline \n tab \t cr \r bell \u0007 nul \u0000 del "#
                + "\u{7F} é 😀\"")
        #expect(try JSONValue(parsing: written) == .string(text))
        #expect(try JSONValue(parsing: #""\u00e9\ud83d\ude00\/""#) == .string("é😀/"))
    }

    @Test("SQLite values map to JSON and back, blobs as {\"$blob\": hex}")
    func databaseValues() throws {
        let values: [DatabaseValue] = [
            .null, .integer(-3), .real(2.5), .text("x"), .blob([0, 1, 0xAB, 0xFF]), .blob([]),
        ]
        for value in values {
            let json = JSONValue(value)
            #expect(try json.databaseValue() == value)
            #expect(try JSONValue(parsing: json.canonicalText).databaseValue() == value)
        }
        #expect(JSONValue(.blob([0, 1, 0xAB, 0xFF])).canonicalText == #"{"$blob":"0001abff"}"#)
        #expect(throws: RegisterError.self) { try JSONValue.object(["$blob": "xyz"]).databaseValue() }
    }

    @Test(
        "invalid JSON is refused with the offset",
        arguments: [
            "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"unterminated", "\"bad \\x escape\"", "tru", "{\"a\":1}x",
            "{\"a\":1,\"a\":2}", "\"\\ud800\"", "[\"tab\tinside\"]", "NaN",
        ])
    func invalid(text: String) {
        #expect(throws: RegisterError.self) { try JSONValue(parsing: text) }
    }

    @Test("deep nesting is refused rather than overflowing the stack")
    func depth() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: RegisterError.self) { try JSONValue(parsing: text) }
    }
}
