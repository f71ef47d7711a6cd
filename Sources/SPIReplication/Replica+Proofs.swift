import Foundation
import SPISQLite

/// A group's proof as checked by a receiver, ready to be stored so that this replica can relay the group's changes.
struct VerifiedGroup {
    var key: OriginProofs.GroupKey
    var signature: [UInt8]
    /// The digests of all the group's chunks, in chunk order, concatenated.
    var digests: [UInt8]
    /// The chunks the batch proved, by index, with their leaves.
    var chunks: [(index: Int, chunk: OriginProofs.Chunk)]
    /// The site's public key, when the batch carried it.
    var publicKey: [UInt8]?
    /// What the receiver held of the group before: nothing, the same signature, or another one. Another valid
    /// signature of the same site at the same clock means that two replicas signed with one key.
    var stored: Stored = .none

    /// What a receiver held of a group before a batch brought it.
    enum Stored { case none, same, other }
}

extension Replica {
    /// Signs every origin group of this replica not signed yet (protocol/changes.md §7.2): per clock reading, the
    /// leaves of every row version and cell version it still holds at that reading, as a delta would send them.
    ///
    /// Deltas do not call it: they sign the groups a batch carries as they make the batch
    /// (``signGroups(carriedBy:_:)``), so that the first batch leaves without waiting for the rest, and local writes
    /// pay nothing for it. A key rotation calls it before the old key goes. Without a ``signer`` nothing is signed
    /// (and receivers that require origin proofs refuse this replica's changes).
    func signPendingGroups(_ db: Connection) throws {
        guard signer != nil, let (_, newest) = try unsignedRange(db) else { return }
        try signGroups(through: newest, db)
    }

    /// Signs the groups of this replica's own that `batch` carries and that are not signed yet, then those behind
    /// the delta: up to the batch's coverage of this replica's site, every group the delta sends it has sent, so the
    /// mark below which every group is signed (`proof.signed`) moves with the delta.
    ///
    /// Call it inside the write transaction that made the batch, after stamping pending writes: no other connection
    /// can then commit a change between reading the batch and signing what it carries, and every group it reads is
    /// closed (its transaction committed and stamped, under a clock no later write takes). A group signed already is
    /// never signed again, so each keeps the one signature its changes left with.
    func signGroups(carriedBy batch: Spi_V1_ChangeBatch, _ db: Connection) throws {
        guard signer != nil else { return }
        let mark = try signedMark(db)
        var covered = mark
        var clocks: Set<Int64> = []
        if let position = batch.sites.firstIndex(of: Data(siteID.bytes)) {
            let own = UInt32(position + 1)
            for row in batch.rows {
                if row.rowVersion && row.site == own { clocks.insert(Int64(bitPattern: row.hlc)) }
                for cell in row.cells where (cell.site != 0 ? cell.site : row.site) == own {
                    clocks.insert(Int64(bitPattern: cell.hlc != 0 ? cell.hlc : row.hlc))
                }
            }
            for coverage in batch.covers where coverage.site == Data(siteID.bytes) {
                covered = max(covered, Int64(bitPattern: coverage.hlc))
            }
        }
        for clock in clocks.sorted() where clock > mark {
            if try !isGroupStored(clock, db) { try signGroup(clock, db) }
        }
        try signGroups(through: covered, db)
    }

