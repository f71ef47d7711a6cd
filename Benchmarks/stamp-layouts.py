#!/usr/bin/env python3
"""Where B1's time goes: plain SQLite, the capture triggers alone, and ways of recording versions after them.

Usage:
    spi --db /tmp/layouts.db init --name Layouts --kind organization
    python3 Benchmarks/stamp-layouts.py /tmp/layouts.db [VARIANT ...]

It copies the `interface` and `raci_assignment` tables, their indexes, the capture log and the capture triggers
from the register file given (which it only reads) into fresh files in a temporary directory, then writes B1's mix
to each: 20,000 interfaces (15 columns) and 80,000 RACI rows (UUIDv5 ids) inserted, then each row updated
(interface title + status, RACI role_title), in transactions of 1,000 rows, one transaction of each variant in turn.
It prints each variant's time and its ratio to plain SQLite in the same run.

Variants (default: all):
    plain       no triggers
    capture     the capture triggers and log, nothing else (the log is never emptied)
    percommit   versions stamped at every commit, as the engine did before bulk stamping (the fast path's two
                statements, the log emptied whole)
    noindex     percommit without the (site, hlc) indexes
    grouped     each commit notes its clock; the groups are stamped one by one in one transaction at the end of
                each phase, with a 64 MiB page cache (what the engine does now)
    sorted      like grouped, but all groups in one pass sorted by key (each entry takes its group's clock)
    hooked      like grouped, but without triggers: the writer appends the log entries itself after its statements
                (one prepared INSERT per row), as the library could with SQLite's pre-update hook

The ids are kept as text (Python has no `spi_key`), so absolute figures differ from `spi bench`; the ratios match
it within a few hundredths (2026-12-03, 2-core machine, SQLite 3.40.1: plain 1.00, capture 1.43, percommit 3.05,
noindex 2.79, grouped 1.97, sorted 1.90; in another run plain 1.00, capture 1.36, grouped 1.96, hooked 1.74 with
inserts 1.40; about 20 s in all).
"""
import os
import sqlite3
import sys
import tempfile
import time
import uuid

VARIANTS = ["plain", "capture", "percommit", "noindex", "grouped", "sorted", "hooked"]
GROUPS = 20_000
PER_TRANSACTION = 200  # groups of 5 rows: 1,000 rows per transaction

METADATA = """
CREATE TABLE _spi_meta (key TEXT PRIMARY KEY NOT NULL, value ANY) STRICT;
INSERT INTO _spi_meta VALUES ('clock.last', 0);
CREATE TABLE _spi_knowledge (site INTEGER PRIMARY KEY, hlc INTEGER NOT NULL) STRICT;
CREATE TABLE _spi_row (tbl INTEGER NOT NULL, id ANY NOT NULL, cl INTEGER NOT NULL, hlc INTEGER NOT NULL,
    site INTEGER NOT NULL, PRIMARY KEY (tbl, id)) STRICT, WITHOUT ROWID;
CREATE TABLE _spi_clock (tbl INTEGER NOT NULL, id ANY NOT NULL, col INTEGER NOT NULL, hlc INTEGER NOT NULL,
    site INTEGER NOT NULL, prior_hlc INTEGER NOT NULL DEFAULT 0, prior_site INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tbl, id, col)) STRICT, WITHOUT ROWID;
CREATE TABLE _spi_stamps (seq INTEGER PRIMARY KEY, hlc INTEGER NOT NULL);
CREATE TEMP TABLE _spi_bits (bit INTEGER PRIMARY KEY, col INTEGER NOT NULL);
WITH RECURSIVE n(col) AS (SELECT 0 UNION ALL SELECT col + 1 FROM n WHERE col < 62)
INSERT INTO temp._spi_bits SELECT 1 << col, col FROM n;
"""
ORIGIN_INDEXES = """
CREATE INDEX _spi_row_origin ON _spi_row (site, hlc);
CREATE INDEX _spi_clock_origin ON _spi_clock (site, hlc);
"""
# The engine's fast stamping path (Replica+Stamping.swift), restricted to a range of the log.
STAMP_CELLS = """
INSERT INTO _spi_clock(tbl, id, col, hlc, site, prior_hlc, prior_site)
SELECT r.tbl, r.id, b.col, {clock}, 1, CASE WHEN r.site = 1 THEN 0 ELSE r.hlc END,
    CASE WHEN r.site = 1 THEN 0 ELSE r.site END
FROM _spi_capture c LEFT JOIN _spi_row r ON r.tbl = c.tbl AND r.id = c.id CROSS JOIN temp._spi_bits b
WHERE c.seq > ?1 AND c.seq <= ?2 AND c.op = 2 AND r.cl % 2 = 1
    AND b.bit BETWEEN c.mask & -c.mask AND c.mask AND c.mask & b.bit AND b.col < 14
{order}
ON CONFLICT(tbl, id, col) DO UPDATE SET
    prior_hlc = CASE WHEN site = 1 THEN prior_hlc ELSE hlc END,
    prior_site = CASE WHEN site = 1 THEN prior_site ELSE site END,
    hlc = excluded.hlc, site = excluded.site
"""
STAMP_ROWS = """
INSERT INTO _spi_row(tbl, id, cl, hlc, site)
SELECT tbl, id, 1, {clock}, 1 FROM _spi_capture c WHERE seq > ?1 AND seq <= ?2 AND op = 1 {order}
ON CONFLICT(tbl, id) DO NOTHING
"""
# For `sorted`: each entry's clock is its group's, the first stamp at or after it.
GROUP_CLOCK = "(SELECT hlc FROM _spi_stamps s WHERE s.seq >= c.seq ORDER BY s.seq LIMIT 1)"


