// Change capture with SQLite's pre-update hook: the C core of SPISQLite's `ChangeCapture`.
//
// The hook runs once per row a statement inserts, updates or deletes, so it is written in C: a Swift callback costs
// a retain, a release and boxed values per row. It appends one entry per row change of a chosen table to a
// growable array (table number, key, operation, changed-column mask), the same entries the register's capture
// triggers write to `_spi_capture`, and `_spi_capture_flush` writes them out through a prepared INSERT.
//
// The hook API is optional in SQLite builds (SQLITE_ENABLE_PREUPDATE_HOOK; Debian's and Homebrew's libraries have
// it), so it is looked up at run time: without it, `_spi_capture_create` returns NULL and the caller keeps using
// triggers.
#ifndef SPI_CAPTURE_H
#define SPI_CAPTURE_H

#include <sqlite3.h>
#include <stddef.h>

typedef void (*_spi_preupdate_callback)(void *, sqlite3 *, int, const char *, const char *, sqlite3_int64,
        sqlite3_int64);
typedef void *(*_spi_preupdate_hook_fn)(sqlite3 *, _spi_preupdate_callback, void *);
typedef int (*_spi_preupdate_value_fn)(sqlite3 *, int, sqlite3_value **);
typedef int (*_spi_preupdate_depth_fn)(sqlite3 *);

/// One captured table: its number in the log, its key column and its tracked columns with their mask bits.
typedef struct {
    char *name;
    sqlite3_int64 number;
    int keyColumn;
    int columnCount;
    int *columns;                 // the column's index in the table (as pragma_table_xinfo's cid)
    int *bits;                    // its bit in the mask
    unsigned char *comparesClass; // 1: a change of storage class alone counts (ANY or untyped columns)
} _spi_capture_table;

/// One captured row change. The key's bytes live in the capture's byte buffer.
typedef struct {
    sqlite3_int64 table;
    sqlite3_int64 mask;
    int op; // 1 insert, 2 update, 3 delete
    int keyType;
    int keyLength;
    size_t keyOffset;
} _spi_capture_entry;

/// The capture state of one connection.
typedef struct {
    sqlite3 *db;
    _spi_preupdate_hook_fn hook;
    _spi_preupdate_value_fn oldValue;
    _spi_preupdate_value_fn newValue;
    _spi_preupdate_depth_fn depth;
    _spi_capture_table *tables;
    int tableCount;
    const char *lastName;
    int lastTable;
    _spi_capture_entry *entries;
    size_t count;
    size_t flushed;               // entries[0 ..< flushed] are written to the log already
    size_t capacity;
    unsigned char *bytes;
    size_t used;
    size_t byteCapacity;
    unsigned long long statement; // statements started while recording (trace callback)
    int pending;                  // the last entry is a delete that a REPLACE may have made
    unsigned long long pendingStatement;
    int recording;
    int paused;
    int tainted;                  // a ROLLBACK or schema statement ran, or a change was made below the top level
    int createdTrigger;           // a CREATE TRIGGER ran (it cannot fire while triggers are off)
    int failed;                   // out of memory, or a written row's key unreadable: entries were lost
} _spi_capture;

/// Creates a capture for `db`, or returns NULL when this SQLite has no pre-update hook (or out of memory).
_spi_capture *_spi_capture_create(sqlite3 *db);

/// Stops recording if need be and frees the capture.
void _spi_capture_destroy(_spi_capture *c);

/// Forgets every table.
void _spi_capture_clear_tables(_spi_capture *c);

/// Adds a table to capture. Returns 0, or 1 when out of memory.
int _spi_capture_add_table(_spi_capture *c, const char *name, sqlite3_int64 number, int keyColumn,
        int columnCount, const int *columns, const int *bits,
        const unsigned char *comparesClass);

/// Starts recording: installs the hook and the statement trace, with no entries.
void _spi_capture_start(_spi_capture *c);

/// Stops recording and removes the hook and the trace; the entries stay until flushed or discarded.
void _spi_capture_stop(_spi_capture *c);

/// Reads entry `i`: its table number, operation, mask, and its key (type, bytes, length).
void _spi_capture_entry_at(_spi_capture *c, size_t i, sqlite3_int64 *table, int *op,
        sqlite3_int64 *mask, int *keyType, const void **key, int *keyLength);

/// Writes the entries not written yet through `insert` (parameters: table number, key, operation, mask); they
/// stay in memory, marked written, until discarded. Returns SQLITE_OK or the failing step's result code.
int _spi_capture_flush(_spi_capture *c, sqlite3_stmt *insert);

/// Marks every entry written (the caller logged them another way).
void _spi_capture_mark_flushed(_spi_capture *c);

/// Drops every entry.
void _spi_capture_discard(_spi_capture *c);

#endif
