import Foundation
public import SPISQLite

/// Renders the register's reports (see ``ReportName``) in Markdown, HTML, CSV or JSON (see ``ReportFormat``).
///
/// Reports read the register as it is — a register that breaks rules renders, with the breaks marked — and take
/// their findings from ``RegisterCheck``, so the RACI matrix, the service-level matrix and the gap report agree
/// with `spi check`. The output is deterministic for a given register, arguments and `generatedAt`.
///
/// The CSV columns and the JSON shape of each report are documented in `docs/reports.md` and are a stable
/// interface.
///
/// ```swift
/// let html = try ReportRenderer.render(
///     .document, format: .html, db: db, provider: "FAB", registerName: "Northwind",
///     generatedAt: "2025-03-14T09:30:00Z", today: "2025-03-14")
/// ```
public enum ReportRenderer {
    /// Renders one report.
    ///
    /// - Parameters:
    ///   - report: which report.
    ///   - format: the output format.
    ///   - db: the register (read only; run inside a read transaction for a consistent view).
    ///   - provider: a party code (or id) that limits the report to that provider's SPIs, agreements and
    ///     findings; nil for all. Without one, `document` renders one section per provider.
    ///   - registerName: the register's name, shown in the header.
    ///   - generatedAt: the generation time, shown in the header (such as `2025-03-14T09:30:00Z`).
    ///   - today: the date that next due dates, overdue reviews and ending agreements are computed from,
    ///     `YYYY-MM-DD`.
    ///   - periods: how many of the latest periods of achieved levels the levels report shows per target (the trend;
    ///     1 to 36).
    /// - Returns: the report's text.
    /// - Throws: ``ReportError`` for an unknown provider, a bad date or a number of periods out of range;
    ///   `SQLiteError` when the register cannot be read.
    public static func render(
        _ report: ReportName, format: ReportFormat, db: Connection, provider: String?, registerName: String,
        generatedAt: String, today: String, periods: Int = 3
    ) throws -> String {
        guard let todayDate = CivilDate(today) else {
            throw ReportError(.invalidDate, "'\(today)' is not a date; expected YYYY-MM-DD")
        }
        return try render(
            report, format: format, data: try ReportData(db, today: today), provider: provider,
            registerName: registerName, generatedAt: generatedAt, today: todayDate, periods: periods)
    }

    /// A report's body as an HTML fragment to place inside another page (the local app's): its intro and sections,
    /// without the standalone document's wrapper, styles, contents or footer. The page supplies the styles of the
    /// classes it uses (`heat-good`, `heat-partial`, `heat-poor`, `heat-missing`, `flag`, `marker`, `detail`, `nw`).
    ///
    /// - Throws: as ``render(_:format:db:provider:registerName:generatedAt:today:periods:)``.
    public static func renderFragment(
        _ report: ReportName, db: Connection, provider: String?, registerName: String, generatedAt: String,
        today: String
    ) throws -> String {
        guard let todayDate = CivilDate(today) else {
            throw ReportError(.invalidDate, "'\(today)' is not a date; expected YYYY-MM-DD")
        }
        let data = try ReportData(db, today: today)
        let context = Context(
            data: data, provider: try scope(provider, in: data), registerName: registerName, generatedAt: generatedAt,
            today: todayDate)
        return output(report, context).document.htmlFragment()
    }

    /// The range of ``render(_:format:db:provider:registerName:generatedAt:today:periods:)``'s `periods`.
    public static let periodRange = 1...36

    /// Renders a report from loaded data.
    static func render(
        _ report: ReportName, format: ReportFormat, data: ReportData, provider: String?, registerName: String,
        generatedAt: String, today todayDate: CivilDate, periods: Int = 3
    ) throws -> String {
        guard periodRange.contains(periods) else {
            throw ReportError(
                .invalidArgument,
                "\(periods) periods is out of range; give \(periodRange.lowerBound) to \(periodRange.upperBound)")
        }
        let context = Context(
            data: data, provider: try scope(provider, in: data), registerName: registerName, generatedAt: generatedAt,
            today: todayDate, periods: periods
        )
        let content = output(report, context)
        switch format {
        case .md: return content.document.markdown() + "\n"
        case .html: return content.document.html()
        case .csv: return ReportCSV.render(columns: content.columns, rows: content.rows.map { $0.map(\.csvField) })
        case .json: return json(report, content, context).rendered()
        }
    }

    /// The party a provider filter names (by code, any case, or id); nil for no filter.
    static func scope(_ provider: String?, in data: ReportData) throws -> ReportData.Party? {
        guard let provider else { return nil }
        let key = provider.trimmingCharacters(in: .whitespaces)
        guard let party = data.parties.first(where: { $0.code.uppercased() == key.uppercased() || $0.id == key }) else {
            let codes = data.parties.filter { $0.kind == "provider" }.map(\.code).joined(separator: ", ")
            throw ReportError(.unknownProvider, "no party with code '\(provider)'; providers: \(codes)")
        }
        return party
    }

