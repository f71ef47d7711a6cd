/// The version of a value: the clock reading at which a site wrote it.
///
/// Versions are totally ordered by clock, then by site id, so every replica picks the same winner between two
/// writes. ``zero`` is older than every real write: it marks values no site has written (seeded reference data,
/// defaults).
public struct Version: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// When the value was written.
    public var clock: HybridLogicalClock
    /// Who wrote it; nil only for ``zero``.
    public var site: SiteID?

    /// A version written by `site` at `clock`.
    public init(clock: HybridLogicalClock, site: SiteID?) {
        self.clock = clock
        self.site = site
    }

    /// The version of values nobody has written.
    public static let zero = Version(clock: .zero, site: nil)

    /// Whether this is ``zero``.
    public var isZero: Bool { clock == .zero && site == nil }

    public static func < (lhs: Version, rhs: Version) -> Bool {
        if lhs.clock != rhs.clock { return lhs.clock < rhs.clock }
        switch (lhs.site, rhs.site) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let a?, let b?): return a < b
        }
    }

    public var description: String { isZero ? "zero" : "\(clock)@\(site!)" }
}
