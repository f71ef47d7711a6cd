public import SPIReplication

extension SyncMessage {
    /// The receiver of a batch applied and committed it durably: its sequence, and what applying did
    /// (protocol/sync.md §4.2, §7.3).
    ///
    /// The counts are for reports: the sender of the batch uses only ``sequence``. At most
    /// ``SyncProtocol/maximumRefusalsPerAck`` refusals are listed; ``refused`` counts them all.
    ///
    /// ```swift
    /// let message = SyncMessage.batchAck(SyncMessage.BatchAck(sequence: 1, report: report))
    /// ```
    public struct BatchAck: Sendable, Hashable {
        /// The sequence of the batch acknowledged.
        public var sequence: UInt64
        /// Changes that took effect.
        public var applied: UInt64
        /// Changes the receiver already held.
        public var alreadyKnown: UInt64
        /// Changes that lost to newer values the receiver held.
        public var lost: UInt64
        /// Changes the receiver refused by permission (not applied).
        public var refused: UInt64
        /// What was refused and why: at most ``SyncProtocol/maximumRefusalsPerAck`` entries.
        public var refusals: [Refusal]

        /// Creates an acknowledgement with these counts.
        public init(
            sequence: UInt64, applied: UInt64 = 0, alreadyKnown: UInt64 = 0, lost: UInt64 = 0, refused: UInt64 = 0,
            refusals: [Refusal] = []
        ) {
            self.sequence = sequence
            self.applied = applied
            self.alreadyKnown = alreadyKnown
            self.lost = lost
            self.refused = refused
            self.refusals = refusals
        }

        /// The acknowledgement of batch `sequence` that reports what applying it did.
        ///
        /// It keeps the counts the wire carries: the first ``SyncProtocol/maximumRefusalsPerAck`` refusals, each
        /// reason cut to 512 characters and each count to `UInt32.max`.
        public init(sequence: UInt64, report: ApplyReport) {
            self.init(
                sequence: sequence, applied: UInt64(max(0, report.applied)),
                alreadyKnown: UInt64(max(0, report.alreadyKnown)), lost: UInt64(max(0, report.lost)),
                refused: UInt64(max(0, report.refused)),
                refusals: report.refusals.prefix(SyncProtocol.maximumRefusalsPerAck).map { refusal in
                    Refusal(
                        table: refusal.table, id: refusal.id, origin: refusal.origin, columns: refusal.columns,
                        reason: String(refusal.reason.prefix(512)), count: Int(UInt32(clamping: refusal.count)))
                })
        }

        /// What the peer reported, as an `ApplyReport` of one batch (counts beyond `Int.max` are clamped).
        public var report: ApplyReport {
            var report = ApplyReport()
            report.applied = Int(clamping: applied)
            report.alreadyKnown = Int(clamping: alreadyKnown)
            report.lost = Int(clamping: lost)
            report.refused = Int(clamping: refused)
            report.refusals = refusals
            report.batches = 1
            return report
        }
    }
}
