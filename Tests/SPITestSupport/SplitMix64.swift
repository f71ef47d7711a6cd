/// SplitMix64: a tiny, fast, seedable generator, so that every generated test scenario replays from its seed.
///
/// Shared by the test targets (it is not part of any product).
public struct SplitMix64: RandomNumberGenerator {
    /// The generator's whole state; a seed is a starting state.
    public var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (`n` > 0), for picking among `n` choices.
    public mutating func next(below n: Int) -> Int {
        Int(next() % UInt64(n))
    }
}
