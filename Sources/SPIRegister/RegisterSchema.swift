public import SPISQLite

/// The register's tables, created and upgraded by versioned, forward-only migrations.
///
/// The tables are a public interface: users query them with the stock `sqlite3` shell and write reports against
/// them. Their rules, chosen so that any two valid replicas always merge:
/// - every primary key is a text UUID (`id`), with a default that generates a UUIDv4 for rows inserted by hand;
/// - no AUTOINCREMENT, no UNIQUE on non-key columns, no enforced foreign keys, no multi-column CHECKs;
/// - tables are STRICT, so that a value of the wrong type is refused at the source;
/// - domain rules (required fields, enumerations, unique codes, references) are checked by the domain layer on
///   local edits and reported by `spi check`, never enforced by SQLite.
///
/// The schema version is SQLite's `user_version`.
public enum RegisterSchema {
    /// A SQL expression that yields a random lowercase UUIDv4, used as the `id` default.
    public static let uuidDefault = """
        (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) \
        || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' \
        || lower(hex(randomblob(6))))
        """

    /// The register tables in dependency order (a table only refers to tables before it).
    public static let tableNames: [String] = [
        "party", "person", "practice", "activity", "metric", "service", "agreement", "service_level_target",
        "interface", "interface_service", "raci_assignment", "integration_point", "integration_data_item",
        "information_item", "information_recipient", "review", "party_peer", "service_level_result",
        "information_delivery",
        "interface_signature", "interface_version", "finding_action",
    ]

    /// The current schema version: the number of migrations.
    public static var currentVersion: Int { migrations.count }

    /// The migrations, in order. Migration `n` (1-based) takes `user_version` from `n - 1` to `n`.
    /// Never edit a shipped migration; append a new one.
    public static let migrations: [String] = [migration1, migration2, migration3, migration4]

    static func table(_ name: String, _ columns: String) -> String {
        "CREATE TABLE \(name) (\n    id TEXT PRIMARY KEY NOT NULL DEFAULT \(uuidDefault),\n\(columns)\n) STRICT;\n"
    }

    static let migration1: String =
        table(
            "party",
            """
                code TEXT,
                name TEXT,
                kind TEXT,
                internal INTEGER NOT NULL DEFAULT 0,
                notes TEXT
            """
        )
        + table(
            "person",
            """
                party_id TEXT,
                name TEXT,
                email TEXT,
                role TEXT,
                active INTEGER NOT NULL DEFAULT 1
            """
        )
        + table(
            "practice",
            """
                code TEXT,
                name TEXT,
                category TEXT,
                stage TEXT,
                owner_id TEXT,
                description TEXT
            """
        )
        + table(
            "activity",
            """
                practice_id TEXT,
                code TEXT,
                name TEXT,
                position INTEGER,
                description TEXT
            """
        )
        + table(
            "service",
            """
                code TEXT,
                name TEXT,
                type TEXT,
                status TEXT,
                owner_id TEXT,
                customer_id TEXT,
                provider_id TEXT,
                description TEXT
            """
        )
        + table(
            "agreement",
            """
                code TEXT,
                title TEXT,
                type TEXT,
                customer_id TEXT,
                provider_id TEXT,
                start_date TEXT,
                end_date TEXT,
                status TEXT,
                owner_id TEXT,
                notes TEXT
            """
        )
        + table(
            "service_level_target",
            """
                agreement_id TEXT,
                service_id TEXT,
                metric TEXT,
                priority TEXT,
                target REAL,
                unit TEXT,
                period TEXT,
                supports_id TEXT,
                notes TEXT
            """
        )
        + table(
            "interface",
            """
                code TEXT,
                title TEXT,
                practice_id TEXT,
                provider_id TEXT,
                stage TEXT,
                owner_id TEXT,
                status TEXT NOT NULL DEFAULT 'draft',
                version TEXT,
                approved_by TEXT,
                approved_on TEXT,
                review_interval_months INTEGER,
                next_review TEXT,
                agreement_id TEXT,
                description TEXT
            """
        )
        + table(
            "interface_service",
            """
                interface_id TEXT,
                service_id TEXT
            """
        )
        + table(
            "raci_assignment",
            """
                interface_id TEXT,
                activity_id TEXT,
                party_id TEXT,
                role TEXT,
                role_title TEXT
            """
        )
        + table(
            "integration_point",
            """
                interface_id TEXT,
                name TEXT,
                from_party_id TEXT,
                from_practice_id TEXT,
                to_party_id TEXT,
                to_practice_id TEXT,
                trigger_event TEXT,
                channel TEXT,
                standard TEXT,
                timing TEXT,
                correlation_key TEXT
            """
        )
        + table(
            "integration_data_item",
            """
                integration_point_id TEXT,
                name TEXT,
                description TEXT,
                mandatory INTEGER NOT NULL DEFAULT 0
            """
        )
        + table(
            "information_item",
            """
                interface_id TEXT,
                name TEXT,
                content TEXT,
                frequency TEXT,
                due_rule TEXT,
                format TEXT,
                sender_id TEXT
            """
        )
        + table(
            "information_recipient",
            """
                information_item_id TEXT,
                party_id TEXT,
                person_id TEXT
            """
        )
        + table(
            "review",
            """
                interface_id TEXT,
                review_date TEXT,
                body TEXT,
                outcome TEXT,
                reviewer_id TEXT,
                version_reviewed TEXT,
                notes TEXT
            """
        )
            + """
            CREATE INDEX person_party ON person(party_id);
            CREATE INDEX activity_practice ON activity(practice_id);
            CREATE INDEX target_agreement ON service_level_target(agreement_id);
            CREATE INDEX interface_provider ON interface(provider_id);
            CREATE INDEX interface_service_interface ON interface_service(interface_id);
            CREATE INDEX raci_interface ON raci_assignment(interface_id);
            CREATE INDEX integration_point_interface ON integration_point(interface_id);
            CREATE INDEX data_item_point ON integration_data_item(integration_point_id);
            CREATE INDEX information_item_interface ON information_item(interface_id);
            CREATE INDEX recipient_item ON information_recipient(information_item_id);
            CREATE INDEX review_interface ON review(interface_id);
            """

