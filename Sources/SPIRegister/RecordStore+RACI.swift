import Foundation
import SPISQLite

extension RecordStore {
    /// Sets the RACI of SPI `interface` (an id or code) to `matrix`, for the activities and parties the matrix lists:
    /// each listed party holds exactly the listed letters on each listed activity afterwards (rows are added and
    /// removed; a kept row keeps its role title). Activities and parties the matrix leaves out are untouched.
    ///
    /// Every edit is checked as `spi raci add` and `spi raci remove` check it (the one-Accountable rule, the
    /// activity's practice, the access rules); removals come first, so that an Accountable can move from one party
    /// to another in one matrix. Run it inside ``Register/write(_:)``: on any error nothing changes.
    ///
    /// - Throws: ``RegisterError`` naming the matrix's party, activity or line that is refused.
    @discardableResult
    public func setRACI(of interface: String, to matrix: RACIMatrix) throws -> RACIChange {
        let spi = try resolve("interface", interface)
        let parties = try matrix.parties.map { party in
            do {
                return try resolve("party", party)
            } catch let error as RegisterError {
                throw RegisterError(error.code, "the header's party \(party): \(error.message)")
            }
        }
        var change = RACIChange()
        var wanted: [(activity: String, party: String, role: String, line: Int)] = []
        for row in matrix.rows {
            let activity: String
            do {
                activity = try resolve("activity", row.activity)
            } catch let error as RegisterError {
                throw RegisterError(error.code, "line \(row.line): \(error.message)")
            }
            for (party, letters) in zip(parties, row.letters) {
                let existing = try records(
                    "raci_assignment",
                    matching: ["interface_id": .text(spi), "activity_id": .text(activity), "party_id": .text(party)])
                for record in existing {
                    if let role = record["role"].textValue, letters.contains(role) {
                        change.unchanged += 1
                    } else {
                        _ = try delete("raci_assignment", record.id)
                        change.removed += 1
                    }
                }
                let held = Set(existing.compactMap { $0["role"].textValue })
                for role in RACIMatrix.letterOrder where letters.contains(role) && !held.contains(role) {
                    wanted.append((activity, party, role, row.line))
                }
            }
        }
        for item in wanted {
            do {
                _ = try put(
                    "raci_assignment",
                    fields: [
                        "interface_id": spi, "activity_id": item.activity, "party_id": item.party, "role": item.role,
                    ],
                    mode: .insert)
            } catch let error as RegisterError {
                throw RegisterError(error.code, "line \(item.line): \(error.message)")
            }
            change.added += 1
        }
        return change
    }

    /// Copies the RACI of SPI `source` to SPI `target` (ids or codes), role titles included, with each party of
    /// `parties` (a code or id) replaced by its value (`FAB` → `CON` when copying one provider's SPI to another's).
    ///
    /// The target must have no RACI yet, unless `replacing` (then its rows are removed first). Each row is checked
    /// as `spi raci add` checks it. Run it inside ``Register/write(_:)``: on any error nothing changes.
    ///
    /// - Throws: `RegisterError.Code.ruleViolated` when the target has RACI rows and `replacing` is false;
    ///   ``RegisterError`` as ``put(_:id:fields:mode:)`` for a refused row.
    @discardableResult
    public func copyRACI(
        from source: String, to target: String, parties: [String: String] = [:], replacing: Bool = false
    ) throws -> RACIChange {
        let from = try resolve("interface", source)
        let to = try resolve("interface", target)
        guard from != to else { throw RegisterError(.invalidValue, "--from and --to name the same SPI") }
        var map: [String: String] = [:]
        for (old, new) in parties { map[try resolve("party", old)] = try resolve("party", new) }
        var change = RACIChange()
        let existing = try records("raci_assignment", matching: ["interface_id": .text(to)])
        if !existing.isEmpty {
            guard replacing else {
                throw RegisterError(
                    .ruleViolated,
                    "\(try label("interface", to) ?? target) already has \(existing.count) RACI row"
                        + "\(existing.count == 1 ? "" : "s"); add --replace to replace them")
            }
            for record in existing {
                _ = try delete("raci_assignment", record.id)
                change.removed += 1
            }
        }
        for row in try records("raci_assignment", matching: ["interface_id": .text(from)]) {
            guard let party = row["party_id"].textValue, let activity = row["activity_id"].textValue,
                let role = row["role"].textValue
            else { continue }
            var fields = ["interface_id": to, "activity_id": activity, "party_id": map[party] ?? party, "role": role]
            if let title = row["role_title"].textValue, !title.isEmpty { fields["role_title"] = title }
            _ = try put("raci_assignment", fields: fields, mode: .insert)
            change.added += 1
        }
        return change
    }
}
