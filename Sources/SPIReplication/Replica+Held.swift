import Crypto
import Foundation
public import SPISQLite

/// A change this replica received but cannot judge yet, as ``Replica/heldChanges(limit:)`` lists it.
public struct HeldChange: Sendable, Hashable {
    /// When it was first held, in milliseconds since 1970.
    public var heldAtMilliseconds: Int64
    /// The peer (or file) that carried it, as the transport named it.
    public var peer: String?
    /// The site that made it.
    public var origin: SiteID
    /// The earliest clock among its changes.
    public var clock: UInt64
    /// The table and row.
    public var table: String
    /// The row's id.
    public var id: String
    /// Why it cannot be judged yet.
    public var reason: String
}

extension Replica {
    /// The default of ``heldLimit``: 10,000 changes and 16 MiB per origin site.
    public static let defaultHeldLimit = (changes: 10_000, bytes: 16 << 20)

    /// Changes held because their authority (or the receiver's scope for them) cannot be established yet, oldest
    /// first.
    ///
    /// A held change is not applied and not counted in this replica's knowledge, so every peer offers it again; it
    /// is judged again after every batch this replica merges, and applied or refused as soon as the rows that decide
    /// it (the binding of its origin as of its clock, the row it hangs off) have arrived.
    public func heldChanges(limit: Int = 100) throws -> [HeldChange] {
        try read { db in
            guard try Self.hasHeldStore(db) else { return [] }
            return try db.rows(
                """
                SELECT h.at_ms, h.peer, s.site, h.hlc, h.tbl, h.row_id, h.reason FROM _spi_held h
                JOIN _spi_site s ON s.idx = h.site ORDER BY h.seq LIMIT ?
                """, [.integer(Int64(limit))]
            ).compactMap { row in
                guard case .blob(let bytes) = row[2], let origin = SiteID(bytes: bytes) else { return nil }
                return HeldChange(
                    heldAtMilliseconds: row[0].integerValue ?? 0, peer: row[1].textValue, origin: origin,
                    clock: UInt64(bitPattern: row[3].integerValue ?? 0), table: row[4].textValue ?? "",
                    id: row[5].textValue ?? "", reason: row[6].textValue ?? "")
            }
        }
    }

    /// Whether the file has the held store (created when a file is opened for writing).
    static func hasHeldStore(_ db: Connection) throws -> Bool {
        try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = '_spi_held'") == .integer(1)
    }

