// The change capture's implementation; the types and the functions Swift calls are in include/spi_capture.h.
#include "spi_capture.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

/// Creates a capture for `db`, or returns NULL when this SQLite has no pre-update hook (or out of memory).
_spi_capture *_spi_capture_create(sqlite3 *db) {
#ifdef RTLD_DEFAULT
    void *everywhere = RTLD_DEFAULT;
#else
    void *everywhere = NULL; // glibc's RTLD_DEFAULT, which it declares only with _GNU_SOURCE
#endif
    void *hook = dlsym(everywhere, "sqlite3_preupdate_hook");
    void *oldValue = dlsym(everywhere, "sqlite3_preupdate_old");
    void *newValue = dlsym(everywhere, "sqlite3_preupdate_new");
    void *depth = dlsym(everywhere, "sqlite3_preupdate_depth");
    if (!hook || !oldValue || !newValue || !depth) return NULL;
    _spi_capture *c = (_spi_capture *)calloc(1, sizeof(_spi_capture));
    if (!c) return NULL;
    c->db = db;
    c->hook = (_spi_preupdate_hook_fn)hook;
    c->oldValue = (_spi_preupdate_value_fn)oldValue;
    c->newValue = (_spi_preupdate_value_fn)newValue;
    c->depth = (_spi_preupdate_depth_fn)depth;
    c->lastTable = -1;
    return c;
}

/// Forgets every table.
void _spi_capture_clear_tables(_spi_capture *c) {
    for (int i = 0; i < c->tableCount; i++) {
        free(c->tables[i].name);
        free(c->tables[i].columns);
        free(c->tables[i].bits);
        free(c->tables[i].comparesClass);
    }
    free(c->tables);
    c->tables = NULL;
    c->tableCount = 0;
    c->lastName = NULL;
    c->lastTable = -1;
}

/// Adds a table to capture. Returns 0, or 1 when out of memory.
int _spi_capture_add_table(_spi_capture *c, const char *name, sqlite3_int64 number, int keyColumn,
        int columnCount, const int *columns, const int *bits,
        const unsigned char *comparesClass) {
    _spi_capture_table *tables =
        (_spi_capture_table *)realloc(c->tables, sizeof(_spi_capture_table) * (size_t)(c->tableCount + 1));
    if (!tables) return 1;
    c->tables = tables;
    _spi_capture_table *t = &tables[c->tableCount];
    size_t n = (size_t)(columnCount > 0 ? columnCount : 1);
    t->name = strdup(name);
    t->columns = (int *)malloc(sizeof(int) * n);
    t->bits = (int *)malloc(sizeof(int) * n);
    t->comparesClass = (unsigned char *)malloc(n);
    if (!t->name || !t->columns || !t->bits || !t->comparesClass) {
        free(t->name);
        free(t->columns);
        free(t->bits);
        free(t->comparesClass);
        return 1;
    }
    t->number = number;
    t->keyColumn = keyColumn;
    t->columnCount = columnCount;
    for (int i = 0; i < columnCount; i++) {
        t->columns[i] = columns[i];
        t->bits[i] = bits[i];
        t->comparesClass[i] = comparesClass[i];
    }
    c->tableCount += 1;
    c->lastName = NULL;
    c->lastTable = -1;
    return 0;
}

/// Drops every entry.
void _spi_capture_discard(_spi_capture *c) {
    c->count = 0;
    c->flushed = 0;
    c->used = 0;
    c->createdTrigger = 0;
    c->pending = 0;
    c->tainted = 0;
    c->failed = 0;
}

static int _spi_capture_find_table(_spi_capture *c, const char *name) {
    if (name == c->lastName) return c->lastTable;
    int found = -1;
    for (int i = 0; i < c->tableCount; i++) {
        // SQLite resolves table names regardless of case, so a table tracked as "memo" may be called "Memo".
        if (sqlite3_stricmp(c->tables[i].name, name) == 0) {
            found = i;
            break;
        }
    }
    // The name points into the table's schema entry, which lives as long as the schema does; the cache is cleared
    // at every statement's start (see _spi_capture_on_trace), so a schema reloaded in between is never trusted.
    c->lastName = name;
    c->lastTable = found;
    return found;
}

