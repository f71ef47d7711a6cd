import SPISQLite

extension ReplicaCatalog {
    /// The local number of a site, registering it on first sight. 0 stands for "no site" (the zero version).
    func siteIndex(_ site: SiteID?, _ db: Connection) throws -> Int64 {
        guard let site else { return 0 }
        if let index = siteIndexCache[site] { return index }
        let blob = DatabaseValue.blob(site.bytes)
        if let index = try db.scalar("SELECT idx FROM _spi_site WHERE site = ?", [blob])?.integerValue {
            siteIndexCache[site] = index
            siteByIndexCache[index] = site
            return index
        }
        try db.execute("INSERT INTO _spi_site(site) VALUES (?)", [blob])
        guard let index = try db.scalar("SELECT idx FROM _spi_site WHERE site = ?", [blob])?.integerValue else {
            throw ReplicationError(.malformed, "could not register site \(site)")
        }
        // Not cached until the transaction commits would be purer; a rolled-back insert only wastes a number,
        // because the cache is cleared whenever a transaction that registered a site fails (see `Replica.apply`).
        siteIndexCache[site] = index
        siteByIndexCache[index] = site
        return index
    }

    /// The site with a local number; nil for 0.
    func site(at index: Int64, _ db: Connection) throws -> SiteID? {
        if index == 0 { return nil }
        if let site = siteByIndexCache[index] { return site }
        guard let bytes = try db.scalar("SELECT site FROM _spi_site WHERE idx = ?", [.integer(index)]),
            case .blob(let b) = bytes, let site = SiteID(bytes: b)
        else {
            throw ReplicationError(.malformed, "the replica refers to unknown site number \(index)")
        }
        siteIndexCache[site] = index
        siteByIndexCache[index] = site
        return site
    }

    /// Forgets cached site numbers, after a transaction that may have registered sites rolled back.
    func resetSiteCache() {
        siteIndexCache.removeAll()
        siteByIndexCache.removeAll()
    }

    /// The version stored as a (clock, local site number) pair.
    func version(clock: Int64, site index: Int64, _ db: Connection) throws -> Version {
        if clock == 0 && index == 0 { return .zero }
        return Version(clock: HybridLogicalClock(rawValue: UInt64(bitPattern: clock)), site: try site(at: index, db))
    }
}
