import SPISQLite

/// The replication core's own tables, all prefixed `_spi_` and never part of an export.
///
/// - `_spi_meta`: local key/value settings (register id, site id, the clock's last value, domain settings).
/// - `_spi_site`: every site this replica has heard of, numbered locally (0 means "none").
/// - `_spi_table`: the replicated tables, numbered locally, with their column order.
/// - `_spi_capture`: the append-only log the capture triggers write; drained by stamping.
/// Row ids in `_spi_row` and `_spi_clock` are 16-byte blobs when they are canonical lowercase UUIDs, text otherwise.
/// - `_spi_row`: per row, its causal length (odd: alive, even: deleted) and the clock of its last change.
/// - `_spi_clock`: per cell, the clock of the value the table holds and the foreign version it replaced.
/// - `_spi_knowledge`: per origin site, the newest clock whose changes this replica holds.
/// - `_spi_conflict`: concurrent edits that a merge resolved; `_spi_conflict_open` indexes those still open.
/// - `_spi_group`: the origin proof of each origin group (a site's changes at one clock reading) this replica holds
///   changes of: its site's signature and the digests of the group's chunks (protocol/changes.md §7);
///   `_spi_group_chunk`: the chunks of it this replica holds changes of, with their row ranges and leaves.
/// - `_spi_key`: the public key of each site whose proofs this replica stores.
/// - `_spi_last_value`: per deleted row (and per id a re-key moved away), its columns' values when it was deleted,
///   written by the delete trigger, so that history can show what a deleted row said; local, never sent.
/// - `_spi_mark`: refusal marks, per cell (`col` -1: the row's life), the newest version refused here while this
///   replica holds an older one (protocol/changes.md §8).
enum ReplicaSchema {
    /// The replica format, in `_spi_meta` under `replica.schema`. 2: the capture log may hold stamp markers (entries
    /// with `op` 0 whose `mask` is a write transaction's clock). A file is raised to this version when it is opened for
    /// writing, and a file of a newer version is refused. 3: changes carry origin proofs (`_spi_group`, `_spi_key`);
    /// see ``upgradeToProofs``.
    static let version = 3

