import Foundation
import ArgumentParser

/// Parses `COLUMN=VALUE` arguments.
enum Assignment {
    /// The assignments as a dictionary; an empty value stays empty (it clears the column).
    ///
    /// - Throws: `ValidationError` for an argument without `=` or a column given twice.
    static func parse(_ arguments: [String]) throws -> [String: String] {
        var values: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ValidationError("expected COLUMN=VALUE, got '\(argument)'")
            }
            let column = String(argument[..<equals]).trimmingCharacters(in: .whitespaces)
            let value = String(argument[argument.index(after: equals)...])
            guard values.updateValue(value, forKey: column) == nil else {
                throw ValidationError("column '\(column)' is given twice")
            }
        }
        return values
    }
}
