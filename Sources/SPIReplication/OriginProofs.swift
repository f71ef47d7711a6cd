import Crypto
import Foundation
import SPISQLite

/// Origin proofs: every change carries its origin's signature, so that any node can check who made it, whichever
/// replica or file carried it (protocol/changes.md §7).
///
/// A replica signs each *origin group*: everything it wrote at one clock reading (one write transaction). Each row
/// version and cell version it wrote is an *entry* with a *leaf*, the first 16 bytes of the SHA-256 of its canonical
/// encoding. The group's
/// entries, ordered by row (table name, then row id, bytewise), are cut into *chunks* of about ``chunkSize`` entries
/// (never inside a row); a chunk's digest covers its first and last row and its leaves, and the group's signature
/// covers the digests of all its chunks. A batch proves its entries of a group with the signature, every chunk digest,
/// and, for each chunk its entries fall in, the chunk's range and the leaves of the chunk it does not carry. A relay
/// that holds only part of a group (later writes superseded some of its cells) proves the rest the same way. One
/// signature per transaction, not per cell; a batch's proof grows with the chunks it touches, not with the group.
///
/// ```swift
/// let entries = try OriginProofs.entryLeaves(of: batch)   // (group, row, leaf) per row version and cell
/// ```
enum OriginProofs {
    /// An origin group: a site and the clock of one of its write transactions.
    struct GroupKey: Hashable, Comparable {
        var site: SiteID
        var hlc: UInt64

        static func < (a: GroupKey, b: GroupKey) -> Bool { (a.site, a.hlc) < (b.site, b.hlc) }
    }

    /// A row, by table name and row id: the order of a group's chunks (bytewise on their UTF-8, table first).
    struct RowRef: Hashable, Comparable {
        var table: String
        var id: String

        static func < (a: RowRef, b: RowRef) -> Bool {
            if a.table != b.table { return a.table.utf8.lexicographicallyPrecedes(b.table.utf8) }
            return a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
        }
    }

    /// The length of a leaf: the first 16 bytes of a SHA-256 digest. Forging an entry means finding another encoding
    /// with a signed leaf (a second preimage: 2^128 work); only the signer itself could look for two entries with one
    /// leaf (2^64), and a signer can sign anything anyway.
    static let leafLength = 16

    /// The length of a chunk digest: a SHA-256 digest.
    static let digestLength = 32

    /// A leaf, as two big-endian halves: compared and hashed without touching the heap.
    struct Leaf: Hashable, Comparable {
        var high: UInt64
        var low: UInt64

        /// The leaf of the first 16 bytes of `digest`.
        init(_ digest: some Sequence<UInt8>) {
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (i, byte) in digest.prefix(16).enumerated() {
                if i < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            self.high = high
            self.low = low
        }

        /// The leaf of a SHA-256 digest: its first 16 bytes, read in place.
        init(_ digest: SHA256.Digest) {
            (high, low) = digest.withUnsafeBytes { bytes in
                (
                    UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                    UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                )
            }
        }

        /// Its 16 bytes.
        var bytes: [UInt8] {
            var result: [UInt8] = []
            result.reserveCapacity(16)
            append(to: &result)
            return result
        }

        /// Appends its 16 bytes.
        func append(to bytes: inout [UInt8]) {
            withUnsafeBytes(of: high.bigEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: low.bigEndian) { bytes.append(contentsOf: $0) }
        }

        static func < (a: Leaf, b: Leaf) -> Bool { (a.high, a.low) < (b.high, b.low) }

        /// A placeholder for a leaf not computed.
        static let zero = Leaf(high: 0, low: 0)

        private init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }
    }

    /// The fewest entries a chunk holds before the next row starts a new one (the last chunk may hold fewer).
    static let chunkSize = 512

    /// One entry of a batch (a row version or a cell version) with the group it belongs to, its row and its leaf.
    struct Entry {
        var group: GroupKey
        var row: RowRef
        var leaf: Leaf
        /// The entry's place: its row change's index in the batch, and the cell's index in it (nil: the row version).
        var index: Int
        var cell: Int?
    }

    /// A chunk of a group: its first and last row, and its leaves (distinct, ascending, concatenated).
    struct Chunk {
        var first: RowRef
        var last: RowRef
        var leaves: [UInt8]

