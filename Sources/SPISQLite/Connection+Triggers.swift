import CSQLite

extension Connection {
    /// Whether triggers fire for statements this connection runs (`SQLITE_DBCONFIG_ENABLE_TRIGGER`).
    ///
    /// The setting belongs to this connection only: other connections to the same file, and other processes, keep
    /// firing triggers. Changing it expires this connection's prepared statements, which SQLite prepares again on
    /// their next use, so a change costs one re-preparation per statement.
    public var triggersEnabled: Bool {
        get { _spi_enable_triggers(handle, -1) == 1 }
        set { _ = _spi_enable_triggers(handle, newValue ? 1 : 0) }
    }

    /// Runs `body` with this connection's triggers off, and restores the previous setting afterwards, whether
    /// `body` returns or throws.
    ///
    /// Writes made this way are invisible to triggers, for example to a change-capture trigger, and to a
    /// ``ChangeCapture`` recording on this connection: use it for writes whose effects are recorded another way.
    public func withoutTriggers<T>(_ body: (Connection) throws -> T) rethrows -> T {
        let previous = triggersEnabled
        if previous { triggersEnabled = false }
        let capture = activeCapture
        if let capture { capture.pointee.paused += 1 }
        defer {
            if let capture { capture.pointee.paused -= 1 }
            if previous { triggersEnabled = true }
        }
        return try body(self)
    }
}
