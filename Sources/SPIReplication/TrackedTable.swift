import SPISQLite

/// A replicated table: its local number, its columns in capture order, and their declared types.
///
/// Column numbers are stable for the life of the replica: a column added by a later migration is appended, so the
/// bitmask that the update trigger writes keeps its meaning.
struct TrackedTable {
    /// The column facts needed to validate incoming values.
    struct Column {
        var name: String
        /// The declared type in upper case (`TEXT`, `INTEGER`, `REAL`, `BLOB`, `ANY`, or empty).
        var type: String
        var notNull: Bool
        /// False for a column that was tracked once and has since been dropped from the table.
        var isLive = true

        /// Whether the column has no fixed type (`ANY`, or none), so that it can switch between 1 and 1.0: change
        /// capture then counts a change of storage class alone as a change.
        var hasNoFixedType: Bool { type == "ANY" || type.isEmpty }

        /// Which storage classes the column takes under STRICT typing: integer, real, text, blob (bits 0–3).
        var storageClasses: UInt8 {
            switch type {
            case "INTEGER", "INT": return 0b0001
            case "REAL": return 0b0011
            case "TEXT": return 0b0100
            case "BLOB": return 0b1000
            case "ANY", "": return 0b1111
            default: return 0
            }
        }
    }

    /// The local table number (`_spi_table.idx`).
    var index: Int64
    var name: String
    /// Every column but `id`, in capture order.
    var columns: [Column]
    var columnIndex: [String: Int]

    /// `SELECT <columns in capture order> FROM t WHERE id = ?` (a dropped column reads as NULL).
    let selectRowSQL: String
    /// Per column, `SELECT <column> FROM t WHERE id = ?`.
    let selectCellSQL: [String]
    /// Per column, `UPDATE t SET <column> = ? WHERE id = ?`.
    let updateCellSQL: [String]
    let existsSQL: String
    let deleteSQL: String
    /// Per column, ``Column/storageClasses`` (0 for a dropped column), computed once: validation checks every cell.
    let accepted: [UInt8]
    /// Per column, whether it is NOT NULL.
    let notNull: [Bool]

    init(index: Int64, name: String, columns: [Column]) {
        self.index = index
        self.name = name
        self.columns = columns
        self.columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1.name, $0) })
        let t = Self.quote(name)
        let list = columns.map { $0.isLive ? Self.quote($0.name) : "NULL" }
        selectRowSQL = "SELECT \(list.isEmpty ? "1" : list.joined(separator: ", ")) FROM \(t) WHERE id = ?"
        selectCellSQL = list.map { "SELECT \($0) FROM \(t) WHERE id = ?" }
        updateCellSQL = columns.map { "UPDATE \(t) SET \(Self.quote($0.name)) = ? WHERE id = ?" }
        existsSQL = "SELECT 1 FROM \(t) WHERE id = ?"
        deleteSQL = "DELETE FROM \(t) WHERE id = ?"
        accepted = columns.map { $0.isLive ? $0.storageClasses : 0 }
        notNull = columns.map(\.notNull)
    }

    /// `INSERT INTO t(id, <columns>) VALUES (?, …)` for the given column numbers.
    func insertSQL(columns numbers: [Int]) -> String {
        let names = ["id"] + numbers.map { Self.quote(columns[$0].name) }
        let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
        return "INSERT INTO \(Self.quote(name)) (\(names.joined(separator: ", "))) VALUES (\(marks))"
    }
    /// `UPDATE t SET <column> = ?, … WHERE id = ?` for the given column numbers (the id is the last parameter).
    func updateSQL(columns numbers: [Int]) -> String {
        let assignments = numbers.map { "\(Self.quote(columns[$0].name)) = ?" }.joined(separator: ", ")
        return "UPDATE \(Self.quote(name)) SET \(assignments) WHERE id = ?"
    }

    /// The mask with every column's bit set.
    var allColumnsMask: Int64 { columns.count >= 63 ? -1 : (Int64(1) << Int64(columns.count)) - 1 }

    /// Whether `value` may be stored in column `index` of this table (STRICT typing, NOT NULL).
    func accepts(_ value: DatabaseValue, column index: Int) -> Bool {
        let classes = accepted[index]
        guard columns[index].isLive else { return false }
        switch value {
        case .null: return !notNull[index]
        case .integer: return classes & 0b0001 != 0
        case .real: return classes & 0b0010 != 0
        case .text: return classes & 0b0100 != 0
        case .blob: return classes & 0b1000 != 0
        }
    }

    /// The column list quoted for SQL.
    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