    /// The names of the tables the replication core creates (read from its schema text).
    static let ownTables: Set<String> = {
        var names: Set<String> = []
        for text in [sql, upgradeSQL, upgradeToProofs] {
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                guard let at = words.firstIndex(of: "TABLE") else { continue }
                var rest = words[(at + 1)...].drop { $0 == "IF" || $0 == "NOT" || $0 == "EXISTS" }
                if let name = rest.popFirst() { names.insert(String(name.prefix { $0 != "(" })) }
            }
        }
        return names
    }()

    static let sql = """
        CREATE TABLE IF NOT EXISTS _spi_meta (key TEXT PRIMARY KEY NOT NULL, value ANY) STRICT;
        CREATE TABLE IF NOT EXISTS _spi_site (idx INTEGER PRIMARY KEY, site BLOB NOT NULL UNIQUE) STRICT;
        CREATE TABLE IF NOT EXISTS _spi_table (
            idx INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, columns TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS _spi_capture (
            seq INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, id ANY, op INTEGER NOT NULL, mask INTEGER NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS _spi_row (
            tbl INTEGER NOT NULL, id ANY NOT NULL, cl INTEGER NOT NULL, hlc INTEGER NOT NULL, site INTEGER NOT NULL,
            PRIMARY KEY (tbl, id)) STRICT, WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS _spi_row_origin ON _spi_row (site, hlc);
        CREATE TABLE IF NOT EXISTS _spi_clock (
            tbl INTEGER NOT NULL, id ANY NOT NULL, col INTEGER NOT NULL, hlc INTEGER NOT NULL, site INTEGER NOT NULL,
            prior_hlc INTEGER NOT NULL DEFAULT 0, prior_site INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (tbl, id, col)) STRICT, WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS _spi_clock_origin ON _spi_clock (site, hlc);
        CREATE TABLE IF NOT EXISTS _spi_knowledge (site INTEGER PRIMARY KEY, hlc INTEGER NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS _spi_conflict (
            id TEXT PRIMARY KEY NOT NULL, tbl TEXT NOT NULL, row_id TEXT NOT NULL, col TEXT NOT NULL,
            winner_value ANY, winner_hlc INTEGER NOT NULL, winner_site BLOB NOT NULL,
            loser_value ANY, loser_hlc INTEGER NOT NULL, loser_site BLOB NOT NULL,
            detected_hlc INTEGER NOT NULL, resolved_hlc INTEGER) STRICT;
        CREATE INDEX IF NOT EXISTS _spi_conflict_cell ON _spi_conflict (tbl, row_id, col);
        \(upgradeSQL)
        """

    /// Objects added after version 1, created when a file is opened for writing (`IF NOT EXISTS`, so an existing one
    /// costs nothing): the index of open conflicts, which every stamp and merge asks about, so that the question does
    /// not scan a log of resolved ones; and the held store (`_spi_held`, with the clocks each held change keeps out
    /// of this replica's knowledge in `_spi_held_cap`): changes whose authority cannot be established yet (see
    /// ``GateDecision/hold(_:)``).
    static let upgradeSQL = """
        CREATE INDEX IF NOT EXISTS _spi_conflict_open ON _spi_conflict (tbl, row_id, col) WHERE resolved_hlc IS NULL;
        CREATE TABLE IF NOT EXISTS _spi_last_value (
            tbl INTEGER NOT NULL, id ANY NOT NULL, col INTEGER NOT NULL, value ANY,
            PRIMARY KEY (tbl, id, col)) STRICT, WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS _spi_held (
            seq INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, site INTEGER NOT NULL, hlc INTEGER NOT NULL,
            tbl TEXT NOT NULL, row_id TEXT NOT NULL, change BLOB NOT NULL, reason TEXT NOT NULL, peer TEXT,
            at_ms INTEGER NOT NULL, carrier BLOB) STRICT;
        CREATE INDEX IF NOT EXISTS _spi_held_site ON _spi_held (site);
        CREATE TABLE IF NOT EXISTS _spi_held_cap (held INTEGER NOT NULL, site INTEGER NOT NULL, hlc INTEGER NOT NULL) STRICT;
        CREATE INDEX IF NOT EXISTS _spi_held_cap_site ON _spi_held_cap (site, hlc);
        CREATE INDEX IF NOT EXISTS _spi_held_cap_held ON _spi_held_cap (held);
        CREATE TABLE IF NOT EXISTS _spi_group (
            site INTEGER NOT NULL, hlc INTEGER NOT NULL, signature BLOB NOT NULL, digests BLOB NOT NULL,
            PRIMARY KEY (site, hlc)) STRICT, WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS _spi_group_chunk (
            site INTEGER NOT NULL, hlc INTEGER NOT NULL, idx INTEGER NOT NULL, first_table TEXT NOT NULL,
            first_id TEXT NOT NULL, last_table TEXT NOT NULL, last_id TEXT NOT NULL, leaves BLOB NOT NULL,
            PRIMARY KEY (site, hlc, idx)) STRICT, WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS _spi_key (site INTEGER PRIMARY KEY, key BLOB NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS _spi_mark (
            tbl INTEGER NOT NULL, id ANY NOT NULL, col INTEGER NOT NULL, site INTEGER NOT NULL, hlc INTEGER NOT NULL,
            cl INTEGER NOT NULL, PRIMARY KEY (tbl, id, col)) STRICT, WITHOUT ROWID;
        """

    /// Run once when a file of format 2 or older is opened for writing: it holds other sites' changes without their
    /// origin proofs, which it can neither prove to anyone nor have proven to itself. Its knowledge of each such site
    /// is lowered to just before the oldest change it holds of it, so that they come again, with proofs, from any
    /// replica that has them (their origin first of all), and no batch it sends claims their coverage; held changes
    /// are dropped, to be offered again the same way. Its own changes are signed on first use, like new ones.
    static let upgradeToProofs = """
        UPDATE _spi_knowledge SET hlc = min(hlc, coalesce((
            SELECT min(h) - 1 FROM (
                SELECT min(hlc) AS h FROM _spi_row r WHERE r.site = _spi_knowledge.site AND r.hlc > 0
                UNION ALL SELECT min(hlc) FROM _spi_clock c WHERE c.site = _spi_knowledge.site AND c.hlc > 0)), hlc))
        WHERE site <> 1;
        DELETE FROM _spi_held;
        DELETE FROM _spi_held_cap;
        """
}