    /// Version 2: which replica (peer id and the site id derived from it) speaks for which party.
    static let migration2: String =
        table(
            "party_peer",
            """
                party_id TEXT,
                peer TEXT,
                site TEXT
            """
        )
            + """
            CREATE INDEX party_peer_site ON party_peer(site);
            """

    /// Version 3: the replica a binding's replica succeeds (its site id), after a key rotation (`spi key rotate`):
    /// receivers take the coverage of the old site from its successor.
    static let migration3 = """
        ALTER TABLE party_peer ADD COLUMN replaces TEXT;
        """

    /// Version 4: the signatures of SPIs' content by their parties (`spi interface sign`), each with the content it
    /// signed (protocol/signoff.md); the versions of SPIs frozen by approval or signature; the digest a review saw;
    /// the people who may approve (once any is named, only they approve); achieved service levels per target and
    /// period; deliveries of management information.
    static let migration4: String =
        table(
            "metric",
            """
                code TEXT,
                name TEXT,
                unit TEXT,
                higher_is_better INTEGER NOT NULL DEFAULT 1,
                notes TEXT
            """
        )
        + table(
            "interface_signature",
            """
                interface_id TEXT,
                party_id TEXT,
                person_id TEXT,
                version TEXT,
                signed_on TEXT,
                digest TEXT,
                content TEXT,
                public_key TEXT,
                signature TEXT
            """
        )
        + table(
            "interface_version",
            """
                interface_id TEXT,
                version TEXT,
                digest TEXT,
                content TEXT,
                frozen_on TEXT,
                frozen_by TEXT,
                event TEXT
            """
        )
        + table(
            "service_level_result",
            """
                target_id TEXT,
                period TEXT,
                value REAL,
                source TEXT,
                recorded_on TEXT
            """
        )
        + table(
            "information_delivery",
            """
                information_item_id TEXT,
                period TEXT,
                delivered_on TEXT,
                ref TEXT
            """
        )
        + table(
            "finding_action",
            """
                rule TEXT,
                subject_table TEXT,
                subject_row TEXT,
                owner_id TEXT,
                due_date TEXT,
                note TEXT
            """
        )
            + """
            CREATE INDEX service_level_result_target ON service_level_result(target_id);
            CREATE INDEX information_delivery_item ON information_delivery(information_item_id);
            CREATE INDEX interface_signature_interface ON interface_signature(interface_id);
            CREATE INDEX interface_version_interface ON interface_version(interface_id);
            ALTER TABLE review ADD COLUMN digest_reviewed TEXT;
            ALTER TABLE person ADD COLUMN approver INTEGER NOT NULL DEFAULT 0;
            """

    /// Brings a connection's schema up to ``currentVersion``, one migration per transaction.
    ///
    /// - Throws: `SQLiteError` from a failing migration (that migration is rolled back), or when the file's
    ///   version is newer than this build knows.
    /// - Returns: the version the file had before.
    @discardableResult
    public static func migrate(_ db: Connection) throws -> Int {
        let before = Int(try db.scalar("PRAGMA user_version")?.integerValue ?? 0)
        if before > currentVersion {
            throw SQLiteError(
                code: .error,
                message: "the register's schema version \(before) is newer than this build supports "
                    + "(\(currentVersion)); upgrade spi"
            )
        }
        for version in before..<currentVersion {
            try db.transaction { db in
                try db.execute(migrations[version])
                try db.execute("PRAGMA user_version = \(version + 1)")
            }
        }
        return before
    }
}
