#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro cast of -1 to a destructor pointer, which Swift cannot import.
static inline sqlite3_destructor_type _spi_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// SQLITE_STATIC (a null destructor): the caller guarantees the bytes outlive the statement step.
static inline sqlite3_destructor_type _spi_sqlite_static(void) {
    return SQLITE_STATIC;
}

/// Turns off double-quoted string literals, a legacy misfeature that hides typos in column names.
/// sqlite3_db_config is variadic, which Swift cannot call.
static inline void _spi_disable_dqs(sqlite3 *db) {
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (void *)0);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (void *)0);
}

/// Turns this connection's triggers on or off (SQLITE_DBCONFIG_ENABLE_TRIGGER); returns the setting now in force.
/// Other connections to the same file are not affected.
static inline int _spi_enable_triggers(sqlite3 *db, int on) {
    int now = -1;
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, on, &now);
    return now;
}

/// spi_key(x): a canonical lowercase UUID text (8-4-4-4-12 hex digits) as its 16 bytes; any other value unchanged.
/// Written in C because stamping calls it once per changed row: a Swift function costs an array and boxed values
/// per call.
static inline void _spi_uuid_key(sqlite3_context *context, int count, sqlite3_value **arguments) {
    (void)count;
    sqlite3_value *value = arguments[0];
    if (sqlite3_value_type(value) != SQLITE_TEXT || sqlite3_value_bytes(value) != 36) {
        sqlite3_result_value(context, value);
        return;
    }
    const unsigned char *text = sqlite3_value_text(value);
    unsigned char bytes[16];
    int n = 0;
    int high = -1;
    for (int i = 0; i < 36; i++) {
        unsigned char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') { sqlite3_result_value(context, value); return; }
            continue;
        }
        int nibble;
        if (c >= '0' && c <= '9') nibble = c - '0';
        else if (c >= 'a' && c <= 'f') nibble = c - 'a' + 10;
        else { sqlite3_result_value(context, value); return; }
        if (high < 0) { high = nibble; } else { bytes[n++] = (unsigned char)(high << 4 | nibble); high = -1; }
    }
    sqlite3_result_blob(context, bytes, 16, SQLITE_TRANSIENT);
}

/// Registers `_spi_uuid_key` under `name` (deterministic, innocuous).
static inline int _spi_create_uuid_key_function(sqlite3 *db, const char *name) {
    return sqlite3_create_function_v2(db, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0,
                                      _spi_uuid_key, 0, 0, 0);
}