    /// Keeps parts of a batch aside: each as a one-row batch of its own, with the clocks it holds back per origin.
    ///
    /// - Throws: `ReplicationError.Code.tooManyHeld` when an origin would exceed ``heldLimit`` (the whole batch is
    ///   then refused).
    func hold(
        _ parts: [HeldPart], plan: BatchPlan, batch: Spi_V1_ChangeBatch, peer: String?, _ db: Connection,
        heldSince: [[UInt8]: Int64] = [:]
    ) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // What each origin already has held, counted once per call and kept up to date as parts are added.
        var totals: [Int64: (count: Int64, bytes: Int64)] = [:]
        for part in parts {
            // A one-row batch of its own, with only the sites it names, so that the same change offered again in
            // another batch is the same entry.
            var single = Spi_V1_ChangeBatch()
            single.tables = [batch.tables[Int(part.change.table)]]
            single.scope = batch.scope
            var change = part.change
            change.table = 0
            var numbers: [UInt32: UInt32] = [0: 0]
            func renumber(_ n: UInt32) -> UInt32 {
                if let m = numbers[n] { return m }
                single.sites.append(batch.sites[Int(n) - 1])
                let m = UInt32(single.sites.count)
                numbers[n] = m
                return m
            }
            change.site = renumber(change.site)
            for i in change.cells.indices {
                change.cells[i].site = renumber(change.cells[i].site)
                change.cells[i].priorSite = renumber(change.cells[i].priorSite)
            }
            single.rows = [change]
            let bytes: [UInt8] = try single.serializedBytes()
            let key = Array(SHA256.hash(data: bytes))
            // Bounded per origin.
            let originIndex = try catalog.siteIndex(part.origin, db)
            // Every origin whose changes the part carries is held back from its earliest clock in it.
            var earliest: [SiteID: UInt64] = [:]
            let rowOrigin = plan.sites[Int(part.change.site) - 1]
            if change.rowVersion || change.cells.isEmpty { earliest[rowOrigin] = change.hlc }
            for cell in part.change.cells {
                let site = cell.site != 0 ? plan.sites[Int(cell.site) - 1] : rowOrigin
                let clock = cell.hlc != 0 ? cell.hlc : change.hlc
                earliest[site] = min(earliest[site] ?? clock, clock)
            }
            let table = plan.tables[Int(part.change.table)]
            let id = change.idText ?? ""
            // A change held again keeps the time it was first held.
            let firstHeld = heldSince[key] ?? now
            try db.execute(
                """
                INSERT OR IGNORE INTO _spi_held(key, site, hlc, tbl, row_id, change, reason, peer, at_ms, carrier)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .blob(key), .integer(originIndex), .integer(Int64(bitPattern: earliest.values.min() ?? change.hlc)),
                    .text(table.name), .text(id), .blob(bytes), .text(part.reason), peer.map { .text($0) } ?? .null,
                    .integer(firstHeld), part.carrier.map { .blob($0.bytes) } ?? .null,
                ])
            guard db.changes > 0 else { continue }
            let seq = try db.scalar("SELECT last_insert_rowid()")?.integerValue ?? 0
            for (site, clock) in earliest {
                try db.execute(
                    "INSERT INTO _spi_held_cap(held, site, hlc) VALUES (?, ?, ?)",
                    [.integer(seq), .integer(try catalog.siteIndex(site, db)), .integer(Int64(bitPattern: clock))])
            }
            if totals[originIndex] == nil {
                totals[originIndex] =
                    try db.rows(
                        "SELECT count(*), coalesce(sum(length(change)), 0) FROM _spi_held WHERE site = ?",
                        [.integer(originIndex)]
                    ).first.map { ($0[0].integerValue ?? 0, $0[1].integerValue ?? 0) } ?? (0, 0)
            } else {
                totals[originIndex]!.count += 1
                totals[originIndex]!.bytes += Int64(bytes.count)
            }
            let (count, size) = totals[originIndex]!
            if count > Int64(heldLimit.changes) || size > Int64(heldLimit.bytes) {
                throw ReplicationError(
                    .tooManyHeld,
                    "site \(part.origin) has more changes waiting for their authority than this replica keeps "
                        + "(\(count) changes, \(size) bytes; at most \(heldLimit.changes) and \(heldLimit.bytes) bytes); "
                        + "the batch was refused. Sync with the organization first, so that the bindings that authorize "
                        + "them arrive")
            }
        }
    }

    /// Judges the held changes again with `gate`'s ``WriteGate/originGate(carrier:)`` for each one's carrier, pass
    /// after pass while a pass decides any: applies the allowed ones, logs the refused ones (with the peer or file that
    /// carried them), and keeps the rest (held again, with the same key). Counts what it settled in `report`'s ``ApplyReport/heldApplied`` and
    /// ``ApplyReport/heldRefused``: those changes are not the current sender's.
    func rejudgeHeld(gate: any WriteGate, report: inout ApplyReport, peer: String?, _ db: Connection) throws {
        guard try Self.hasHeldStore(db) else { return }
        var heldSince: [[UInt8]: Int64] = [:]
        // Each pass that decides anything may unblock more (a binding, then a row, then the rows hanging off it);
        // dependency chains in the register are a few links long.
        for _ in 0..<16 {
            let entries = try db.rows("SELECT seq, change, peer, key, at_ms, carrier FROM _spi_held ORDER BY seq")
            if entries.isEmpty { return }
            var decided = 0
            for entry in entries {
                guard let seq = entry[0].integerValue, case .blob(let bytes) = entry[1] else { continue }
                try db.execute("DELETE FROM _spi_held_cap WHERE held = ?", [.integer(seq)])
                try db.execute("DELETE FROM _spi_held WHERE seq = ?", [.integer(seq)])
                let batch: Spi_V1_ChangeBatch
                let plan: BatchPlan
                do {
                    batch = try Spi_V1_ChangeBatch(serializedBytes: bytes)
                    plan = try validate(batch, checkingClocks: false)
                } catch {
                    // The schema changed under it (a column or table went away): it can never apply.
                    logger.warning(
                        "dropped a held change that no longer fits the schema", metadata: ["error": "\(error)"])
                    decided += 1
                    continue
                }
                let carrier = entry[2].textValue ?? peer
                if case .blob(let key) = entry[3], let at = entry[4].integerValue { heldSince[key] = at }
                let carrierSite: SiteID? = if case .blob(let bytes) = entry[5] { SiteID(bytes: bytes) } else { nil }
                let (part, stillHeld) = try mergeKeepingScope(
                    batch, plan: plan, gate: gate.originGate(carrier: carrierSite), peer: carrier, db,
                    heldSince: heldSince)
                if stillHeld == 0 || part.applied > 0 || part.refused > 0 || part.discarded > 0 { decided += 1 }
                if !part.refusals.isEmpty { try logRefusals(part.refusals, peer: carrier, db) }
                report.heldApplied += part.applied
                report.heldRefused += part.refused
            }
            if decided == 0 { return }
        }
    }

    /// Whether a site's changes up to `clock` are all here or held, by the coverage this replica has claimed (its
    /// own site: always). For gates that must know whether the rows that decide a change can still arrive.
    public static func hasReceived(from site: SiteID, upTo clock: UInt64, _ db: Connection) throws -> Bool {
        // This replica's site and its sites before key rotations ('site.previous' lists them, space-separated).
        let own = try db.scalar(
            "SELECT 1 FROM _spi_meta WHERE (key = 'site.id' AND value = ?1) OR (key = 'site.previous' AND instr(' ' || value || ' ', ' ' || ?1 || ' ') > 0)",
            [.text(site.description)])
        if own != nil { return true }
        let claimed = try db.scalar(
            "SELECT k.hlc FROM _spi_knowledge k JOIN _spi_site s ON s.idx = k.site WHERE s.site = ?",
            [.blob(site.bytes)])
        return UInt64(bitPattern: claimed?.integerValue ?? 0) >= clock
    }

    /// The latest version that wrote any part of a row (its life or one of its cells), as stamped so far: who last
    /// changed it, and when. Nil as ``rowVersion(table:id:_:)``.
    public static func lastChange(table: String, id: String, _ db: Connection) throws -> Version? {
        guard try db.scalar("SELECT 1 FROM sqlite_schema WHERE name = '_spi_row'") != nil else { return nil }
        let rows = try db.rows(
            """
            SELECT v.hlc, s.site FROM (
                SELECT r.hlc, r.site FROM _spi_row r JOIN _spi_table t ON t.idx = r.tbl WHERE t.name = ?1 AND r.id = ?2
                UNION ALL
                SELECT c.hlc, c.site FROM _spi_clock c JOIN _spi_table t ON t.idx = c.tbl WHERE t.name = ?1 AND c.id = ?2
            ) v LEFT JOIN _spi_site s ON s.idx = v.site ORDER BY v.hlc DESC LIMIT 1
            """, [.text(table), RowKey.stored(id)])
        guard let row = rows.first else { return nil }
        let clock = HybridLogicalClock(rawValue: UInt64(bitPattern: row[0].integerValue ?? 0))
        guard case .blob(let bytes) = row[1], let site = SiteID(bytes: bytes) else { return .zero }
        return Version(clock: clock, site: site)
    }

    /// The version at which a row's current life began (its causal length last changed), or nil when the row has no
    /// replication metadata (it was never written or received here, or it is baseline data: the zero version).
    public static func rowVersion(table: String, id: String, _ db: Connection) throws -> Version? {
        let rows = try db.rows(
            """
            SELECT r.hlc, s.site FROM _spi_row r JOIN _spi_table t ON t.idx = r.tbl LEFT JOIN _spi_site s ON s.idx = r.site
            WHERE t.name = ? AND r.id = ?
            """, [.text(table), RowKey.stored(id)])
        guard let row = rows.first else { return nil }
        let clock = HybridLogicalClock(rawValue: UInt64(bitPattern: row[0].integerValue ?? 0))
        guard case .blob(let bytes) = row[1], let site = SiteID(bytes: bytes) else { return .zero }
        return Version(clock: clock, site: site)
    }
}
