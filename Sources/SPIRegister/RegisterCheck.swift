public import SPISQLite

/// The register's domain rules and gap findings: what `spi check` reports and the gap report explains.
///
/// Local edits are validated when they are made, but a merge never fails on a rule: two replicas can each make a
/// valid edit whose combination breaks one (both create `SPI-INC-FAB`; one deletes a party the other's new RACI row
/// uses). The check reads the register as it is, tolerating anything SQLite accepts (rows edited with the `sqlite3`
/// shell included), and reports every broken rule and gap as a ``Finding``. ``rules`` lists the rules.
///
/// The check only reads. Its output is deterministic: the same register and `today` give the same findings in the
/// same order (see ``Finding/<(_:_:)``).
///
/// ```swift
/// let findings = try RegisterCheck.run(db, today: "2025-03-01")
/// for finding in findings { print(finding.severity, finding.rule, finding.message) }
/// ```
public enum RegisterCheck {
    /// The number of days ahead in which an ending agreement is reported (`agreement-ending-soon`).
    public static let agreementWarningDays = 60

    /// Runs every rule of ``rules`` on a register.
    ///
    /// - Parameters:
    ///   - db: a connection to a register with the current schema (see ``RegisterSchema/migrate(_:)``). The check
    ///     only reads; run it inside a read transaction for a consistent view.
    ///   - today: the date that reviews and agreements are compared with, as `YYYY-MM-DD`.
    /// - Returns: the findings, deduplicated and sorted (errors first, then by rule and rows).
    /// - Throws: ``RegisterCheckError`` with `RegisterCheckError.Code.invalidDate` when `today` is not a date;
    ///   `SQLiteError` when the register cannot be read.
    public static func run(_ db: Connection, today: String) throws -> [Finding] {
        guard CivilDate.isValid(today) else {
            throw RegisterCheckError(.invalidDate, "'\(today)' is not a date; expected YYYY-MM-DD")
        }
        let context = try Context(db: db, today: today)
        try checkIntegrity(context)
        try checkOwnership(context)
        try checkRACI(context)
        try checkContent(context)
        try checkGovernance(context)
        try checkSignOff(context)
        try checkAgreements(context)
        return Array(Set(context.findings)).sorted()
    }

}
