/// Constants of the sync protocol (protocol/sync.md).
///
/// ```swift
/// FrameDecoder(maximumFrameSize: SyncProtocol.maximumFrameSize)
/// ```
public enum SyncProtocol {
    /// The protocol version this build speaks best.
    public static let currentVersion: UInt32 = 1
    /// Every protocol version this build speaks, newest first.
    public static let supportedVersions: [UInt32] = [1]
    /// The largest payload a frame may carry: 16 MiB. A longer length prefix is refused before any of it is read.
    public static let maximumFrameSize = 16 * 1024 * 1024
    /// The most refusals one `BatchAck` lists (the `refused` count covers them all).
    public static let maximumRefusalsPerAck = 64
    /// The length prefix: a 4-byte big-endian unsigned integer.
    public static let lengthPrefixSize = 4
    /// The receive window a peer gets when its `Hello` says 0.
    public static let defaultReceiveWindow: UInt32 = 4
    /// The largest receive window a peer may advertise.
    public static let maximumReceiveWindow: UInt32 = 64
    /// The longest `peer_name`, in bytes of UTF-8.
    public static let maximumNameLength = 256
    /// The longest `Error.message`, in bytes of UTF-8; longer ones are cut by the sender.
    public static let maximumErrorMessageLength = 1024
    /// The TCP port `spi serve` listens on when none is given.
    public static let defaultPort = 7373
}
