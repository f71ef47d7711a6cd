import Foundation

/// A RACI matrix as people write it in a spreadsheet: a header row of party codes, then a row per activity with the
/// letters each party holds (`R`, `A/R`, `C`, empty). `spi raci set SPI --from-csv FILE` reads one.
///
/// ```swift
/// let matrix = try RACIMatrix(csv: "activity,NWR,SIAM,FAB\nINC-LOG,C,A,R\nINC-DIAG,,A,R\n")
/// let change = try register.write { store in try store.setRACI(of: "SPI-INC-FAB", to: matrix) }
/// ```
public struct RACIMatrix: Sendable, Hashable {
    /// One activity's row: the activity (a code or id) and, per party of ``parties``, its letters.
    public struct Row: Sendable, Hashable {
        /// The activity, as written in the first column.
        public var activity: String
        /// The letters per party, in the order of ``RACIMatrix/parties`` (each a subset of R, A, C, I).
        public var letters: [Set<String>]
        /// The row's line in the file, for error messages.
        public var line: Int
    }

    /// The parties of the header (codes or ids), in column order.
    public var parties: [String]
    /// The activities' rows, in file order.
    public var rows: [Row]

    /// The RACI letters, in the order they are written.
    public static let letterOrder = ["R", "A", "C", "I"]

    /// Parses CSV (RFC 4180: commas, double quotes, CRLF or LF). The first row is the header: a first cell (any
    /// label, such as `activity`) then one party per column. Each further row is an activity and its cells. A cell
    /// holds letters R, A, C, I in any case, run together or separated by `/`, `+`, `,` or spaces (`A/R`, `AR`);
    /// empty or `-` for none.
    ///
    /// - Throws: `RegisterError.Code.invalidValue` naming the line and column of the first problem.
    public init(csv text: String) throws(RegisterError) {
        let records = try Self.records(text)
        guard let header = records.first, header.fields.count >= 2 else {
            throw RegisterError(
                .invalidValue,
                "the RACI file needs a header row: a first cell such as 'activity', then a party code per column")
        }
        parties = header.fields.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        if let blank = parties.firstIndex(where: \.isEmpty) {
            throw RegisterError(.invalidValue, "line \(header.line), column \(blank + 2): the header names no party")
        }
        var seenParties: Set<String> = []
        for party in parties where !seenParties.insert(party.uppercased()).inserted {
            throw RegisterError(.invalidValue, "line \(header.line): party \(party) has two columns")
        }
        var rows: [Row] = []
        var seenActivities: Set<String> = []
        for record in records.dropFirst() {
            let fields = record.fields
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            let activity = fields[0].trimmingCharacters(in: .whitespaces)
            guard !activity.isEmpty else {
                throw RegisterError(.invalidValue, "line \(record.line): the first cell names no activity")
            }
            guard seenActivities.insert(activity.uppercased()).inserted else {
                throw RegisterError(.invalidValue, "line \(record.line): activity \(activity) has two rows")
            }
            guard fields.count <= parties.count + 1 else {
                throw RegisterError(
                    .invalidValue,
                    "line \(record.line): \(fields.count - 1) cells, but the header names \(parties.count) parties")
            }
            var letters: [Set<String>] = []
            for (index, party) in parties.enumerated() {
                let cell = index + 1 < fields.count ? fields[index + 1] : ""
                do {
                    letters.append(try Self.letters(cell))
                } catch {
                    throw RegisterError(.invalidValue, "line \(record.line), column \(party): \(error.message)")
                }
            }
            rows.append(Row(activity: activity, letters: letters, line: record.line))
        }
        self.rows = rows
    }

    /// The letters of one cell.
    static func letters(_ cell: String) throws(RegisterError) -> Set<String> {
        let text = cell.trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text == "-" { return [] }
        var result: Set<String> = []
        for character in text.uppercased() {
            if "/+, ".contains(character) { continue }
            let letter = String(character)
            guard letterOrder.contains(letter) else {
                throw RegisterError(
                    .invalidValue, "'\(cell)' is not a RACI cell: use the letters R, A, C and I, such as A/R")
            }
            result.insert(letter)
        }
        return result
    }

    /// The records of a CSV text, each with the line it starts on.
    static func records(_ text: String) throws(RegisterError) -> [(fields: [String], line: Int)] {
        var records: [(fields: [String], line: Int)] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var start = 1
        var characters = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
        if characters.first == "\u{FEFF}" { characters.removeFirst() } // a spreadsheet's byte order mark
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < characters.count && characters[i + 1] == "\"" {
                        field.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else {
                switch c {
                case "\"" where field.isEmpty: quoted = true
                case ",":
                    fields.append(field)
                    field = ""
                case "\n":
                    fields.append(field)
                    records.append((fields, start))
                    fields = []
                    field = ""
                    line += 1
                    start = line
                default: field.append(c)
                }
            }
            i += 1
        }
        if quoted { throw RegisterError(.invalidValue, "line \(start): a quoted cell is not closed") }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append((fields, start))
        }
        return records
    }
}

/// What ``RecordStore/setRACI(of:to:)`` or ``RecordStore/copyRACI(from:to:parties:replacing:)`` changed.
public struct RACIChange: Sendable, Hashable {
    /// RACI rows added.
    public var added = 0
    /// RACI rows removed.
    public var removed = 0
    /// RACI rows the matrix asked for that were there already.
    public var unchanged = 0

    /// A change with these counts.
    public init(added: Int = 0, removed: Int = 0, unchanged: Int = 0) {
        self.added = added
        self.removed = removed
        self.unchanged = unchanged
    }
}
