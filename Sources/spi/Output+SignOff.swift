import Foundation
import SPIRegister

extension Output {
    /// A time in milliseconds since 1970 as a local date-time, to the minute: `2026-12-07 09:41`.
    static func localTime(milliseconds: UInt64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// An SPI's sign-off state for people: its summary, each signature with its verdict, and what changed since
    /// signed, by whom and when.
    static func signOff(_ state: SignOffState) -> [String] {
        var lines = ["\(state.code) (version \(state.version ?? "-"), \(state.status)): \(state.summary)"]
        lines.append("  content digest: \(state.digest)")
        if state.checks.isEmpty { lines.append("  no signatures") }
        for check in state.checks {
            let signature = check.signature
            let what: String
            switch check.verdict {
            case .current: what = "valid, of the current content"
            case .changedSinceSigned: what = "valid, of earlier content (digest \(signature.digest.prefix(12))…)"
            case .invalid: what = "INVALID: \(check.problem ?? "")"
            }
            lines.append(
                "  \(check.party) signed by \(check.person) on \(signature.signedOn), version \(signature.version ?? "-"), "
                    + "peer \(signature.peerID?.description ?? "?"): \(what)")
        }
        if let baseline = state.signedBaseline {
            lines.append(
                "  changed since \(baseline.party) signed on \(baseline.signature.signedOn) "
                    + "(\(Output.count(state.changes.count, "change"))):")
            for change in state.changes {
                var who: [String] = []
                if let by = change.by { who.append("by \(by)") }
                if let at = change.atMilliseconds { who.append(localTime(milliseconds: at)) }
                lines.append(
                    "    \(change.change.description)" + (who.isEmpty ? "" : " (\(who.joined(separator: ", ")))"))
            }
        }
        return lines
    }

    /// An SPI's sign-off state as a JSON object (`spi interface verify --json`).
    static func signOffJSON(_ state: SignOffState) -> JSONValue {
        let checks: [JSONValue] = state.checks.map { check in
            .object([
                "party": .string(check.party), "person": .string(check.person),
                "signedOn": .string(check.signature.signedOn),
                "version": check.signature.version.map(JSONValue.string) ?? .null,
                "digest": .string(check.signature.digest),
                "peerId": check.signature.peerID.map { .string($0.description) } ?? .null,
                "verdict": .string(check.verdict.rawValue), "problem": check.problem.map(JSONValue.string) ?? .null,
                "organizationSide": .bool(check.isOrganizationSide),
            ])
        }
        let changes: [JSONValue] = state.changes.map { change in
            .object([
                "kind": .string(change.change.kind.rawValue), "table": .string(change.change.table),
                "description": .string(change.change.description),
                "by": change.by.map(JSONValue.string) ?? .null,
                "at": change.atMilliseconds.map { .string(Output.time(milliseconds: Int64($0))) } ?? .null,
            ])
        }
        return .object([
            "code": .string(state.code), "status": .string(state.status),
            "version": state.version.map(JSONValue.string) ?? .null, "digest": .string(state.digest),
            "state": .string(state.summary), "inForce": .bool(state.isInForce),
            "changedSinceSigned": .bool(state.isChangedSinceSigned),
            "changedSinceApproved": .bool(state.isChangedSinceApproved), "signatures": .array(checks),
            "changes": .array(changes),
        ])
    }
}
