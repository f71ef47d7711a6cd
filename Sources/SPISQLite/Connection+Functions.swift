import CSQLite

extension Connection {
    /// Registers `name(x)`, a function written in C that turns a canonical lowercase UUID text (8-4-4-4-12 hex digits)
    /// into its 16 bytes and returns any other value unchanged: a compact key for UUID ids, cheap enough to call per
    /// row.
    public func createUUIDKeyFunction(_ name: String) throws(SQLiteError) {
        let rc = _spi_create_uuid_key_function(handle, name)
        if rc != SQLITE_OK { throw error(rc, sql: nil) }
    }

    /// Registers a deterministic scalar SQL function on this connection only.
    ///
    /// Functions exist only for the connection that registers them: triggers and views meant for any SQLite client
    /// (the stock `sqlite3` shell included) must not call them.
    ///
    /// ```swift
    /// try db.createFunction("double_it", argumentCount: 1) { args in
    ///     args[0].integerValue.map { .integer($0 * 2) } ?? .null
    /// }
    /// ```
    public func createFunction(
        _ name: String, argumentCount: Int32, _ body: @escaping ([DatabaseValue]) -> DatabaseValue
    ) throws(SQLiteError) {
        let box = Unmanaged.passRetained(FunctionBox(body)).toOpaque()
        let rc = sqlite3_create_function_v2(
            handle, name, argumentCount, SQLITE_UTF8 | SQLITE_DETERMINISTIC, box,
            { context, count, arguments in
                guard let context, let user = sqlite3_user_data(context) else { return }
                let function = Unmanaged<FunctionBox>.fromOpaque(user).takeUnretainedValue()
                var values: [DatabaseValue] = []
                values.reserveCapacity(Int(count))
                for i in 0..<Int(count) {
                    values.append(DatabaseValue(sqliteValue: arguments![i]))
                }
                switch function.body(values) {
                case .null: sqlite3_result_null(context)
                case .integer(let i): sqlite3_result_int64(context, i)
                case .real(let d): sqlite3_result_double(context, d)
                case .text(let s): sqlite3_result_text(context, s, Int32(s.utf8.count), _spi_sqlite_transient())
                case .blob(let b):
                    b.withUnsafeBytes { raw in
                        sqlite3_result_blob64(
                            context, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(b.count),
                            _spi_sqlite_transient())
                    }
                }
            },
            nil, nil,
            { user in
                if let user { Unmanaged<FunctionBox>.fromOpaque(user).release() }
            })
        if rc != SQLITE_OK { throw error(rc, sql: nil) }
    }
}

/// Holds a Swift function for SQLite's C callback.
final class FunctionBox {
    let body: ([DatabaseValue]) -> DatabaseValue
    init(_ body: @escaping ([DatabaseValue]) -> DatabaseValue) { self.body = body }
}

extension DatabaseValue {
    /// Reads a `sqlite3_value` (an argument of a SQL function).
    init(sqliteValue value: OpaquePointer?) {
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: self = .integer(sqlite3_value_int64(value))
        case SQLITE_FLOAT: self = .real(sqlite3_value_double(value))
        case SQLITE_TEXT:
            let count = Int(sqlite3_value_bytes(value))
            if let text = sqlite3_value_text(value) {
                self = .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
            } else {
                self = .text("")
            }
        case SQLITE_BLOB:
            let count = Int(sqlite3_value_bytes(value))
            if count > 0, let bytes = sqlite3_value_blob(value) {
                self = .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
            } else {
                self = .blob([])
            }
        default: self = .null
        }
    }
}
