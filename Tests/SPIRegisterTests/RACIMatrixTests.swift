import Foundation
import SPIRegister
import SPISQLite
import Testing

/// `spi raci set SPI --from-csv` and `spi raci copy` in the library: the matrix as a spreadsheet writes it, applied in
/// one transaction with every rule of `spi raci add`.
@Suite("RACI matrices")
struct RACIMatrixTests {
    /// The Northwind demo in a register, with access rules off (the organization's replica).
    func withDemo(_ body: (Register) throws -> Void) throws {
        try withRegister(today: "2026-12-07") { register, _ in
            try register.replica.write { db in try NorthwindDemo.populate(db, today: "2026-12-07") }
            try body(register)
        }
    }

    func letters(_ register: Register, _ spi: String, _ activity: String) throws -> [String: String] {
        try register.read { store in
            let rows = try store.records(
                "raci_assignment",
                matching: [
                    "interface_id": .text(try store.resolve("interface", spi)),
                    "activity_id": .text(try store.resolve("activity", activity)),
                ])
            var result: [String: [String]] = [:]
            for row in rows {
                let party = try store.label("party", row["party_id"].textValue ?? "") ?? "?"
                result[party, default: []].append(row["role"].textValue ?? "?")
            }
            return result.mapValues { $0.sorted().joined() }
        }
    }

    @Test("the CSV is read as a spreadsheet writes it: quotes, CRLF, a byte order mark, letters in any form")
    func parsing() throws {
        let matrix = try RACIMatrix(
            csv: "\u{FEFF}\"activity\",NWR,\"SIAM\",FAB\r\nINC-LOG,c,\"A, R\",r/i\r\n\r\nINC-DIAG,-,AR,\n")
        #expect(matrix.parties == ["NWR", "SIAM", "FAB"])
        #expect(matrix.rows.map(\.activity) == ["INC-LOG", "INC-DIAG"])
        #expect(matrix.rows[0].letters == [["C"], ["A", "R"], ["R", "I"]])
        #expect(matrix.rows[1].letters == [[], ["A", "R"], []])
        #expect(matrix.rows[1].line == 4)
    }

