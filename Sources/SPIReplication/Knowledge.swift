import Foundation

/// What a replica has seen: per origin site, the newest clock reading whose changes it holds.
///
/// "Holds" means: for every change that site made with a clock up to the reading, the replica has that change or a
/// newer one that supersedes it. Knowledge is what one replica sends another so that the other can compute exactly
/// the changes missing from it, including changes that reached it through a relay.
///
/// ```swift
/// let mine = try replica.knowledge()
/// let missing = try other.exportChanges(since: mine)   // only what `replica` lacks
/// ```
public struct Knowledge: Sendable, Hashable {
    /// Per origin site, the newest clock reading covered.
    public var clocks: [SiteID: UInt64]
    /// Cells and rows this replica may hold at an older version than other replicas, because it refused the version
    /// that superseded it at its origin: a sender answers them even below ``clocks`` (protocol/changes.md §8).
    public var wants: [Want] = []

    /// Empty knowledge: nothing seen.
    public init() { self.clocks = [:] }

    /// Knowledge from explicit readings.
    public init(_ clocks: [SiteID: UInt64]) { self.clocks = clocks }

    /// The reading covered for `site` (0 when none).
    public subscript(site: SiteID) -> UInt64 {
        get { clocks[site] ?? 0 }
        set { clocks[site] = newValue }
    }

    /// Whether this knowledge covers the change `site` made at `clock`.
    public func covers(site: SiteID, clock: UInt64) -> Bool { self[site] >= clock }

    /// Whether every reading here is at least the other's.
    public func includes(_ other: Knowledge) -> Bool {
        other.clocks.allSatisfy { self[$0.key] >= $0.value }
    }

    /// The pointwise maximum of two knowledges (without wants).
    public func merging(_ other: Knowledge) -> Knowledge {
        Knowledge(clocks.merging(other.clocks, uniquingKeysWith: max))
    }

    /// The wire form, with entries sorted by site so that equal knowledge encodes to equal bytes.
    package var proto: Spi_V1_Knowledge {
        var message = Spi_V1_Knowledge()
        message.entries = clocks.sorted { $0.key < $1.key }.map { site, clock in
            var entry = Spi_V1_Coverage()
            entry.site = Data(site.bytes)
            entry.hlc = clock
            return entry
        }
        message.wants = wants.map(\.proto)
        return message
    }

    /// Reads the wire form.
    ///
    /// - Throws: `ReplicationError.Code.malformed` when a site id is not 16 bytes.
    package init(proto: Spi_V1_Knowledge) throws {
        var clocks: [SiteID: UInt64] = [:]
        for entry in proto.entries {
            guard let site = SiteID(bytes: entry.site) else {
                throw ReplicationError(.malformed, "knowledge names a site id of \(entry.site.count) bytes, not 16")
            }
            clocks[site] = max(clocks[site] ?? 0, entry.hlc)
        }
        self.clocks = clocks
        guard proto.wants.count <= Self.wantLimit else {
            throw ReplicationError(
                .malformed, "knowledge carries \(proto.wants.count) wants, more than \(Self.wantLimit)")
        }
        self.wants = try proto.wants.map(Want.init(proto:))
    }
}

extension Knowledge: CustomStringConvertible {
    /// One `site: reading` pair a line, sorted by site.
    public var description: String {
        clocks.sorted { $0.key < $1.key }.map { "\($0.key): \(HybridLogicalClock(rawValue: $0.value))" }
            .joined(separator: "\n")
    }
}
