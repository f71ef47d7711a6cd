/// Set by the `spi_stamp_fallback` SQL function when the fast stamping path meets a row it cannot handle.
///
/// Each ``Replica`` owns one, shared with the function registered on its connection. The function runs only while
/// the replica's own thread steps a stamping statement, so the flag needs no lock.
final class StampFallbackSignal {
    /// Whether the last fast stamping attempt met an update of a row without a live `_spi_row` entry.
    var fallback = false
    /// Whether stamping may take the fast path at all (tests turn it off to compare both paths).
    var fastPathEnabled = true
}

@available(*, unavailable)
extension StampFallbackSignal: Sendable {}
