import Foundation
import SPIReplication
import SPISQLite
import Testing

/// Local settings: what the layers above the replication core keep in the replica without SQL of their own.
@Suite("local settings")
struct LocalSettingsTests {
    @Test("settings under a layer's prefix are set, listed in key order, read and removed, and never replicate")
    func lifecycle() throws {
        try withTemporaryDirectory { dir in
            let replicas = try makeReplicas(2, in: dir)
            let replica = replicas[0]
            try replica.updateLocalSettings { settings in
                try settings.set("2", for: "peer:zeta")
                try settings.set("1", for: "peer:alpha")
                try settings.set("x", for: "other:alpha")
            }
            #expect(
                try replica.readLocalSettings { try $0.entries(withPrefix: "peer:") }.map(\.key) == [
                    "peer:alpha", "peer:zeta",
                ])
            #expect(try replica.readLocalSettings { try $0.value(for: "peer:zeta") } == "2")
            #expect(try replica.updateLocalSettings { try $0.remove("peer:zeta") })
            #expect(try replica.updateLocalSettings { try $0.remove("peer:zeta") } == false)
            #expect(try replica.readLocalSettings { try $0.entries(withPrefix: "peer:") }.map(\.value) == ["1"])
            // A throwing body writes nothing.
            struct Stop: Error {}
            #expect(throws: Stop.self) {
                try replica.updateLocalSettings { settings in
                    try settings.set("3", for: "peer:beta")
                    throw Stop()
                }
            }
            #expect(try replica.readLocalSettings { try $0.value(for: "peer:beta") } == nil)
            // Nothing of it replicates.
            #expect(try delta(from: replica, to: replicas[1]).allSatisfy { $0.rows.isEmpty })
        }
    }

    @Test("the replication core's own settings cannot be changed through them")
    func coreKeysRefused() throws {
        try withTemporaryDirectory { dir in
            let replica = try makeReplicas(1, in: dir)[0]
            let site = replica.siteID
            for key in ["site.id", "clock.last", ":x", "no prefix", "pe er:x"] {
                #expect {
                    try replica.updateLocalSettings { try $0.set("00000000-0000-4000-8000-000000000000", for: key) }
                } throws: { ($0 as? ReplicationError)?.code == .invalidValue }
                #expect(throws: ReplicationError.self) { try replica.updateLocalSettings { try $0.remove(key) } }
            }
            #expect(try replica.metadata("site.id") == .text(site.description))
        }
    }
}