    /// A report's content, before it is written in a format.
    static func output(_ report: ReportName, _ context: Context) -> Output {
        switch report {
        case .document: documentReport(context)
        case .raci: raciReport(context)
        case .integration: integrationReport(context)
        case .calendar: calendarReport(context)
        case .levels: levelsReport(context)
        case .gaps: gapsReport(context)
        case .ecosystem: ecosystemReport(context)
        }
    }

    /// The CSV columns of a report, in order (also the keys of each JSON row).
    public static func columns(of report: ReportName) -> [String] {
        switch report {
        case .document: documentColumns
        case .raci: raciColumns
        case .integration: integrationColumns
        case .calendar: calendarColumns
        case .levels: levelsColumns
        case .gaps: gapsColumns
        case .ecosystem: ecosystemColumns
        }
    }

    /// What a report run sees.
    struct Context {
        var data: ReportData
        var provider: ReportData.Party?
        var registerName: String
        var generatedAt: String
        var today: CivilDate
        /// How many of the latest periods of achieved levels the levels report shows per target.
        var periods = 3

        /// The header lines shared by every report.
        var meta: [(String, String)] {
            var lines = [("Register", registerName), ("Generated", generatedAt), ("Date", today.text)]
            if let provider { lines.append(("Provider", "\(provider.name) (\(provider.code))")) }
            return lines
        }

        /// The SPIs in scope, by code.
        var interfaces: [ReportData.Interface] { data.interfaces(provider: provider?.id) }

        /// A title with the provider filter.
        func title(_ base: String) -> String {
            guard let provider else { return base }
            return "\(base): \(provider.name) (\(provider.code))"
        }

        /// The findings in scope.
        var findings: [Finding] {
            guard let provider else { return data.findings }
            return data.findings.filter { finding in
                finding.rows.contains { data.providers(of: $0).contains(provider.id) }
            }
        }
    }

    /// What a report produces before formatting.
    struct Output {
        /// The layout for Markdown and HTML.
        var document: ReportDocument
        /// The CSV columns (and JSON row keys).
        var columns: [String]
        /// One value per column, per row.
        var rows: [[ReportJSON]]
        /// Report-specific members added to the JSON object after `rows`.
        var extra: [(String, ReportJSON)] = []
    }

    /// The JSON object of a report: the envelope, the rows as objects, and the report's extra members.
    static func json(_ report: ReportName, _ output: Output, _ context: Context) -> ReportJSON {
        let rows = output.rows.map { row in ReportJSON.object(Array(zip(output.columns, row))) }
        return .object(
            [
                ("report", .string(report.rawValue)),
                ("title", .string(report.title)),
                ("register", .string(context.registerName)),
                ("generatedAt", .string(context.generatedAt)),
                ("today", .string(context.today.text)),
                ("provider", .text(context.provider?.code)),
                ("columns", .strings(output.columns)),
                ("rows", .array(rows)),
            ] + output.extra
        )
    }

    // MARK: Shared labels

    /// A channel as people write it.
    static func channelLabel(_ channel: String?) -> String {
        switch channel {
        case "api": "API"
        case "e_bonding": "e-bonding"
        case nil: ""
        case let other?: other.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// An enumeration value as people write it (`time_to_resolve` → `time to resolve`).
    static func words(_ value: String?) -> String {
        (value ?? "").replacingOccurrences(of: "_", with: " ")
    }

    /// A target value with its unit, such as `99.9 %` or `4 h`.
    static func targetText(_ target: ReportData.Target?) -> String {
        guard let target, let value = target.value else { return "" }
        return "\(RegisterCheck.format(value)) \(RegisterCheck.unitSymbol(target.unit ?? ""))"
            .trimmingCharacters(in: .whitespaces)
    }

    /// A target as people name it: agreement, service, metric and priority.
    static func targetLabel(_ target: ReportData.Target?, _ data: ReportData) -> String {
        guard let target else { return "" }
        let agreement = target.agreementID.flatMap { data.agreementByID[$0]?.code } ?? "?"
        let service = target.serviceID.flatMap { data.serviceByID[$0]?.code } ?? "?"
        return [agreement, service, words(target.metric), target.priority].compactMap { $0 }.joined(separator: " ")
    }

    /// RACI letters in the conventional order: A, R, C, I.
    static func letters(_ roles: [String]) -> String {
        let order = ["A", "R", "C", "I"]
        return roles.sorted { (order.firstIndex(of: $0) ?? 9, $0) < (order.firstIndex(of: $1) ?? 9, $1) }
            .joined(separator: "/")
    }

    /// A short explanation of a RACI finding for a matrix cell.
    static func raciViolationText(_ finding: Finding) -> String {
        switch finding.rule {
        case "raci-no-accountable": "no Accountable"
        case "raci-multiple-accountable":
            "\(finding.rows.filter { $0.table == "raci_assignment" }.count) Accountables"
        case "raci-no-responsible": "no Responsible"
        case "raci-activity-outside-practice": "activity of another practice"
        default: RegisterCheck.rule(finding.rule)?.title ?? finding.rule
        }
    }
}
