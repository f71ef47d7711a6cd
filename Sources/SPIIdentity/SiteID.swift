public import Foundation

/// The identity of one replica (a "site"): a random UUID chosen when the replica is created.
///
/// Every change carries the site that made it. Sites are ordered by their bytes, which breaks ties between two
/// writes with the same clock deterministically on every replica.
///
/// ```swift
/// let site = SiteID()            // a new random site
/// let same = SiteID("5f1c…")     // parsed from its text form
/// ```
public struct SiteID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 16 bytes of the UUID.
    public let uuid: UUID

    /// A new random site id.
    public init() { self.uuid = UUID() }

    /// Wraps a UUID.
    public init(_ uuid: UUID) { self.uuid = uuid }

    /// Parses the canonical text form; nil when it is not a UUID.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.uuid = uuid
    }

    /// Reads 16 bytes; nil when there are not exactly 16.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        let b = Array(bytes)
        self.uuid = UUID(
            uuid: (
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]
            ))
    }

    /// The 16 bytes, in network order.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: uuid.uuid) { Array($0) }
    }

    /// The lowercase canonical text form.
    public var description: String { uuid.uuidString.lowercased() }

    public static func < (lhs: SiteID, rhs: SiteID) -> Bool {
        // Compared in place: merges compare versions per cell, and `bytes` would allocate twice per comparison.
        withUnsafeBytes(of: lhs.uuid.uuid) { a in
            withUnsafeBytes(of: rhs.uuid.uuid) { b in a.lexicographicallyPrecedes(b) }
        }
    }
}

/// The identity of a register: every replica of one register shares it, and replicas of different registers never
/// exchange changes.
public typealias RegisterID = SiteID