/// A value's bytes as the log stores them: integers and reals as their 8 bytes, text and blobs as they are.
static const void *_spi_capture_value_bytes(sqlite3_value *v, int *type, int *length, sqlite3_int64 *scratch) {
    *type = sqlite3_value_type(v);
    switch (*type) {
    case SQLITE_INTEGER:
        *scratch = sqlite3_value_int64(v);
        *length = 8;
        return scratch;
    case SQLITE_FLOAT: {
        double d = sqlite3_value_double(v);
        memcpy(scratch, &d, 8);
        *length = 8;
        return scratch;
    }
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
        // For a text value of a UTF-8 database this is its UTF-8 bytes, unconverted. The pointer first, then the
        // length, as SQLite's documentation orders the calls.
        const void *bytes = sqlite3_value_blob(v);
        *length = sqlite3_value_bytes(v);
        return bytes;
    }
    default:
        *length = 0;
        return NULL;
    }
}

static void _spi_capture_append(_spi_capture *c, sqlite3_int64 table, int op, sqlite3_int64 mask,
        sqlite3_value *key) {
    if (c->failed) return;
    if (c->count == c->capacity) {
        size_t capacity = c->capacity ? c->capacity * 2 : 1024;
        _spi_capture_entry *entries = (_spi_capture_entry *)realloc(c->entries, sizeof(_spi_capture_entry) * capacity);
        if (!entries) {
            c->failed = 1;
            return;
        }
        c->entries = entries;
        c->capacity = capacity;
    }
    int type = SQLITE_NULL, length = 0;
    sqlite3_int64 scratch = 0;
    const void *bytes = key ? _spi_capture_value_bytes(key, &type, &length, &scratch) : NULL;
    if (length > 0) {
        if (c->used + (size_t)length > c->byteCapacity) {
            size_t capacity = c->byteCapacity ? c->byteCapacity : 65536;
            while (capacity < c->used + (size_t)length) capacity *= 2;
            unsigned char *grown = (unsigned char *)realloc(c->bytes, capacity);
            if (!grown) {
                c->failed = 1;
                return;
            }
            c->bytes = grown;
            c->byteCapacity = capacity;
        }
        memcpy(c->bytes + c->used, bytes, (size_t)length);
    }
    _spi_capture_entry *e = &c->entries[c->count];
    e->table = table;
    e->op = op;
    e->mask = mask;
    e->keyType = type;
    e->keyLength = length;
    e->keyOffset = c->used;
    c->used += (size_t)length;
    c->count += 1;
}

/// Whether an entry's key is the value `v`, compared as stored (type and bytes).
static int _spi_capture_entry_key_is(_spi_capture *c, const _spi_capture_entry *e, sqlite3_value *v) {
    int type = SQLITE_NULL, length = 0;
    sqlite3_int64 scratch = 0;
    const void *bytes = _spi_capture_value_bytes(v, &type, &length, &scratch);
    if (type != e->keyType || length != e->keyLength) return 0;
    return length == 0 || memcmp(c->bytes + e->keyOffset, bytes, (size_t)length) == 0;
}

/// Whether `OLD.c IS NOT NEW.c` holds, as in the capture triggers: NULLs are equal to each other only, numbers
/// compare by value (1 and 1.0 are equal) unless the storage class counts too, text and blobs by their bytes.
static int _spi_capture_differ(sqlite3_value *a, sqlite3_value *b, int comparesClass) {
    int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);
    if (comparesClass && ta != tb) return 1;
    if (ta == SQLITE_NULL || tb == SQLITE_NULL) return ta != tb;
    int na = ta == SQLITE_INTEGER || ta == SQLITE_FLOAT;
    int nb = tb == SQLITE_INTEGER || tb == SQLITE_FLOAT;
    if (na && nb) {
        if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) return sqlite3_value_int64(a) != sqlite3_value_int64(b);
        if (ta == SQLITE_FLOAT && tb == SQLITE_FLOAT) return sqlite3_value_double(a) != sqlite3_value_double(b);
        sqlite3_int64 i = ta == SQLITE_INTEGER ? sqlite3_value_int64(a) : sqlite3_value_int64(b);
        double r = ta == SQLITE_FLOAT ? sqlite3_value_double(a) : sqlite3_value_double(b);
        if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0)) return 1;
        return (double)i != r || (sqlite3_int64)r != i;
    }
    if (na || nb || ta != tb) return 1;
    const void *pa = sqlite3_value_blob(a);
    const void *pb = sqlite3_value_blob(b);
    int la = sqlite3_value_bytes(a), lb = sqlite3_value_bytes(b);
    if (la != lb) return 1;
    return la > 0 && memcmp(pa, pb, (size_t)la) != 0;
}

