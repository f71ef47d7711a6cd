import SPIReplication
import SPISQLite

extension RegisterCheck {
    /// Approval records and review dates of SPIs.
    static func checkGovernance(_ context: Context) throws {
        let approvals = """
            SELECT id, \(blank("approved_by")), \(blank("approved_on")) FROM interface
            WHERE status = 'approved' AND (\(blank("approved_by")) OR \(blank("approved_on")))
            ORDER BY id
            """
        for row in try context.query(approvals) {
            guard let id = row[0] else { continue }
            let missing = [row[1] == "1" ? "approver" : nil, row[2] == "1" ? "approval date" : nil].compactMap { $0 }
            context.add(
                "approved-without-approval",
                "\(context.describe("interface", id)) is approved but has no \(missing.joined(separator: " and "))",
                [FindingRow(table: "interface", id: id)]
            )
        }

        let segregation = """
            SELECT i.id, p.name, i.approved_by = i.owner_id, coalesce(pa.kind, '') = 'organization' OR coalesce(pa.internal, 0) = 1
            FROM interface i
            JOIN person p ON p.id = i.approved_by LEFT JOIN party pa ON pa.id = p.party_id
            WHERE i.status = 'approved' AND (i.approved_by = i.owner_id
                OR NOT (coalesce(pa.kind, '') = 'organization' OR coalesce(pa.internal, 0) = 1)
                OR (p.approver IS NOT 1 AND EXISTS (SELECT 1 FROM person WHERE approver = 1)))
            ORDER BY i.id
            """
        for row in try context.query(segregation) {
            guard let id = row[0] else { continue }
            let who = row[1] ?? "its approver"
            context.add(
                "approval-not-segregated",
                "\(context.describe("interface", id)) is approved by "
                    + (row[2] == "1"
                        ? "its own owner, \(who)"
                        : row[3] == "1"
                            ? "\(who), who is not one of the register's approvers"
                            : "\(who), who is not of the organization or an internal party"),
                [FindingRow(table: "interface", id: id)]
            )
        }

        // Retired SPIs: the latest retirement record, and whether its person passes segregation of duties.
        let retirements = """
            SELECT i.id, p.name, r.reviewer_id IS NULL, r.reviewer_id = i.owner_id,
                coalesce(pa.kind, '') = 'organization' OR coalesce(pa.internal, 0) = 1,
                p.approver IS NOT 1 AND EXISTS (SELECT 1 FROM person WHERE approver = 1)
            FROM interface i
            LEFT JOIN review r ON r.id = (
                SELECT id FROM review WHERE interface_id = i.id AND outcome = 'retired'
                ORDER BY review_date DESC, id DESC LIMIT 1)
            LEFT JOIN person p ON p.id = r.reviewer_id LEFT JOIN party pa ON pa.id = p.party_id
            WHERE i.status = 'retired'
            ORDER BY i.id
            """
        for row in try context.query(retirements) {
            guard let id = row[0] else { continue }
            let who = row[1] ?? "its retirer"
            let problem: String
            if row[2] == "1" {
                problem = "is retired with no record of who retired it"
            } else if row[3] == "1" {
                problem = "was retired by its own owner, \(who)"
            } else if row[4] != "1" {
                problem = "was retired by \(who), who is not of the organization or an internal party"
            } else if row[5] == "1" {
                problem = "was retired by \(who), who is not one of the register's approvers"
            } else {
                continue
            }
            context.add(
                "retirement-not-segregated", "\(context.describe("interface", id)) \(problem)",
                [FindingRow(table: "interface", id: id)])
        }

        let reviews = "SELECT i.id, i.next_review FROM interface i WHERE \(live("i")) ORDER BY i.id"
        for row in try context.query(reviews) {
            guard let id = row[0], let next = row[1], CivilDate.isValid(next), next < context.today else { continue }
            let days =
                try context.db.scalar(
                    "SELECT CAST(julianday(?) - julianday(?) AS INTEGER)", [.text(context.today), .text(next)]
                )?.integerValue ?? 0
            context.add(
                "review-overdue",
                "\(context.describe("interface", id)): review was due on \(next), \(days) day\(days == 1 ? "" : "s") "
                    + "ago",
                [FindingRow(table: "interface", id: id)]
            )
        }

        let undated = "SELECT id FROM interface WHERE status = 'approved' AND \(blank("next_review")) ORDER BY id"
        for row in try context.query(undated) {
            guard let id = row[0] else { continue }
            context.add(
                "review-date-missing",
                "\(context.describe("interface", id)) is approved but has no next review date",
                [FindingRow(table: "interface", id: id)]
            )
        }
    }

    /// Signatures that do not verify, and SPIs changed since their parties signed them (on a replica: the checks need
    /// the register's id, which signatures sign).
    static func checkSignOff(_ context: Context) throws {
        let store = RecordStore(db: context.db, kind: .organization, today: context.today)
        // Approved SPIs whose content changed since the approval froze it.
        let approvedWithVersions = """
            SELECT DISTINCT i.id FROM interface i JOIN interface_version v ON v.interface_id = i.id
            WHERE i.status = 'approved' AND v.event = 'approved' ORDER BY i.id
            """
        for row in try context.query(approvedWithVersions) {
            guard let id = row[0], let digest = try Governance.approvedDigest(ofInterface: id, in: store),
                let approved = try store.db.rows(
                    "SELECT frozen_on, version, content FROM interface_version WHERE interface_id = ? AND digest = ? AND event = 'approved' ORDER BY frozen_on DESC, id DESC",
                    [.text(id), .text(digest)]
                ).first,
                let text = approved[2].textValue
            else { continue }
            let current = try InterfaceContent(of: id, in: store)
            guard current.digest != digest else { continue }
            let changes = try InterfaceContent(canonicalText: text).changes(to: current, in: store).count
            context.add(
                "changed-since-approved",
                "\(context.describe("interface", id)) changed since it was approved on \(approved[0].textValue ?? "?") (version "
                    + "\(approved[1].textValue ?? "-"); \(changes == 1 ? "1 change" : "\(changes) changes")): review it and "
                    + "approve it again",
                [FindingRow(table: "interface", id: id)])
        }
        guard let registerID = try Replica.registerID(context.db) else { return }
        for state in try Governance.signOffStates(registerID: registerID, in: store) {
            let spi = FindingRow(table: "interface", id: state.interfaceID)
            for check in state.checks where check.verdict == .invalid {
                context.add(
                    "signature-invalid",
                    "\(state.code): the signature for \(check.party) by \(check.person) of \(check.signature.signedOn) "
                        + "is invalid: \(check.problem ?? "")",
                    [spi, FindingRow(table: "interface_signature", id: check.signature.id)])
            }
            if let baseline = state.signedBaseline {
                context.add(
                    "changed-since-signed",
                    "\(state.code) changed since \(baseline.party) signed it on \(baseline.signature.signedOn) "
                        + "(\(state.changes.count == 1 ? "1 change" : "\(state.changes.count) changes")); it is not in "
                        + "force until both parties sign it again",
                    [spi])
            }
        }
    }
}
