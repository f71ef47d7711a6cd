import Foundation
public import SPISQLite

/// Achieved service levels against their targets: which way is better, whether a result meets its target, and the
/// period labels results use.
///
/// ```swift
/// ServiceLevel.isHigherBetter(unit: "percent")               // true: availability of 99.95 beats 99.9
/// ServiceLevel.meets(value: 12, target: 10, unit: "minutes") // false: a slower response
/// ServiceLevel.periodProblem("2026-11", for: "month")        // nil
/// ```
public enum ServiceLevel {
    /// Whether a higher value is better for a target in `unit`: percentages (availability, on-time delivery) are
    /// better higher; durations (`minutes`, `hours`, `days`, `business_days`) are better lower.
    public static func isHigherBetter(unit: String?) -> Bool { unit == "percent" }

    /// Whether `value` meets `target` (at the target counts as met): by the metric's direction when known
    /// (`higherIsBetter`, from the register's `metric` table), else by the unit's.
    public static func meets(value: Double, target: Double, unit: String?, higherIsBetter: Bool? = nil) -> Bool {
        (higherIsBetter ?? isHigherBetter(unit: unit)) ? value >= target : value <= target
    }

    /// How far `value` is from `target`: measured figures carry a few decimals at most, so the binary noise of the
    /// difference is rounded away (to 4 decimals).
    public static func margin(_ value: Double, _ target: Double) -> Double {
        (abs(value - target) * 10_000).rounded() / 10_000
    }

    /// Whether a higher value is better for the metric with `code` in the register on `db` (nil when there is none).
    public static func higherIsBetter(metric code: String?, _ db: Connection) throws -> Bool? {
        guard let code else { return nil }
        return try db.scalar("SELECT higher_is_better FROM metric WHERE code = ?", [.text(code)])?.integerValue.map {
            $0 != 0
        }
    }

    /// The shape of a period label for a target's `period`, with an example.
    static func periodShape(_ period: String?) -> (pattern: String, example: String) {
        switch period {
        case "day": return (#"^\d{4}-\d{2}-\d{2}$"#, "2026-11-20")
        case "week": return (#"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"#, "2026-W47")
        case "quarter": return (#"^\d{4}-Q[1-4]$"#, "2026-Q4")
        case "year": return (#"^\d{4}$"#, "2026")
        default: return (#"^\d{4}-(0[1-9]|1[0-2])$"#, "2026-11")
        }
    }

    /// Why `label` is not a period of a target measured per `period` (`month` when nil), or nil when it is.
    public static func periodProblem(_ label: String, for period: String?) -> String? {
        let shape = periodShape(period)
        if label.range(of: shape.pattern, options: .regularExpression) != nil {
            if period == "day", !CivilDate.isValid(label) { return "'\(label)' is not a date" }
            return nil
        }
        return "'\(label)' is not a \(period ?? "month") period; write it as \(shape.example)"
    }
}
