/// A hybrid logical clock reading: milliseconds since 1970 in the high 48 bits, a logical counter in the low 16.
///
/// Every change a site stamps gets a reading strictly greater than any reading the site has made or seen, and close
/// to wall-clock time, so that "the later edit wins" means what users expect even across machines whose clocks
/// differ a little. A reading too far ahead of local time is refused (see ``Replica/maximumClockDrift``), so that a
/// peer with a broken clock cannot win every future conflict.
///
/// ```swift
/// let next = HybridLogicalClock.next(after: last, nowMilliseconds: 1_764_410_000_000)
/// next.physicalMilliseconds   // ≥ 1_764_410_000_000
/// ```
public struct HybridLogicalClock: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed 64-bit value, as stored and sent.
    public var rawValue: UInt64

    /// Wraps a packed value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// A reading at a wall-clock time, with a zero counter.
    public init(milliseconds: UInt64, counter: UInt16 = 0) {
        self.rawValue = (milliseconds << 16) | UInt64(counter)
    }

    /// The zero reading, older than every real one.
    public static let zero = HybridLogicalClock(rawValue: 0)

    /// The wall-clock part, in milliseconds since 1970.
    public var physicalMilliseconds: UInt64 { rawValue >> 16 }

    /// The logical counter that orders readings within one millisecond.
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// The next reading after `last`: the wall clock when it has moved on, else one tick more.
    public static func next(after last: HybridLogicalClock, nowMilliseconds: UInt64) -> HybridLogicalClock {
        HybridLogicalClock(rawValue: max(nowMilliseconds << 16, last.rawValue &+ 1))
    }

    public static func < (lhs: HybridLogicalClock, rhs: HybridLogicalClock) -> Bool { lhs.rawValue < rhs.rawValue }

    /// ISO 8601 time with milliseconds, then the counter: `2026-11-29T10:27:59.123Z#0`.
    public var description: String {
        let millis = physicalMilliseconds
        let seconds = millis / 1000
        let days = Int64(seconds / 86_400)
        let secondOfDay = Int(seconds % 86_400)
        let (y, m, d) = Self.civilDate(fromDays: days)
        func pad(_ v: Int, _ w: Int) -> String {
            String(repeating: "0", count: max(0, w - String(v).count)) + String(v)
        }
        return
            "\(pad(Int(y), 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2))"
            + ":\(pad(secondOfDay % 60, 2)).\(pad(Int(millis % 1000), 3))Z#\(counter)"
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm): year, month, day. The one
    /// copy of the algorithm: the register's `CivilDate` uses it too.
    package static func civilDate(fromDays days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
