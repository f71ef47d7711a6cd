// The replication core's public API speaks of sites, registers and peers (`SiteID`, `RegisterID`, `PeerID`): every
// client of it needs them, so importing SPIReplication imports the identity layer below it too.
@_exported import SPIIdentity