    @Test(
        "a malformed matrix is refused, naming the line and column",
        arguments: [
            ("", "header row"),
            ("activity\n", "header row"),
            ("activity,NWR,,FAB\n", "line 1, column 3: the header names no party"),
            ("activity,NWR,nwr\n", "party nwr has two columns"),
            ("activity,NWR\nINC-LOG,Q\n", "line 2, column NWR: 'Q' is not a RACI cell"),
            ("activity,NWR\nINC-LOG,R\ninc-log,C\n", "line 3: activity inc-log has two rows"),
            ("activity,NWR\nINC-LOG,R,A\n", "line 2: 2 cells, but the header names 1 parties"),
            ("activity,NWR\n,R\n", "line 2: the first cell names no activity"),
            ("activity,NWR\nINC-LOG,\"R\n", "line 2: a quoted cell is not closed"),
        ])
    func malformed(_ text: String, _ expected: String) {
        #expect { try RACIMatrix(csv: text) } throws: { error in
            (error as? RegisterError)?.code == .invalidValue
                && (error as? RegisterError)?.message.contains(expected) == true
        }
    }

    @Test("a matrix sets exactly the listed letters, moves an Accountable in one go, and keeps role titles")
    func setMatrix() throws {
        try withDemo { register in
            #expect(try letters(register, "SPI-INC-FAB", "INC-LOG") == ["NWR": "C", "SIAM": "A", "FAB": "R"])
            let matrix = try RACIMatrix(csv: "activity,NWR,SIAM,FAB\nINC-LOG,I,R,A/R\nINC-DIAG,,A,R\n")
            let change = try register.write { store in try store.setRACI(of: "SPI-INC-FAB", to: matrix) }
            #expect(change == RACIChange(added: 3, removed: 2, unchanged: 3))
            #expect(try letters(register, "SPI-INC-FAB", "INC-LOG") == ["NWR": "I", "SIAM": "R", "FAB": "AR"])
            // The kept row keeps its title; activities not listed are untouched.
            let title = try register.read { store in
                try store.records(
                    "raci_assignment",
                    matching: [
                        "interface_id": .text(try store.resolve("interface", "SPI-INC-FAB")),
                        "activity_id": .text(try store.resolve("activity", "INC-LOG")),
                        "party_id": .text(try store.resolve("party", "FAB")), "role": .text("R"),
                    ]
                ).first?["role_title"]
            }
            #expect(title == .text("Provider incident coordinator"))
            #expect(try letters(register, "SPI-INC-FAB", "INC-ESC") == ["NWR": "I", "SIAM": "A", "FAB": "R"])
            // Again: nothing to do.
            let again = try register.write { store in try store.setRACI(of: "SPI-INC-FAB", to: matrix) }
            #expect(again == RACIChange(added: 0, removed: 0, unchanged: 6))
        }
    }

    @Test("one refused cell refuses the whole matrix: nothing changes, and the error names the line")
    func refusedMatrix() throws {
        try withDemo { register in
            let digest = try register.digest()
            for (csv, expected) in [
                (
                    "activity,NWR,SIAM,FAB\nINC-LOG,I,A,R\nINC-DIAG,A,A,R\n",
                    "line 3: INC-DIAG already has an Accountable party"
                ),
                ("activity,NWR,ZZZ\nINC-LOG,I,A\n", "the header's party ZZZ"),
                ("activity,NWR\nINC-LOG,I\nNOPE,C\n", "line 3: no activity has code 'NOPE'"),
                ("activity,NWR\nINC-LOG,R\nCHG-CAB,C\n", "line 3: CHG-CAB is an activity of CHG"),
            ] {
                let matrix = try RACIMatrix(csv: csv)
                #expect { try register.write { store in try store.setRACI(of: "SPI-INC-FAB", to: matrix) } } throws: {
                    ($0 as? RegisterError)?.message.contains(expected) == true
                }
            }
            #expect(try register.digest() == digest)
        }
    }

    @Test("copy maps parties, refuses a target that has a RACI unless told to replace it, and keeps every rule")
    func copy() throws {
        try withDemo { register in
            #expect {
                try register.write { try $0.copyRACI(from: "SPI-INC-FAB", to: "SPI-INC-CON", parties: ["FAB": "CON"]) }
            } throws: {
                ($0 as? RegisterError)?.message.contains("SPI-INC-CON already has") == true
            }
            let change = try register.write { store in
                try store.copyRACI(from: "SPI-INC-FAB", to: "SPI-INC-CON", parties: ["FAB": "CON"], replacing: true)
            }
            #expect(change.added == 21 && change.removed == 21)
            #expect(try letters(register, "SPI-INC-CON", "INC-LOG") == ["NWR": "C", "SIAM": "A", "CON": "R"])
            let copied = try register.read { store in
                try store.records(
                    "raci_assignment", matching: ["interface_id": .text(try store.resolve("interface", "SPI-INC-CON"))])
            }
            #expect(copied.contains { $0["role_title"] == .text("Provider incident coordinator") })
            // Onto an SPI of another practice: the activities do not belong to it.
            let digest = try register.digest()
            #expect {
                try register.write { try $0.copyRACI(from: "SPI-INC-FAB", to: "SPI-CHG-CON", replacing: true) }
            } throws: {
                ($0 as? RegisterError)?.message.contains("not of SPI-CHG-CON's practice") == true
            }
            #expect(try register.digest() == digest)
            #expect { try register.write { try $0.copyRACI(from: "SPI-INC-FAB", to: "SPI-INC-FAB") } } throws: {
                ($0 as? RegisterError)?.message.contains("the same SPI") == true
            }
        }
    }
}
