import SPIReplication
public import SPISQLite

extension Register {
    /// Settles the open conflict `id` with the value `choice` names, on this replica; the settlement replicates, so
    /// the conflict is settled everywhere once it arrives.
    ///
    /// The edit is checked like any local edit: a new value against the field's type and the register's rules, and
    /// every choice against the access rules of the party this replica speaks for (when
    /// ``enforcesAccessRules`` is on).
    ///
    /// - Returns: the value the field holds now.
    /// - Throws: `RegisterError.Code.notFound` when no open conflict has this id;
    ///   `RegisterError.Code.invalidValue` for `mine` or `theirs` when neither value is this replica's;
    ///   ``RegisterError`` as ``RecordStore/put(_:id:fields:mode:)`` for a new value or a refused edit.
    @discardableResult
    public func resolveConflict(_ id: String, keep choice: ConflictChoice) throws -> DatabaseValue {
        guard let conflict = try replica.conflicts().first(where: { $0.id == id }) else {
            throw RegisterError(.notFound, "no open conflict has the id \(id); see `spi conflicts`")
        }
        let own = replica.siteID
        let value: DatabaseValue
        switch choice {
        case .winner: value = conflict.winner.value
        case .loser: value = conflict.loser.value
        case .mine, .theirs:
            let mineIsWinner: Bool
            if conflict.winner.site == own {
                mineIsWinner = true
            } else if conflict.loser.site == own {
                mineIsWinner = false
            } else {
                throw RegisterError(
                    .invalidValue, "neither value was written by this replica; keep the winner, the loser or a value")
            }
            value = (choice == .mine) == mineIsWinner ? conflict.winner.value : conflict.loser.value
        case .value(let text):
            // Checked and converted like any edit, then the conflict is settled with what was stored.
            try write { store in
                _ = try store.put(conflict.table, id: conflict.rowID, fields: [conflict.column: text], mode: .update)
            }
            let current =
                try replica.history(table: conflict.table, id: conflict.rowID)?.cells
                .first { $0.column == conflict.column }?.value ?? .null
            if try replica.conflicts().contains(where: { $0.id == id }) {
                try replica.resolveConflict(id, keep: current)
            }
            return current
        }
        try write { store in
            try store.checkAccess(
                RowWrite(table: conflict.table, id: conflict.rowID, kind: .update, values: [conflict.column: value]))
        }
        do {
            try replica.resolveConflict(id, keep: value)
        } catch let error as ReplicationError {
            throw RegisterError(error.code == .notFound ? .notFound : .invalidValue, error.message)
        }
        return value
    }
}
