extension Governance {
    /// One frozen version of an SPI (an `interface_version` row).
    public struct FrozenVersion: Sendable, Hashable {
        /// The row's id.
        public var id: String
        /// The SPI's version number when frozen, or nil.
        public var version: String?
        /// The content's digest.
        public var digest: String
        /// The day it was frozen.
        public var frozenOn: String
        /// Who approved or signed it (email or name), when known.
        public var frozenBy: String?
        /// What froze it: `approved` or `signed`.
        public var event: String
        /// The content, in canonical form.
        public var content: String
    }

    /// Freezes the SPI's current content as a version (`interface_version`), unless that content is frozen already by
    /// the same event: approving and signing call it, so that any replica can show the version again and compare it.
    ///
    /// - Returns: the version's row id.
    @discardableResult
    static func freeze(
        _ interface: Record, event: String, by person: String?, on date: String, in store: RecordStore
    ) throws -> String {
        let content = try InterfaceContent(of: interface.id, in: store)
        // Once per content and event: an approval of content a signature froze still records the approval.
        let existing = try store.db.scalar(
            "SELECT id FROM interface_version WHERE interface_id = ? AND digest = ? AND event = ?",
            [.text(interface.id), .text(content.digest), .text(event)])
        if let id = existing?.textValue { return id }
        var fields = [
            "interface_id": interface.id, "digest": content.digest, "content": content.canonicalText,
            "frozen_on": date, "event": event,
        ]
        if let version = interface["version"].textValue { fields["version"] = version }
        if let person { fields["frozen_by"] = person }
        return try store.put("interface_version", fields: fields, mode: .insert)
    }

    /// The frozen versions of an SPI, oldest first, one per content: when replicas froze the same content while
    /// apart, the first row (by day, then id) stands for it. A row whose content does not hash to its digest is
    /// left out.
    ///
    /// - Throws: a ``RegisterError`` when no SPI has that id or code.
    public static func versions(of reference: String, in store: RecordStore) throws -> [FrozenVersion] {
        let interface = try store.record("interface", reference)
        var seen: Set<String> = []
        return try store.select(
            store.spec("interface_version"), where: "interface_id = ?", [.text(interface.id)], order: "frozen_on, id"
        ).compactMap { record in
            guard let digest = record["digest"].textValue, let content = record["content"].textValue,
                InterfaceContent.digest(of: content) == digest, seen.insert(digest).inserted
            else { return nil }
            return FrozenVersion(
                id: record.id, version: record["version"].textValue, digest: digest,
                frozenOn: record["frozen_on"].textValue ?? "",
                frozenBy: try record["frozen_by"].textValue.flatMap {
                    try store.label("person", $0)
                }, event: record["event"].textValue ?? "", content: content)
        }
    }

    /// The content the SPI's latest approval froze (its digest), or nil when no approval froze one. Read from the
    /// approval's own row: ``versions(of:in:)`` keeps one row per content, which may be a signature's.
    static func approvedDigest(ofInterface id: String, in store: RecordStore) throws -> String? {
        for row in try store.db.rows(
            "SELECT digest, content FROM interface_version WHERE interface_id = ? AND event = ? ORDER BY frozen_on DESC, id DESC",
            [.text(id), .text(approved)])
        {
            if let digest = row[0].textValue, let content = row[1].textValue,
                InterfaceContent.digest(of: content) == digest
            {
                return digest
            }
        }
        return nil
    }

    /// The content of an SPI at `selector`: `current`, a frozen version's number (such as `1.2`; the latest frozen
    /// content with that number), or a digest prefix of at least 8 hex digits.
    ///
    /// - Throws: `RegisterError.Code.notFound` naming the frozen versions when none matches;
    ///   `RegisterError.Code.ambiguousReference` when a digest prefix matches several.
    public static func content(
        of reference: String, at selector: String, in store: RecordStore
    ) throws -> (content: InterfaceContent, label: String) {
        if selector == "current" {
            return (try InterfaceContent(of: reference, in: store), "current")
        }
        let versions = try versions(of: reference, in: store)
        let byNumber = versions.filter { $0.version == selector }
        let byDigest =
            selector.count >= 8 && selector.allSatisfy(\.isHexDigit)
            ? versions.filter { $0.digest.hasPrefix(selector.lowercased()) } : []
        let code = try store.label("interface", try store.resolve("interface", reference)) ?? reference
        if byNumber.isEmpty && Set(byDigest.map(\.digest)).count > 1 {
            throw RegisterError(
                .ambiguousReference,
                "the digest prefix \(selector) matches \(Set(byDigest.map(\.digest)).count) frozen versions of \(code)")
        }
        guard let match = byNumber.last ?? byDigest.last else {
            let known = versions.map { "\($0.version ?? "-") (\($0.digest.prefix(8)), \($0.event) on \($0.frozenOn))" }
            throw RegisterError(
                .notFound,
                "\(code) has no frozen version \(selector); "
                    + (known.isEmpty
                        ? "none is frozen yet (approving or signing it freezes one)"
                        : "frozen: \(known.joined(separator: ", ")), or current"))
        }
        return (
            try InterfaceContent(canonicalText: match.content),
            "version \(match.version ?? "-") (\(match.digest.prefix(8)))"
        )
    }
}
