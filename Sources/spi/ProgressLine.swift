import Foundation
import NIOConcurrencyHelpers
import SPICommandSupport

/// A one-line progress indicator on standard error, shown only when it is a terminal and the work takes a while.
///
/// `Sendable`: a sync session reports progress from its own task; the line's state sits behind a lock.
final class ProgressLine: Sendable {
    private struct State {
        var shown = false
        var lastDraw = Date.distantPast
    }

    private let enabled: Bool
    private let started = Date()
    private let state = NIOLockedValueBox(State())

    /// A progress line; `enabled` is false for machine-readable output.
    init(enabled: Bool) {
        self.enabled = enabled && isatty(FileHandle.standardError.fileDescriptor) == 1
    }

    /// Redraws the line, at most ten times a second and only after the first half second.
    func update(_ text: String) {
        guard enabled, Date().timeIntervalSince(started) > 0.5 else { return }
        state.withLockedValue { state in
            guard Date().timeIntervalSince(state.lastDraw) > 0.1 else { return }
            state.lastDraw = Date()
            state.shown = true
            StandardStreams.writeError("\r\u{1B}[K\(text)")
        }
    }

    /// `count` per second since the line was made, as `1,234 changes/s` (for the progress text).
    func rate(_ count: Int, _ unit: String) -> String {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let perSecond = Int((Double(count) / elapsed).rounded())
        return "\(perSecond.formatted(.number.grouping(.automatic))) \(unit)/s"
    }

    /// Clears the line.
    func finish() {
        if state.withLockedValue({ $0.shown }) { StandardStreams.writeError("\r\u{1B}[K") }
    }
}