        /// Whether `row` lies in the chunk's range.
        func contains(_ row: RowRef) -> Bool { !(row < first) && !(last < row) }

        /// The chunk's digest (protocol/changes.md §7.2).
        var digest: [UInt8] {
            var bytes = Array("SPICHUNK-1\n".utf8)
            for text in [first.table, first.id, last.table, last.id] { LeafEncoder.append(text, to: &bytes) }
            bytes += leaves
            return Array(SHA256.hash(data: bytes))
        }
    }

    /// The leaves of every entry of a batch, in batch order. The batch's references must be in range (a batch from
    /// ``BatchBuilder`` or one that passed ``Replica/validate(_:checkingClocks:)``).
    static func entryLeaves(of batch: Spi_V1_ChangeBatch) throws -> [Entry] {
        try entries(of: batch, leaves: true)
    }

    /// Every entry of a batch, in batch order, with its leaf when `leaves` is true (otherwise a zero leaf, to be
    /// computed with ``leaf(of:in:sites:encoder:)`` where needed: a sender that carries a whole chunk needs none).
    ///
    /// The encoding of a row's leaves starts the same (site, clock, table, row id, causal length): it is written
    /// once per row and version, and each cell's leaf appends only its own part to it.
    ///
    /// - Throws: `ReplicationError.Code.malformed` for a reference out of range.
    static func entries(of batch: Spi_V1_ChangeBatch, leaves: Bool) throws -> [Entry] {
        let sites = try self.sites(of: batch)
        var entries: [Entry] = []
        entries.reserveCapacity(batch.rows.count * 2)
        var encoder = LeafEncoder()
        for (r, row) in batch.rows.enumerated() {
            guard Int(row.table) < batch.tables.count, row.site >= 1, Int(row.site) <= sites.count,
                let id = row.idText
            else { throw ReplicationError(.malformed, "invalid change batch: row \(r) has a reference out of range") }
            let table = batch.tables[Int(row.table)]
            let ref = RowRef(table: table.name, id: id)
            let rowSite = sites[Int(row.site) - 1]
            // The version whose prefix the encoder holds (nil: none of this row yet).
            var prefix: GroupKey?
            if row.rowVersion {
                let group = GroupKey(site: rowSite, hlc: row.hlc)
                var entry = Entry(group: group, row: ref, leaf: .zero, index: r, cell: nil)
                if leaves {
                    encoder.startRow(site: rowSite, hlc: row.hlc, table: table.name, id: id, cl: row.cl)
                    prefix = group
                    entry.leaf = encoder.rowLeaf()
                }
                entries.append(entry)
            }
            for (c, cell) in row.cells.enumerated() {
                guard Int(cell.column) < table.columns.count, Int(cell.site) <= sites.count,
                    Int(cell.priorSite) <= sites.count, let value = cell.value
                else { throw ReplicationError(.malformed, "invalid change batch: row \(r) has a cell out of range") }
                let site = cell.site != 0 ? sites[Int(cell.site) - 1] : rowSite
                let hlc = cell.hlc != 0 ? cell.hlc : row.hlc
                let group = GroupKey(site: site, hlc: hlc)
                var entry = Entry(group: group, row: ref, leaf: .zero, index: r, cell: c)
                if leaves {
                    if prefix != group {
                        encoder.startRow(site: site, hlc: hlc, table: table.name, id: id, cl: row.cl)
                        prefix = group
                    }
                    entry.leaf = encoder.cellLeaf(
                        column: table.columns[Int(cell.column)], value: value, priorHLC: cell.priorHlc,
                        priorSite: cell.priorSite != 0 ? sites[Int(cell.priorSite) - 1] : nil)
                }
                entries.append(entry)
            }
        }
        return entries
    }

    /// A batch's sites, in number order.
    static func sites(of batch: Spi_V1_ChangeBatch) throws -> [SiteID] {
        try batch.sites.map { bytes in
            guard let site = SiteID(bytes: bytes) else {
                throw ReplicationError(.malformed, "invalid change batch: a site id of \(bytes.count) bytes")
            }
            return site
        }
    }