/// A delete that REPLACE made to let a row in is reported just before the insert (or the re-key to that key) that
/// replaces it, in the same statement. The triggers never see such a delete (recursive triggers are off): drop it,
/// so that the insert alone is logged, as the triggers log it. Only an entry not yet written can be dropped.
static void _spi_capture_drop_replaced(_spi_capture *c, const _spi_capture_table *t, sqlite3_value *newKey) {
    if (c->pending && c->pendingStatement == c->statement && c->count > c->flushed) {
        _spi_capture_entry *last = &c->entries[c->count - 1];
        if (last->table == t->number && _spi_capture_entry_key_is(c, last, newKey)) {
            c->count -= 1;
            c->used = c->entries[c->count].keyOffset;
        }
    }
    c->pending = 0;
}

static void _spi_capture_on_change(void *context, sqlite3 *db, int op, const char *schema, const char *name,
        sqlite3_int64 oldRowid, sqlite3_int64 newRowid) {
    (void)oldRowid;
    (void)newRowid;
    _spi_capture *c = (_spi_capture *)context;
    if (!c->recording || c->paused || !schema || strcmp(schema, "main") != 0) return;
    int index = _spi_capture_find_table(c, name);
    if (index < 0) return;
    // Triggers are off while recording, and foreign keys are off on these connections: a change below the top
    // level (a foreign-key action) is one the triggers would capture with rules of their own. Never expected;
    // handled as a taint (the caller reconciles from the rows as they are).
    if (c->depth(db) > 0) c->tainted = 1;
    _spi_capture_table *t = &c->tables[index];
    sqlite3_value *oldKey = NULL, *newKey = NULL;
    switch (op) {
    case SQLITE_INSERT:
        if (c->newValue(db, t->keyColumn, &newKey) != SQLITE_OK || !newKey) {
            c->failed = 1;
            break;
        }
        _spi_capture_drop_replaced(c, t, newKey);
        _spi_capture_append(c, t->number, 1, -1, newKey);
        break;
    case SQLITE_DELETE:
        if (c->oldValue(db, t->keyColumn, &oldKey) != SQLITE_OK || !oldKey) {
            c->failed = 1;
            break;
        }
        _spi_capture_append(c, t->number, 3, 0, oldKey);
        c->pending = 1;
        c->pendingStatement = c->statement;
        break;
    case SQLITE_UPDATE: {
        if (c->oldValue(db, t->keyColumn, &oldKey) != SQLITE_OK || c->newValue(db, t->keyColumn, &newKey) != SQLITE_OK ||
            !oldKey || !newKey) {
            c->failed = 1;
            break;
        }
        if (!_spi_capture_differ(oldKey, newKey, 1)) {
            sqlite3_int64 mask = 0;
            for (int i = 0; i < t->columnCount; i++) {
                sqlite3_value *before = NULL, *after = NULL;
                if (c->oldValue(db, t->columns[i], &before) != SQLITE_OK ||
                    c->newValue(db, t->columns[i], &after) != SQLITE_OK || !before || !after) {
                    mask |= (sqlite3_int64)1 << t->bits[i];
                    continue;
                }
                if (_spi_capture_differ(before, after, t->comparesClass[i])) mask |= (sqlite3_int64)1 << t->bits[i];
            }
            c->pending = 0;
            _spi_capture_append(c, t->number, 2, mask, newKey);
        } else {
            // A re-key: the old key is deleted and the new one inserted, as the re-key trigger logs it.
            _spi_capture_drop_replaced(c, t, newKey);
            _spi_capture_append(c, t->number, 3, 0, oldKey);
            _spi_capture_append(c, t->number, 1, -1, newKey);
        }
        break;
    }
    default:
        break;
    }
}

/// If `sql` begins, after white space and comments, with the keyword `word` (upper case), the text after it;
/// otherwise NULL.
static const char *_spi_capture_word(const char *sql, const char *word) {
    const char *p = sql;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) p++;
            if (*p) p += 2;
        } else {
            break;
        }
    }
    size_t n = strlen(word);
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        if (ch != word[i]) return NULL;
    }
    char next = p[n];
    if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9') || next == '_') {
        return NULL;
    }
    return p + n;
}

/// Whether `sql` begins, after white space and comments, with the keyword `word` (upper case).
static int _spi_capture_starts_with(const char *sql, const char *word) {
    return _spi_capture_word(sql, word) != NULL;
}

/// Whether `sql` is a CREATE [TEMP | TEMPORARY] TRIGGER statement.
static int _spi_capture_creates_trigger(const char *sql) {
    const char *p = _spi_capture_word(sql, "CREATE");
    if (!p) return 0;
    const char *q = _spi_capture_word(p, "TEMP");
    if (!q) q = _spi_capture_word(p, "TEMPORARY");
    return _spi_capture_word(q ? q : p, "TRIGGER") != NULL;
}

