/// A total, deterministic order over SQLite values.
///
/// It follows SQLite's own sort order for mixed types: NULL, then numbers, then text, then blobs.
/// - Integers and reals compare by numeric value; when equal (`1` and `1.0`), the integer sorts first.
/// - Reals that compare equal but differ in bits (`0.0` and `-0.0`) sort by their bit pattern.
/// - Text and blobs compare bytewise (SQLite's BINARY collation).
///
/// Every replica computes the same order, so a merge that must choose between two values chooses the same one
/// everywhere.
extension DatabaseValue: Comparable {
    private var typeRank: Int {
        switch self {
        case .null: 0
        case .integer, .real: 1
        case .text: 2
        case .blob: 3
        }
    }

    public static func < (lhs: DatabaseValue, rhs: DatabaseValue) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// Three-way comparison: negative, zero or positive.
    public static func compare(_ lhs: DatabaseValue, _ rhs: DatabaseValue) -> Int {
        let (l, r) = (lhs.typeRank, rhs.typeRank)
        if l != r { return l < r ? -1 : 1 }
        switch (lhs, rhs) {
        case (.null, .null):
            return 0
        case (.integer(let a), .integer(let b)):
            return a == b ? 0 : (a < b ? -1 : 1)
        case (.real(let a), .real(let b)):
            if a < b { return -1 }
            if a > b { return 1 }
            let (ba, bb) = (a.bitPattern, b.bitPattern)
            return ba == bb ? 0 : (ba < bb ? -1 : 1)
        case (.integer(let a), .real(let b)):
            return -compareReal(b, toInteger: a)
        case (.real(let a), .integer(let b)):
            return compareReal(a, toInteger: b)
        case (.text(let a), .text(let b)):
            return compareBytes(Array(a.utf8), Array(b.utf8))
        case (.blob(let a), .blob(let b)):
            return compareBytes(a, b)
        default:
            return 0 // unreachable: equal ranks are handled above
        }
    }

    /// Compares a real to an integer exactly, without rounding the integer to a double.
    /// On numeric equality the integer sorts first, so the result is then `1` (the real sorts after).
    private static func compareReal(_ real: Double, toInteger int: Int64) -> Int {
        if real.isNaN { return -1 }
        if real < -9.223372036854775808e18 { return -1 } // below Int64.min (-2^63, exact as a double)
        if real >= 9.223372036854775808e18 { return 1 } // at or above 2^63
        let truncated = real.rounded(.down)
        let whole = Int64(truncated)
        if whole < int { return -1 }
        if whole > int { return 1 }
        return 1 // equal whole parts: either the real has a fraction, or they are equal and the integer sorts first
    }

    private static func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        var i = 0
        while i < n {
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
            i += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