    /// The leaf of one entry of `batch` (made by ``entries(of:leaves:)``, so its references are in range).
    static func leaf(of entry: Entry, in batch: Spi_V1_ChangeBatch, sites: [SiteID], encoder: inout LeafEncoder) -> Leaf
    {
        let row = batch.rows[entry.index]
        let table = batch.tables[Int(row.table)]
        guard let c = entry.cell else {
            return encoder.rowLeaf(
                site: entry.group.site, hlc: entry.group.hlc, table: table.name, id: entry.row.id, cl: row.cl)
        }
        let cell = row.cells[c]
        encoder.startRow(site: entry.group.site, hlc: entry.group.hlc, table: table.name, id: entry.row.id, cl: row.cl)
        return encoder.cellLeaf(
            column: table.columns[Int(cell.column)], value: cell.value ?? .null(true), priorHLC: cell.priorHlc,
            priorSite: cell.priorSite != 0 ? sites[Int(cell.priorSite) - 1] : nil)
    }

    /// Cuts a group's entries into chunks: by row, in row order, a new chunk starting at the first row after
    /// ``chunkSize`` entries.
    static func chunks(of entries: [(row: RowRef, leaf: Leaf)]) -> [Chunk] {
        // A delta reads a row's entries together: runs of consecutive entries of one row, sorted by row, instead of
        // hashing every entry's row. Runs of one row end up next to each other and count as one row.
        var runs: [(row: RowRef, entries: Range<Int>)] = []
        for (index, entry) in entries.enumerated() {
            if let last = runs.last, last.row == entry.row {
                runs[runs.count - 1].entries = last.entries.lowerBound..<index + 1
            } else {
                runs.append((entry.row, index..<index + 1))
            }
        }
        runs.sort { $0.row < $1.row }
        var chunks: [Chunk] = []
        var current: (first: RowRef, last: RowRef, leaves: [Leaf])?
        for run in runs {
            if let open = current, open.last != run.row, open.leaves.count >= chunkSize {
                chunks.append(Chunk(first: open.first, last: open.last, leaves: sortedLeaves(open.leaves)))
                current = nil
            }
            if current == nil { current = (run.row, run.row, []) }
            current!.last = run.row
            current!.leaves += entries[run.entries].lazy.map(\.leaf)
        }
        if let open = current {
            chunks.append(Chunk(first: open.first, last: open.last, leaves: sortedLeaves(open.leaves)))
        }
        return chunks
    }

    /// The bytes a group's signature covers: a domain tag, the register, the site, the clock, and the SHA-256 of the
    /// group's chunk digests in chunk order.
    static func groupMessage(register: RegisterID, group: GroupKey, chunkDigests: [UInt8]) -> [UInt8] {
        var message = Array("SPIGRP-1\n".utf8)
        message += register.bytes
        message += group.site.bytes
        LeafEncoder.append(group.hlc, to: &message)
        message += Array(SHA256.hash(data: chunkDigests))
        return message
    }

    /// The distinct leaves of a set, in ascending byte order, concatenated (sorted, then each copy after the first
    /// skipped: no hashing).
    static func sortedLeaves(_ leaves: some Sequence<Leaf>) -> [UInt8] {
        var sorted = Array(leaves)
        sorted.sort()
        var result: [UInt8] = []
        result.reserveCapacity(sorted.count * leafLength)
        var previous: Leaf?
        for leaf in sorted where leaf != previous {
            leaf.append(to: &result)
            previous = leaf
        }
        return result
    }

    /// Splits concatenated leaves; nil when the length is not a multiple of a leaf's.
    static func split(_ bytes: some Collection<UInt8>) -> [Leaf]? {
        guard bytes.count % leafLength == 0 else { return nil }
        let array = Array(bytes)
        return stride(from: 0, to: array.count, by: leafLength).map { Leaf(array[$0..<$0 + leafLength]) }
    }
}

/// Builds the canonical encoding of leaves (protocol/changes.md §7.1) in one reused buffer.
///
/// The part every entry of a row at one version shares (the site, the clock, the table, the row id and the causal
/// length) is written once, by ``startRow(site:hlc:table:id:cl:)``; ``rowLeaf()`` and
/// ``cellLeaf(column:value:priorHLC:priorSite:)`` then write only the kind and their own part.
struct LeafEncoder {
    private var buffer: [UInt8] = []
    /// The length of the shared part in `buffer`.
    private var prefixLength = 0