static int _spi_capture_on_trace(unsigned type, void *context, void *statement, void *text) {
    (void)statement;
    _spi_capture *c = (_spi_capture *)context;
    if (type == SQLITE_TRACE_STMT && c->recording) {
        c->statement += 1;
        c->lastName = NULL;
        c->lastTable = -1;
        const char *sql = (const char *)text;
        if (!sql) return 0;
        // A statement rolled back to a savepoint (or a whole rollback) undoes changes already logged here, and a
        // schema change may move columns: either way the caller reconciles the log with the rows.
        if (_spi_capture_starts_with(sql, "ROLLBACK") || _spi_capture_starts_with(sql, "ALTER") ||
            _spi_capture_starts_with(sql, "DROP")) {
            c->tainted = 1;
        }
        if (_spi_capture_creates_trigger(sql)) c->createdTrigger = 1;
    }
    return 0;
}

/// Starts recording: installs the hook and the statement trace, with no entries.
void _spi_capture_start(_spi_capture *c) {
    _spi_capture_discard(c);
    c->statement = 0;
    c->paused = 0;
    c->recording = 1;
    c->hook(c->db, _spi_capture_on_change, c);
    sqlite3_trace_v2(c->db, SQLITE_TRACE_STMT, _spi_capture_on_trace, c);
}

/// Stops recording and removes the hook and the trace; the entries stay until flushed or discarded.
void _spi_capture_stop(_spi_capture *c) {
    c->recording = 0;
    c->hook(c->db, NULL, NULL);
    sqlite3_trace_v2(c->db, 0, NULL, NULL);
}

/// Reads entry `i`: its table number, operation, mask, and its key (type, bytes, length).
void _spi_capture_entry_at(_spi_capture *c, size_t i, sqlite3_int64 *table, int *op,
        sqlite3_int64 *mask, int *keyType, const void **key, int *keyLength) {
    _spi_capture_entry *e = &c->entries[i];
    *table = e->table;
    *op = e->op;
    *mask = e->mask;
    *keyType = e->keyType;
    *key = c->bytes ? c->bytes + e->keyOffset : NULL;
    *keyLength = e->keyLength;
}

/// Writes the entries not written yet through `insert` (parameters: table number, key, operation, mask); they
/// stay in memory, marked written, until discarded. Returns SQLITE_OK or the failing step's result code.
int _spi_capture_flush(_spi_capture *c, sqlite3_stmt *insert) {
    for (size_t i = c->flushed; i < c->count; i++) {
        _spi_capture_entry *e = &c->entries[i];
        const unsigned char *key = c->bytes ? c->bytes + e->keyOffset : NULL;
        sqlite3_reset(insert);
        sqlite3_bind_int64(insert, 1, e->table);
        switch (e->keyType) {
        case SQLITE_INTEGER: {
            sqlite3_int64 v;
            memcpy(&v, key, 8);
            sqlite3_bind_int64(insert, 2, v);
            break;
        }
        case SQLITE_FLOAT: {
            double v;
            memcpy(&v, key, 8);
            sqlite3_bind_double(insert, 2, v);
            break;
        }
        case SQLITE_TEXT:
            sqlite3_bind_text(insert, 2, e->keyLength ? (const char *)key : "", e->keyLength, SQLITE_STATIC);
            break;
        case SQLITE_BLOB:
            sqlite3_bind_blob(insert, 2, e->keyLength ? (const void *)key : (const void *)"", e->keyLength,
        SQLITE_STATIC);
            break;
        default:
            sqlite3_bind_null(insert, 2);
            break;
        }
        sqlite3_bind_int(insert, 3, e->op);
        sqlite3_bind_int64(insert, 4, e->mask);
        int rc = sqlite3_step(insert);
        if (rc != SQLITE_DONE) {
            sqlite3_reset(insert);
            sqlite3_clear_bindings(insert); // no pointer into the buffer outlives this call
            return rc;
        }
    }
    sqlite3_reset(insert);
    sqlite3_clear_bindings(insert);
    c->flushed = c->count;
    c->pending = 0;
    return SQLITE_OK;
}

/// Marks every entry written (the caller logged them another way).
void _spi_capture_mark_flushed(_spi_capture *c) {
    c->flushed = c->count;
    c->pending = 0;
}

/// Stops recording if need be and frees the capture.
void _spi_capture_destroy(_spi_capture *c) {
    if (!c) return;
    if (c->recording) _spi_capture_stop(c);
    _spi_capture_clear_tables(c);
    free(c->entries);
    free(c->bytes);
    free(c);
}
