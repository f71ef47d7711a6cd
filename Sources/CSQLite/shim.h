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