    init() { buffer.reserveCapacity(256) }

    /// The offset of the kind byte, right after the tag.
    private static let kindOffset = 10

    /// Starts the leaves of one row at one version: writes the part they share.
    mutating func startRow(site: SiteID, hlc: UInt64, table: String, id: String, cl: UInt64) {
        buffer.removeAll(keepingCapacity: true)
        buffer += Self.tag
        buffer.append(0) // the kind, set by each leaf
        withUnsafeBytes(of: site.uuid.uuid) { buffer.append(contentsOf: $0) }
        Self.append(hlc, to: &buffer)
        Self.append(table, to: &buffer)
        Self.append(id, to: &buffer)
        Self.append(cl, to: &buffer)
        prefixLength = buffer.count
    }

    /// The leaf of the row version of the row started last: its causal-length change.
    mutating func rowLeaf() -> OriginProofs.Leaf {
        buffer.removeSubrange(prefixLength...)
        buffer[Self.kindOffset] = 1
        return digest()
    }

    /// The leaf of a cell version of the row started last, with the value as a batch carries it (a NaN real is read
    /// as NULL, protocol/changes.md §4).
    mutating func cellLeaf(
        column: String, value: Spi_V1_CellChange.OneOf_Value, priorHLC: UInt64, priorSite: SiteID?
    ) -> OriginProofs.Leaf {
        buffer.removeSubrange(prefixLength...)
        buffer[Self.kindOffset] = 2
        Self.append(column, to: &buffer)
        switch value {
        case .null: buffer.append(0)
        case .integer(let i):
            buffer.append(1)
            Self.append(UInt64(bitPattern: i), to: &buffer)
        case .real(let d) where d.isNaN: buffer.append(0)
        case .real(let d):
            buffer.append(2)
            Self.append(d.bitPattern, to: &buffer)
        case .text(let s):
            buffer.append(3)
            Self.append(s, to: &buffer)
        case .blob(let b):
            buffer.append(4)
            Self.append(UInt32(truncatingIfNeeded: b.count), to: &buffer)
            buffer.append(contentsOf: b)
        }
        return finishCell(priorHLC: priorHLC, priorSite: priorSite)
    }

    /// The leaf of a row version.
    mutating func rowLeaf(site: SiteID, hlc: UInt64, table: String, id: String, cl: UInt64) -> OriginProofs.Leaf {
        startRow(site: site, hlc: hlc, table: table, id: id, cl: cl)
        return rowLeaf()
    }

    /// The leaf of a cell version.
    mutating func cellLeaf(
        site: SiteID, hlc: UInt64, table: String, id: String, cl: UInt64, column: String, value: DatabaseValue,
        priorHLC: UInt64, priorSite: SiteID?
    ) -> OriginProofs.Leaf {
        startRow(site: site, hlc: hlc, table: table, id: id, cl: cl)
        buffer[Self.kindOffset] = 2
        Self.append(column, to: &buffer)
        switch value {
        case .null:
            buffer.append(0)
        case .integer(let i):
            buffer.append(1)
            Self.append(UInt64(bitPattern: i), to: &buffer)
        case .real(let d):
            buffer.append(2)
            Self.append(d.bitPattern, to: &buffer)
        case .text(let s):
            buffer.append(3)
            Self.append(s, to: &buffer)
        case .blob(let b):
            buffer.append(4)
            Self.append(UInt32(truncatingIfNeeded: b.count), to: &buffer)
            buffer += b
        }
        return finishCell(priorHLC: priorHLC, priorSite: priorSite)
    }

    private mutating func finishCell(priorHLC: UInt64, priorSite: SiteID?) -> OriginProofs.Leaf {
        Self.append(priorHLC, to: &buffer)
        if let priorSite {
            withUnsafeBytes(of: priorSite.uuid.uuid) { buffer.append(contentsOf: $0) }
        } else {
            buffer.append(contentsOf: repeatElement(0, count: 16))
        }
        return digest()
    }

    private func digest() -> OriginProofs.Leaf { OriginProofs.Leaf(SHA256.hash(data: buffer)) }

    private static let tag = Array("SPILEAF-1\n".utf8)

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    static func append(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = text.utf8
        append(UInt32(truncatingIfNeeded: utf8.count), to: &bytes)
        bytes += utf8
    }
}