def interface_id(g):
    return "%08x-%04x-7000-8000-%012x" % (0x5B10001, (g >> 48) & 0xFFFF, g & 0xFFFFFFFFFFFF)


def raci_id(g, k):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "raci-%d-%d" % (g, k)))


class Variant:
    def __init__(self, name, directory, schema, triggers):
        self.name = name
        path = os.path.join(directory, name + ".db")
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA temp_store = MEMORY")
        for sql in schema:
            self.db.execute(sql)
        if name not in ("plain", "hooked"):
            for sql in triggers:
                self.db.execute(sql)
        if name in ("percommit", "noindex", "grouped", "sorted", "hooked"):
            self.db.executescript(METADATA)
        if name in ("percommit", "grouped", "sorted", "hooked"):
            self.db.executescript(ORIGIN_INDEXES)
        self.clock = 1000
        self.seconds = [0.0, 0.0]
        self.captured = []  # hooked: the entries a pre-update hook would have collected in this transaction

    def tick(self):
        self.clock += 1
        self.db.execute("UPDATE _spi_meta SET value = ? WHERE key = 'clock.last'", (self.clock,))
        return self.clock

    def capture(self, table, row_id, op, mask):
        if self.name == "hooked":
            self.captured.append((table, row_id, op, mask))

    def commit(self):
        """Ends a write transaction as this variant's engine would."""
        if self.captured:
            self.db.executemany("INSERT INTO _spi_capture(tbl, id, op, mask) VALUES (?, ?, ?, ?)", self.captured)
            self.captured = []
        if self.name in ("percommit", "noindex"):
            clock = self.tick()
            last = self.db.execute("SELECT max(seq) FROM _spi_capture").fetchone()[0] or 0
            self.db.execute(STAMP_CELLS.format(clock=clock, order=""), (0, last))
            self.db.execute(STAMP_ROWS.format(clock=clock, order=""), (0, last))
            self.db.execute("DELETE FROM _spi_capture")
            self.db.execute("INSERT OR REPLACE INTO _spi_knowledge VALUES (1, ?)", (clock,))
        elif self.name in ("grouped", "sorted", "hooked"):
            clock = self.tick()
            self.db.execute("INSERT INTO _spi_stamps SELECT max(seq), ? FROM _spi_capture", (clock,))
        self.db.execute("COMMIT")

    def stamp_waiting(self):
        """Stamps everything waiting (bulk variants), in one transaction."""
        if self.name not in ("grouped", "sorted", "hooked"):
            return
        self.db.execute("PRAGMA cache_size = -65536")
        self.db.execute("BEGIN IMMEDIATE")
        if self.name in ("grouped", "hooked"):
            after = 0
            for seq, clock in self.db.execute("SELECT seq, hlc FROM _spi_stamps ORDER BY seq").fetchall():
                self.db.execute(STAMP_CELLS.format(clock=clock, order=""), (after, seq))
                self.db.execute(STAMP_ROWS.format(clock=clock, order=""), (after, seq))
                after = seq
        else:
            last = self.db.execute("SELECT max(seq) FROM _spi_capture").fetchone()[0] or 0
            self.db.execute(STAMP_CELLS.format(clock=GROUP_CLOCK, order="ORDER BY c.tbl, c.id"), (0, last))
            self.db.execute(STAMP_ROWS.format(clock=GROUP_CLOCK, order="ORDER BY c.tbl, c.id"), (0, last))
        last = self.db.execute("SELECT max(hlc) FROM _spi_stamps").fetchone()[0]
        self.db.execute("DELETE FROM _spi_capture")
        self.db.execute("DELETE FROM _spi_stamps")
        self.db.execute("INSERT OR REPLACE INTO _spi_knowledge VALUES (1, ?)", (last,))
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA cache_size = -2000")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = sys.argv[2:] or VARIANTS
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit("unknown variant(s): %s; choose from %s" % (", ".join(unknown), ", ".join(VARIANTS)))
    if "plain" not in names:
        names = ["plain"] + names
    source = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    tables = ("interface", "raci_assignment")
    schema = [r[0] for r in source.execute(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND (tbl_name IN (?, ?) OR name = '_spi_capture') "
        "AND type IN ('table', 'index') ORDER BY type = 'index'", tables)]
    triggers = [r[0] for r in source.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN (?, ?)", tables)]
    numbers = dict(source.execute("SELECT name, idx FROM _spi_table WHERE name IN (?, ?)", tables).fetchall())
    interface_table, raci_table = numbers["interface"], numbers["raci_assignment"]
    if len(triggers) != 8:
        sys.exit("%s has %d capture triggers on the two tables, not 8: is it a register made by `spi init`?"
                 % (sys.argv[1], len(triggers)))
    rows = []
    for g in range(GROUPS):
        rows.append((
            (interface_id(g), "SPI-X-%d" % g, "Interface %d" % g, "practice", "provider", "design", "owner",
             "draft", "1.0", None, None, 12, "2027-01-01", None, "Description of interface %d" % g),
            [(raci_id(g, k), interface_id(g), "activity-%d" % k, "party", "R", "Role %d" % k) for k in range(4)],
        ))
    insert_interface = "INSERT INTO interface VALUES (%s)" % ", ".join("?" * 15)
    insert_raci = "INSERT INTO raci_assignment VALUES (?, ?, ?, ?, ?, ?)"
    with tempfile.TemporaryDirectory() as directory:
        variants = [Variant(n, directory, schema, triggers) for n in names]
        for phase in (0, 1):
            for turn, start in enumerate(range(0, GROUPS, PER_TRANSACTION)):
                for i in range(len(variants)):
                    v = variants[(i + turn) % len(variants)]
                    began = time.perf_counter()
                    v.db.execute("BEGIN IMMEDIATE")
                    for g in range(start, start + PER_TRANSACTION):
                        interface, racis = rows[g]
                        if phase == 0:
                            v.db.execute(insert_interface, interface)
                            v.capture(interface_table, interface[0], 1, -1)
                            for raci in racis:
                                v.db.execute(insert_raci, raci)
                                v.capture(raci_table, raci[0], 1, -1)
                        else:
                            v.db.execute("UPDATE interface SET title = ?, status = ? WHERE id = ?",
                                         ("Updated %d" % g, "in_review", interface[0]))
                            v.capture(interface_table, interface[0], 2, (1 << 1) | (1 << 6))  # title, status
                            for raci in racis:
                                v.db.execute("UPDATE raci_assignment SET role_title = ? WHERE id = ?",
                                             ("Updated role", raci[0]))
                                v.capture(raci_table, raci[0], 2, 1 << 4)  # role_title
                    v.commit()
                    v.seconds[phase] += time.perf_counter() - began
            for v in variants:
                began = time.perf_counter()
                v.stamp_waiting()
                v.seconds[phase] += time.perf_counter() - began
        plain = variants[0].seconds
        print("%-10s %9s %9s %9s" % ("variant", "inserts", "updates", "both"))
        for v in variants:
            print("%-10s %8.2fx %8.2fx %8.2fx   (%.2f s + %.2f s)" % (
                v.name, v.seconds[0] / plain[0], v.seconds[1] / plain[1], sum(v.seconds) / sum(plain),
                v.seconds[0], v.seconds[1]))


if __name__ == "__main__":
    main()
