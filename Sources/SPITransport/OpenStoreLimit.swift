import NIOConcurrencyHelpers

/// How many of a server's sessions hold the replica open at once: at most ``maximum``, the others waiting their turn,
/// first come, first served.
///
/// Each session works through its own store, a SQLite connection to the replica (``ReplicaSyncStore``), which parses
/// the register's schema and keeps its statements and page cache: about 2.5 MiB. A hub serving 200 providers at once
/// held 200 of them (B8: a peak of 533–576 MiB). With this limit the connections, and their memory, are bounded by
/// ``maximum`` instead of by the sessions.
///
/// **When a session waits.** A server's store opens on first use, which comes after the handshake: the session
/// answers `Hello` with `HelloAck` at once (it needs nothing from the replica), then asks for its turn here to read
/// the knowledge it sends next (``SyncSession/KnowledgeStep/read``). Waiting therefore never runs into the peer's
/// handshake timeout. It does not run into the server's idle timeout either: the session waits inside
/// ``ConnectionContext/waitingForTurn(_:)``, during which the peer is not held to account for its silence. The peer
/// sees a `HelloAck` and then nothing until its turn; a turn that takes longer than the peer's own idle timeout
/// (60 s by default) ends that session on the peer's side, which retries. A waiting session whose connection closed
/// meanwhile gives its turn back without opening anything.
///
/// **Why a session keeps its store to its end.** A scoped delta lives in its connection's temporary tables, and its
/// cursor reads them batch after batch, so a connection cannot change hands in mid-session. A peer that stalls thus
/// keeps its store for as long as the idle timeout lets it; a few such peers hold up the others no longer than that.
///
/// **Deadlock-free.** A session waits for two kinds of turns: this one, once, before its first use of the replica;
/// and the write turn (``TurnQueue``, one at a time), for each write. It always has its store before it asks for a
/// write turn, and a write turn lasts one store call, which waits for nothing but SQLite: no session holds a write
/// turn while it waits here, so every wait is for a holder that is making progress. Both queues are first come, first
/// served, so no session is overtaken.
///
/// ```swift
/// let stores = OpenStoreLimit(maximum: 8)
/// await stores.acquire()                 // a store's first use
/// stores.opened()
/// // … the session …
/// stores.closed()
/// stores.release()                       // its session's end
/// ```
final class OpenStoreLimit: Sendable {
    private struct Counts {
        var open = 0
        var peak = 0
        var openings = 0
    }

    private let turns: TurnQueue
    private let counts = NIOLockedValueBox(Counts())

    /// A limit of `maximum` stores open at once (at least one).
    init(maximum: Int) { self.turns = TurnQueue(permits: maximum) }

    /// The most stores open at once.
    var maximum: Int { turns.permits }

    /// Waits for a turn to hold a store open; ``release()`` it exactly once, when the store is closed.
    func acquire() async { await turns.acquire() }

    /// Gives a turn back: the oldest waiting session, if any, takes it.
    func release() { turns.release() }

    /// Counts a store that opened its connection.
    func opened() {
        counts.withLockedValue {
            $0.open += 1
            $0.openings += 1
            $0.peak = max($0.peak, $0.open)
        }
    }

    /// Counts a store that closed its connection.
    func closed() { counts.withLockedValue { $0.open -= 1 } }

    /// The stores open now.
    var open: Int { counts.withLockedValue { $0.open } }

    /// The most stores that were open at once.
    var peak: Int { counts.withLockedValue { $0.peak } }

    /// The stores opened so far.
    var openings: Int { counts.withLockedValue { $0.openings } }
}
