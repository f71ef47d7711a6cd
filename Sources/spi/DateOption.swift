import ArgumentParser
import SPIRegister

/// The check every date option of a command makes: a calendar date written `YYYY-MM-DD`.
enum DateOption {
    /// Throws a `ValidationError` naming the first option whose value is given and is not a calendar date.
    ///
    /// ```swift
    /// try DateOption.validate(("--date", date), ("--next-review", nextReview))
    /// ```
    static func validate(_ options: (name: String, value: String?)...) throws {
        for (name, value) in options {
            if let value, !CivilDate.isValid(value) {
                throw ValidationError("invalid \(name) '\(value)': expected a date as YYYY-MM-DD")
            }
        }
    }
}