    /// Signs this replica's groups not signed yet with clocks up to `limit`, in clock order, and moves the mark below
    /// which every group is signed (`proof.signed`) past them and past the groups above them signed already (by a
    /// delta that carried them). Two index lookups find each group; each group is read and signed on its own.
    private func signGroups(through limit: Int64, _ db: Connection) throws {
        let start = try signedMark(db)
        var mark = start
        var signed = 0
        while let clock = try nextOwnClock(after: mark, db) {
            if try !isGroupStored(clock, db) {
                guard clock <= limit else { break }
                if try signGroup(clock, db) { signed += 1 }
            }
            mark = clock
        }
        guard mark > start else { return }
        try db.execute(
            "INSERT INTO _spi_meta(key, value) VALUES ('proof.signed', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [.integer(mark)])
        if signed > 0 { logger.debug("signed origin groups", metadata: ["proof.groups": "\(signed)"]) }
    }

    /// Signs one group of this replica's own: the entries it holds at `clock`, as a delta sends them, cut into
    /// chunks (protocol/changes.md §7.2). Returns false when it holds none that can be sent (then there is nothing to
    /// sign: every entry was superseded, or holds a value no delta sends).
    @discardableResult
    private func signGroup(_ clock: Int64, _ db: Connection) throws -> Bool {
        guard let signer else { return false }
        try checkSigner(signer)
        var since = Knowledge()
        since[siteID] = UInt64(bitPattern: clock - 1)
        var cursor = DeltaCursor(peer: since, sites: [siteID])
        var entries: [(row: OriginProofs.RowRef, leaf: OriginProofs.Leaf)] = []
        while true {
            var builder = BatchBuilder()
            let finished = try fill(&builder, site: siteID, cursor: &cursor, budget: 8192, through: clock, db)
            for entry in try OriginProofs.entryLeaves(of: builder.batch)
            where entry.group.hlc == UInt64(bitPattern: clock) {
                entries.append((entry.row, entry.leaf))
            }
            if finished { break }
        }
        guard !entries.isEmpty else { return false }
        try db.cached("INSERT OR IGNORE INTO _spi_key(site, key) VALUES (?, ?)").execute(binding: { s in
            try s.bind(.integer(Self.ownSiteIndex), at: 1)
            try s.bind(.blob(signer.publicKeyDER), at: 2)
        })
        let group = OriginProofs.GroupKey(site: siteID, hlc: UInt64(bitPattern: clock))
        let chunks = OriginProofs.chunks(of: entries)
        let digests = chunks.flatMap(\.digest)
        let signature = try signer.sign(
            OriginProofs.groupMessage(register: registerID, group: group, chunkDigests: digests))
        try storeProof(
            VerifiedGroup(
                key: group, signature: signature, digests: digests,
                chunks: Array(chunks.enumerated().map { ($0.offset, $0.element) })),
            db)
        return true
    }

    /// The mark below which every group of this replica's own is signed (or holds nothing to sign): `proof.signed`.
    private func signedMark(_ db: Connection) throws -> Int64 {
        try db.scalar("SELECT value FROM _spi_meta WHERE key = 'proof.signed'")?.integerValue ?? 0
    }

    /// The clock of this replica's next group after `clock`: its oldest row or cell version past it (nil: none).
    private func nextOwnClock(after clock: Int64, _ db: Connection) throws -> Int64? {
        try db.scalar(
            """
            SELECT min(h) FROM (SELECT min(hlc) AS h FROM _spi_row WHERE site = ?1 AND hlc > ?2
                UNION ALL SELECT min(hlc) FROM _spi_clock WHERE site = ?1 AND hlc > ?2)
            """, [.integer(Self.ownSiteIndex), .integer(clock)])?.integerValue
    }

    /// Whether this replica holds a proof of its own group at `clock`.
    private func isGroupStored(_ clock: Int64, _ db: Connection) throws -> Bool {
        try db.scalar(
            "SELECT EXISTS (SELECT 1 FROM _spi_group WHERE site = ? AND hlc = ?)",
            [.integer(Self.ownSiteIndex), .integer(clock)]) == .integer(1)
    }

    /// Whether this replica has a ``signer`` and changes of its own it may not have signed yet: any past the mark
    /// below which every group is signed. A delta that may carry them makes its batches under the write lock.
    func hasGroupsToSign(_ db: Connection) throws -> Bool {
        guard signer != nil else { return false }
        return try unsignedRange(db) != nil
    }

    /// The clocks of this replica's own changes past the mark below which every group is signed, up to the newest (nil
    /// when there are none). Three index lookups.
    private func unsignedRange(_ db: Connection) throws -> (signed: Int64, newest: Int64)? {
        let own = DatabaseValue.integer(Self.ownSiteIndex)
        let signed = try signedMark(db)
        let newestRow = try db.scalar("SELECT max(hlc) FROM _spi_row WHERE site = ?", [own])?.integerValue ?? 0
        let newestCell = try db.scalar("SELECT max(hlc) FROM _spi_clock WHERE site = ?", [own])?.integerValue ?? 0
        let newest = max(newestRow, newestCell)
        return newest > signed ? (signed, newest) : nil
    }

    /// A stored group's signature and chunk digests.
    func storedGroup(_ key: OriginProofs.GroupKey, _ db: Connection) throws -> (signature: [UInt8], digests: [UInt8])? {
        let stmt = try db.cached(
            "SELECT g.signature, g.digests FROM _spi_group g JOIN _spi_site s ON s.idx = g.site WHERE s.site = ? AND g.hlc = ?"
        )
        try stmt.bind(.blob(key.site.bytes), at: 1)
        try stmt.bind(.integer(Int64(bitPattern: key.hlc)), at: 2)
        defer { stmt.reset() }
        guard try stmt.step(), let signature = stmt.blob(0), let digests = stmt.blob(1) else { return nil }
        return (signature, digests)
    }

    /// The chunks of a stored group this replica holds, by index, without their leaves (empty `leaves`).
    func storedChunkRanges(_ key: OriginProofs.GroupKey, _ db: Connection) throws -> [(
        index: Int, chunk: OriginProofs.Chunk
    )] {
        try db.rows(
            """
            SELECT c.idx, c.first_table, c.first_id, c.last_table, c.last_id FROM _spi_group_chunk c
            JOIN _spi_site s ON s.idx = c.site WHERE s.site = ? AND c.hlc = ? ORDER BY c.idx
            """, [.blob(key.site.bytes), .integer(Int64(bitPattern: key.hlc))]
        ).map { row in
            let first = OriginProofs.RowRef(table: row[1].textValue ?? "", id: row[2].textValue ?? "")
            let last = OriginProofs.RowRef(table: row[3].textValue ?? "", id: row[4].textValue ?? "")
            return (Int(row[0].integerValue ?? 0), OriginProofs.Chunk(first: first, last: last, leaves: []))
        }
    }

    /// A stored chunk's leaves.
    func storedChunkLeaves(_ key: OriginProofs.GroupKey, index: Int, _ db: Connection) throws -> [UInt8]? {
        try db.scalar(
            "SELECT c.leaves FROM _spi_group_chunk c JOIN _spi_site s ON s.idx = c.site WHERE s.site = ? AND c.hlc = ? AND c.idx = ?",
            [.blob(key.site.bytes), .integer(Int64(bitPattern: key.hlc)), .integer(Int64(index))])?.blobValue
    }

    /// A site's stored public key.
    func storedKey(_ site: SiteID, _ db: Connection) throws -> [UInt8]? {
        try db.scalar(
            "SELECT k.key FROM _spi_key k JOIN _spi_site s ON s.idx = k.site WHERE s.site = ?", [.blob(site.bytes)])?
            .blobValue
    }

    /// Adds to an outgoing batch the proof of every origin group its entries belong to, and the keys of their sites.
    ///
    /// A replica with a ``signer`` leaves out entries of another site whose group it holds no proof of (changes
    /// received before proofs existed): no receiver could check them. Its knowledge of such a site was lowered below
    /// them when the file was upgraded, so no batch claims their coverage, and they come again, with proofs, from
    /// their origin. A replica without a signer (outside any register) sends what it has, proven or not.
    func attachProofs(to batch: inout Spi_V1_ChangeBatch, _ db: Connection) throws {
        guard !batch.rows.isEmpty else { return }
        // Leaves are computed only for chunks the batch carries in part: a whole chunk needs no other leaves.
        let entries = try OriginProofs.entries(of: batch, leaves: false)
        let sites = try OriginProofs.sites(of: batch)
        var encoder = LeafEncoder()
        var byGroup: [OriginProofs.GroupKey: [OriginProofs.Entry]] = [:]
        for entry in entries { byGroup[entry.group, default: []].append(entry) }
        var siteNumbers: [SiteID: UInt32] = [:]
        for (n, site) in sites.enumerated() { siteNumbers[site] = UInt32(n + 1) }
        var unprovable: Set<OriginProofs.GroupKey> = []
        var keyed: Set<UInt32> = []
        groups: for (group, groupEntries) in byGroup.sorted(by: { $0.key < $1.key }) {
            guard let stored = try storedGroup(group, db), let number = siteNumbers[group.site] else {
                // A replica without a key (a library user's, outside any register) relays without proofs.
                if group.site != siteID && signer != nil { unprovable.insert(group) }
                continue
            }
            let ranges = try storedChunkRanges(group, db)
            // Each entry's chunk: the last one whose first row is not after the entry's row.
            var touched: [Int: [OriginProofs.Entry]] = [:]
            // The entries of one row come together: their chunk is looked up once.
            var lastRow: (row: OriginProofs.RowRef, position: Int)?
            for entry in groupEntries {
                if let last = lastRow, last.row == entry.row {
                    touched[last.position, default: []].append(entry)
                    continue
                }
                var low = 0
                var high = ranges.count
                while low < high {
                    let mid = (low + high) / 2
                    if entry.row < ranges[mid].chunk.first { high = mid } else { low = mid + 1 }
                }
                guard low > 0, ranges[low - 1].chunk.contains(entry.row) else {
                    unprovable.insert(group)
                    continue groups
                }
                touched[low - 1, default: []].append(entry)
                lastRow = (entry.row, low - 1)
            }
            var proof = Spi_V1_OriginProof()
            proof.site = number
            proof.hlc = group.hlc
            proof.signature = Data(stored.signature)
            proof.chunkDigests = Data(stored.digests)
            for (position, carried) in touched.sorted(by: { $0.key < $1.key }) {
                let (index, range) = ranges[position]
                guard let all = try storedChunkLeaves(group, index: index, db),
                    all.count % OriginProofs.leafLength == 0
                else {
                    unprovable.insert(group)
                    continue groups
                }
                var other: [UInt8] = []
                if carried.count != all.count / OriginProofs.leafLength {
                    // Carried in part: the leaves it does not carry. (Carried whole, every stored leaf is one of the
                    // batch's entries: a group's entries are what its origin signed, and the receiver checks them.)
                    let leaves = Set(
                        carried.map { OriginProofs.leaf(of: $0, in: batch, sites: sites, encoder: &encoder) })
                    var matched = 0
                    for leaf in OriginProofs.split(all) ?? [] {
                        if leaves.contains(leaf) { matched += 1 } else { leaf.append(to: &other) }
                    }
                    guard matched == leaves.count else {
                        unprovable.insert(group)
                        continue groups
                    }
                }
                var chunk = Spi_V1_ProofChunk()
                chunk.index = UInt32(index)
                chunk.firstTable = range.first.table
                chunk.firstID = range.first.id
                chunk.lastTable = range.last.table
                chunk.lastID = range.last.id
                chunk.otherLeaves = Data(other)
                proof.chunks.append(chunk)
            }
            batch.proofs.append(proof)
            if keyed.insert(number).inserted, let key = try storedKey(group.site, db) {
                var siteKey = Spi_V1_SiteKey()
                siteKey.site = number
                siteKey.key = Data(key)
                batch.keys.append(siteKey)
            }
        }
        guard !unprovable.isEmpty else { return }
        // Entries that are not what their origin signed, or of a group without a proof here: never sent (no receiver
        // that checks proofs could take them, and the batch would be refused whole).
        logger.warning(
            "changes without a valid origin proof here are not sent (they come again, signed, from their origin)",
            metadata: ["proof.groups": "\(unprovable.count)"])
        var dropCells: [Int: Set<Int>] = [:]
        var dropRowVersions: Set<Int> = []
        for entry in entries where unprovable.contains(entry.group) {
            if let cell = entry.cell {
                dropCells[entry.index, default: []].insert(cell)
            } else {
                dropRowVersions.insert(entry.index)
            }
        }
        var rows: [Spi_V1_RowChange] = []
        for (r, row) in batch.rows.enumerated() {
            guard dropRowVersions.contains(r) || dropCells[r] != nil else {
                rows.append(row)
                continue
            }
            var kept = Self.selfContained(row)
            if dropRowVersions.contains(r) { kept.rowVersion = false }
            let drop = dropCells[r] ?? []
            kept.cells = kept.cells.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
            if kept.rowVersion || !kept.cells.isEmpty { rows.append(kept) }
        }
        batch.rows = rows
    }

    /// Checks the origin proofs of an incoming batch (validated first): every entry's group must have a proof whose
    /// signature, by the key of the group's site, covers the digest of the chunk the entry falls in, which covers the
    /// entry's leaf. Returns the groups to store.
    ///
    /// - Parameters:
    ///   - required: whether an entry without a proof is refused (the register's gates require proofs); a proof that
    ///     is present is always checked.
    ///   - checkSignatures: false when the same bytes were checked already (a change-set file's first reading).
    /// - Throws: `ReplicationError.Code.badSignature` naming the first change that fails: nothing of the batch may
    ///   be applied.
    func verifyProofs(
        of batch: Spi_V1_ChangeBatch, required: Bool, checkSignatures: Bool = true, _ db: Connection?
    ) throws -> [VerifiedGroup] {
        guard !batch.rows.isEmpty else { return [] }
        // Nothing to check: no proof (a sender without a key), and none required. The entries' leaves are not
        // computed (SHA-256 per change), since no group could use them.
        guard required || !batch.proofs.isEmpty || !batch.keys.isEmpty else { return [] }
        let entries = try OriginProofs.entryLeaves(of: batch)
        let sites = batch.sites.compactMap { SiteID(bytes: $0) }
        func malformed(_ message: String) -> ReplicationError {
            ReplicationError(.malformed, "invalid change batch: \(message)")
        }
        func site(_ number: UInt32) throws -> SiteID {
            guard number >= 1, Int(number) <= sites.count else {
                throw malformed("a proof names site number \(number)")
            }
            return sites[Int(number) - 1]
        }
        var keys: [SiteID: [UInt8]] = [:]
        for entry in batch.keys { keys[try site(entry.site)] = Array(entry.key) }
        var proofs: [OriginProofs.GroupKey: Spi_V1_OriginProof] = [:]
        for proof in batch.proofs {
            let key = OriginProofs.GroupKey(site: try site(proof.site), hlc: proof.hlc)
            guard proofs.updateValue(proof, forKey: key) == nil else {
                throw malformed("two proofs for site \(key.site) at one clock")
            }
        }
        // Each group's entries, as positions in `entries`, in batch order. A batch's entries come in runs of one
        // group: only the first entry of a run is looked up.
        var groupPositions: [OriginProofs.GroupKey: Int] = [:]
        var groups: [(key: OriginProofs.GroupKey, entries: [Int])] = []
        var current: Int?
        for (index, entry) in entries.enumerated() {
            if current == nil || groups[current!].key != entry.group {
                if let known = groupPositions[entry.group] {
                    current = known
                } else {
                    current = groups.count
                    groupPositions[entry.group] = groups.count
                    groups.append((entry.group, []))
                }
            }
            groups[current!].entries.append(index)
        }
        func describe(_ group: OriginProofs.GroupKey) -> String {
            var text = "site \(group.site) at clock \(HybridLogicalClock(rawValue: group.hlc))"
            if let position = groupPositions[group], let first = groups[position].entries.first {
                text = "\(entries[first].row.table) \(entries[first].row.id) by " + text
            }
            return text
        }
        func forged(_ group: OriginProofs.GroupKey) -> ReplicationError {
            ReplicationError(
                .badSignature,
                "the change to \(describe(group)) is not what that site signed: it was altered or forged on its way; "
                    + "nothing of the batch was applied")
        }
        var verified: [VerifiedGroup] = []
        for (group, groupEntries) in groups.sorted(by: { $0.key < $1.key }) {
            guard let proof = proofs[group] else {
                if required {
                    throw ReplicationError(
                        .badSignature,
                        "the change to \(describe(group)) carries no origin signature, so nothing proves who made it; "
                            + "nothing of the batch was applied (the sender must run this version of spi with its replica key)"
                    )
                }
                continue
            }
            let digests = Array(proof.chunkDigests)
            guard !digests.isEmpty, digests.count % OriginProofs.digestLength == 0 else {
                throw malformed("a proof's chunk digests are not whole digests")
            }
            let chunkCount = digests.count / OriginProofs.digestLength
            // Each proved chunk, with the batch's entries that fall in its range.
            var chunks: [(index: Int, chunk: OriginProofs.Chunk, leaves: [OriginProofs.Leaf])] = []
            var seen: Set<Int> = []
            for chunk in proof.chunks {
                let index = Int(chunk.index)
                guard index < chunkCount, seen.insert(index).inserted, let other = OriginProofs.split(chunk.otherLeaves)
                else {
                    throw malformed("a proof names chunk \(chunk.index) of \(chunkCount) twice, or with partial leaves")
                }
                let range = OriginProofs.Chunk(
                    first: .init(table: chunk.firstTable, id: chunk.firstID),
                    last: .init(table: chunk.lastTable, id: chunk.lastID),
                    leaves: [])
                chunks.append((index, range, other))
            }
            var lastRow: (row: OriginProofs.RowRef, position: Int)?
            for index in groupEntries {
                let entry = entries[index]
                let position: Int
                if let last = lastRow, last.row == entry.row {
                    position = last.position
                } else {
                    guard let found = chunks.firstIndex(where: { $0.chunk.contains(entry.row) }) else {
                        throw forged(group)
                    }
                    position = found
                    lastRow = (entry.row, found)
                }
                chunks[position].leaves.append(entry.leaf)
            }
            var proved: [(index: Int, chunk: OriginProofs.Chunk)] = []
            for var item in chunks {
                item.chunk.leaves = OriginProofs.sortedLeaves(item.leaves)
                let start = item.index * OriginProofs.digestLength
                guard item.chunk.digest == Array(digests[start..<start + OriginProofs.digestLength]) else {
                    throw forged(group)
                }
                proved.append((item.index, item.chunk))
            }
            let publicKey = try keys[group.site] ?? db.flatMap { try storedKey(group.site, $0) }
            let known = try db.flatMap { try storedGroup(group, $0) }
            if checkSignatures
                && !(known.map { $0.digests == digests && $0.signature == Array(proof.signature) } ?? false)
            {
                let message = OriginProofs.groupMessage(register: registerID, group: group, chunkDigests: digests)
                guard let publicKey,
                    ChangeSetSigner.verifies(
                        signature: proof.signature, by: Data(publicKey), of: message, for: group.site)
                else { throw forged(group) }
            }
            var checked = VerifiedGroup(
                key: group, signature: Array(proof.signature), digests: digests, chunks: proved, publicKey: publicKey)
            if let known {
                checked.stored = known.digests == digests && known.signature == Array(proof.signature) ? .same : .other
            }
            verified.append(checked)
        }
        return verified
    }

    /// Stores checked proofs, so that this replica can relay their changes with them.
    func storeProofs(_ groups: [VerifiedGroup], _ db: Connection) throws {
        for group in groups { try storeProof(group, db) }
    }

    /// Stores one group's proof: its signature and digests (the first ones stored stay), and the chunks it proves.
    func storeProof(_ group: VerifiedGroup, _ db: Connection) throws {
        let index = try catalog.siteIndex(group.key.site, db)
        if let key = group.publicKey {
            try db.execute("INSERT OR IGNORE INTO _spi_key(site, key) VALUES (?, ?)", [.integer(index), .blob(key)])
        }
        let clock = DatabaseValue.integer(Int64(bitPattern: group.key.hlc))
        try db.cached("INSERT OR IGNORE INTO _spi_group(site, hlc, signature, digests) VALUES (?, ?, ?, ?)").execute(
            binding: { s in
                try s.bind(.integer(index), at: 1)
                try s.bind(clock, at: 2)
                try s.bind(.blob(group.signature), at: 3)
                try s.bind(.blob(group.digests), at: 4)
            })
        // Chunks of another signature of the same group (a site that signed one transaction twice) are not mixed in.
        if db.changes == 0, try storedGroup(group.key, db)?.digests != group.digests { return }
        let insert = try db.cached(
            """
            INSERT OR IGNORE INTO _spi_group_chunk(site, hlc, idx, first_table, first_id, last_table, last_id, leaves)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (position, chunk) in group.chunks {
            try insert.execute(binding: { s in
                try s.bind(.integer(index), at: 1)
                try s.bind(clock, at: 2)
                try s.bind(.integer(Int64(position)), at: 3)
                try s.bind(.text(chunk.first.table), at: 4)
                try s.bind(.text(chunk.first.id), at: 5)
                try s.bind(.text(chunk.last.table), at: 6)
                try s.bind(.text(chunk.last.id), at: 7)
                try s.bind(.blob(chunk.leaves), at: 8)
            })
        }
    }
}
