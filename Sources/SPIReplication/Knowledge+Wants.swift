import Foundation

extension Knowledge {
    /// The most wants one knowledge carries; a replica with more refusal marks names the newest (protocol/changes.md
    /// §8.3).
    public static let wantLimit = 1_024

    /// A cell or row whose value at the replica that sends this knowledge may be older than an accepted version other
    /// replicas hold: a version that superseded it at its origin was refused there (a refusal mark, protocol/changes.md
    /// §8). A sender answers it with its own version of the cell or row when that lies strictly between ``held`` and
    /// ``mark``.
    public struct Want: Sendable, Hashable {
        /// The replicated table.
        public var table: String
        /// The row id, as text.
        public var id: String
        /// The column; nil for the row's life (its causal length and row version).
        public var column: String?
        /// The version the wanting replica holds (``Version/zero`` for none).
        public var held: Version
        /// The row's causal length at the wanting replica (0: no row).
        public var heldCausalLength: UInt64
        /// The newest version the wanting replica refused.
        public var mark: Version
        /// For a row want: the refused change's causal length.
        public var markCausalLength: UInt64

        /// A want, as ``Replica/knowledge()`` makes them.
        public init(
            table: String, id: String, column: String?, held: Version, heldCausalLength: UInt64 = 0, mark: Version,
            markCausalLength: UInt64 = 0
        ) {
            self.table = table
            self.id = id
            self.column = column
            self.held = held
            self.heldCausalLength = heldCausalLength
            self.mark = mark
            self.markCausalLength = markCausalLength
        }

        /// Whether a version `version` of the cell or row (in a row of causal length `causalLength`) lies strictly
        /// between what the wanting replica holds and what it refused: one it may lack.
        public func answers(_ version: Version, causalLength: UInt64) -> Bool {
            let row = column == nil
            // A cell of the same life of the row only: another life's cells come with that life.
            guard row || causalLength == heldCausalLength else { return false }
            let candidate = (version, causalLength)
            return Self.precedes((held, heldCausalLength), candidate, row: row)
                && Self.precedes(candidate, (mark, markCausalLength), row: row)
        }

        /// The order of the versions a want or a refusal mark compares: a row's life by (causal length, version), a
        /// cell by its version alone.
        static func precedes(
            _ a: (version: Version, causalLength: UInt64), _ b: (version: Version, causalLength: UInt64), row: Bool
        ) -> Bool {
            row ? (a.causalLength, a.version) < (b.causalLength, b.version) : a.version < b.version
        }

        /// The wire form.
        var proto: Spi_V1_Want {
            var message = Spi_V1_Want()
            message.table = table
            message.id = id
            message.column = column ?? ""
            message.heldSite = held.site.map { Data($0.bytes) } ?? Data()
            message.heldHlc = held.clock.rawValue
            message.heldCl = heldCausalLength
            message.markSite = Data(mark.site?.bytes ?? [])
            message.markHlc = mark.clock.rawValue
            message.markCl = markCausalLength
            return message
        }

        /// Reads the wire form.
        ///
        /// - Throws: `ReplicationError.Code.malformed` for a site id that is not 16 bytes (or an empty marked
        ///   site), an empty table or id, or names longer than 512 bytes.
        init(proto: Spi_V1_Want) throws {
            func malformed(_ what: String) -> ReplicationError {
                ReplicationError(.malformed, "knowledge carries a want with \(what)")
            }
            guard !proto.table.isEmpty, proto.table.utf8.count <= 512, !proto.id.isEmpty, proto.id.utf8.count <= 512,
                proto.column.utf8.count <= 512
            else { throw malformed("an empty or over-long table, id or column name") }
            var heldSite: SiteID?
            if !proto.heldSite.isEmpty {
                guard let site = SiteID(bytes: proto.heldSite) else {
                    throw malformed("a held site id of \(proto.heldSite.count) bytes")
                }
                heldSite = site
            }
            guard let markSite = SiteID(bytes: proto.markSite) else {
                throw malformed("a refused site id of \(proto.markSite.count) bytes")
            }
            self.init(
                table: proto.table, id: proto.id, column: proto.column.isEmpty ? nil : proto.column,
                held: Version(clock: HybridLogicalClock(rawValue: proto.heldHlc), site: heldSite),
                heldCausalLength: proto.heldCl,
                mark: Version(clock: HybridLogicalClock(rawValue: proto.markHlc), site: markSite),
                markCausalLength: proto.markCl)
        }
    }
}
