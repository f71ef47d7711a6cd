import Foundation
import Testing

/// The package's layers (docs/architecture.md), checked on the source: each target imports only the targets below it
/// that it is declared to use. A new target must be declared here too.
@Suite("architecture")
struct LayerTests {
    /// Per target, the package's own modules it may import, bottom up.
    static let allowed: [String: Set<String>] = [
        // Every error type's extensible code: the one pattern, below every layer.
        "SPIErrorCode": [],
        "CSQLite": [],
        "CSPICapture": [],
        "SPISQLite": ["CSQLite", "CSPICapture"],
        "SPIIdentity": ["SPIErrorCode"],
        "SPIReplication": ["SPISQLite", "SPIIdentity", "SPIErrorCode"],
        "SPIProtocol": ["SPIReplication", "SPIIdentity", "SPIErrorCode"],
        // The transport keeps its trusted peers in the replica's local settings, through the replication core.
        "SPITransport": ["SPIProtocol", "SPIReplication", "SPIIdentity"],
        // The domain needs the replication core and identity, never the protocol or the transport.
        "SPIRegister": ["SPIReplication", "SPIIdentity", "SPISQLite", "SPIErrorCode"],
        // The local web app: pages over the domain; it reads no replication internals and needs no sync transport.
        "SPIApp": ["SPIRegister", "SPIReplication", "SPIIdentity", "SPISQLite"],
        // What the command-line tools share; it needs none of the package's libraries.
        "SPICommandSupport": [],
        // The benchmark suite: the libraries it measures, never the command or the transport's internals (its
        // network scenarios run `spi` processes).
        "spi-bench": ["SPICommandSupport", "SPIRegister", "SPIReplication", "SPISQLite"],
        "spi": [
            "SPIApp", "SPICommandSupport", "SPIRegister", "SPITransport", "SPIProtocol", "SPIReplication",
            "SPIIdentity",
            "SPISQLite",
        ],
    ]

    static var packageModules: Set<String> { Set(allowed.keys).union(["SPITestSupport"]) }

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// The modules a Swift source imports (any access level, `@_exported` and `@testable` included).
    static func imports(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            var words = line.split(separator: " ").map(String.init)
            while let first = words.first,
                first.hasPrefix("@") || ["public", "package", "internal", "private", "fileprivate"].contains(first)
            {
                words.removeFirst()
            }
            guard words.count >= 2, words[0] == "import" else { return nil }
            // `import struct Foo.Bar` imports Foo.
            let name =
                words.count >= 3
                    && ["struct", "class", "enum", "protocol", "func", "var", "typealias"].contains(words[1])
                ? words[2] : words[1]
            return String(name.split(separator: ".").first ?? "")
        }
    }

    /// Imports of package modules that `target` may not use, as `file: module`.
    static func violations(target: String, files: [(name: String, text: String)]) -> [String] {
        let permitted = allowed[target] ?? []
        return files.flatMap { file in
            imports(in: file.text).filter { packageModules.contains($0) && !permitted.contains($0) }.map {
                "\(file.name): \($0)"
            }
        }
    }

    @Test("every target imports only the layers below it that it is declared to use")
    func importsFollowLayers() throws {
        let targets = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path).filter {
            !$0.hasPrefix(".")
        }
        #expect(
            Set(targets) == Set(Self.allowed.keys.filter { $0 != "spi-bench" }),
            "targets in Sources/ and the declared layers differ")
        var found: [String] = []
        // The benchmark suite lives apart from the product, in Benchmarks/.
        let roots =
            targets.sorted().map { ($0, Self.sources.appendingPathComponent($0)) }
            + [("spi-bench", Self.sources.deletingLastPathComponent().appendingPathComponent("Benchmarks/spi-bench"))]
        for (target, root) in roots {
            guard let walker = FileManager.default.enumerator(atPath: root.path) else { continue }
            var files: [(name: String, text: String)] = []
            for case let path as String in walker where path.hasSuffix(".swift") || path.hasSuffix(".h") {
                files.append(
                    ("\(target)/\(path)", try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)))
            }
            found += Self.violations(target: target, files: files)
        }
        #expect(found.isEmpty, "imports against the layer order: \(found)")
    }

    /// The one file allowed to claim `@unchecked Sendable`: the serialised owner the others share.
    static let uncheckedSendableHome = "SPIReplication/SerialOwner.swift"

    @Test("no type but SerialOwner claims @unchecked Sendable, and no code keeps a hand-written lock")
    func oneSerialisation() throws {
        var found: [String] = []
        for target in try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
        where !target.hasPrefix(".") {
            let root = Self.sources.appendingPathComponent(target)
            guard let walker = FileManager.default.enumerator(atPath: root.path) else { continue }
            for case let path as String in walker where path.hasSuffix(".swift") {
                let name = "\(target)/\(path)"
                let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
                let code = text.split(separator: "\n").filter {
                    !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//")
                }
                if name != Self.uncheckedSendableHome, code.contains(where: { $0.contains("@unchecked Sendable") }) {
                    found.append("\(name): @unchecked Sendable (hold the state in a SerialOwner or NIOLockedValueBox)")
                }
                if code.contains(where: { $0.contains("NSLock") || $0.contains("pthread_mutex") }) {
                    found.append("\(name): a hand-written lock (use NIOLockedValueBox)")
                }
            }
        }
        #expect(found.isEmpty, "\(found)")
        let home = try String(
            contentsOf: Self.sources.appendingPathComponent(Self.uncheckedSendableHome), encoding: .utf8)
        #expect(home.contains("@unchecked Sendable"), "the check looks for a file that moved")
    }

    @Test("the check catches an import of a higher layer, whatever its form")
    func checkCatchesViolations() {
        let text = """
            import Foundation
            public import SPITransport
            @_exported import SPIProtocol
            import struct SPIReplication.Knowledge
            """
        #expect(
            Self.violations(target: "SPIRegister", files: [("x.swift", text)]) == [
                "x.swift: SPITransport", "x.swift: SPIProtocol",
            ])
        #expect(
            Self.violations(target: "SPIReplication", files: [("x.swift", "import SPIRegister")]) == [
                "x.swift: SPIRegister"
            ])
        #expect(Self.violations(target: "spi", files: [("x.swift", text)]).isEmpty)
    }
}
