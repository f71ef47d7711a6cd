// swift-tools-version:6.0
//
// The SPI register: a peer-syncing, offline-first store of service provider interfaces.
//
// Layers, each a target that depends only on the ones before it:
//   SPIErrorCode (the errors' shared code type; nothing below it), CSQLite (system libsqlite3) and CSPICapture (the C
//   change capture) → SPISQLite (thin Swift layer) → SPIReplication (clocks, capture, merge; no I/O)
//   → SPIProtocol (messages, session state machine; no sockets) → SPITransport (SwiftNIO, TLS)
//   → SPIRegister (the SPI domain: schema, validation, reports) → SPIApp (the local web app) → spi (the command-line
//   tool)
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "spi-register",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "spi", targets: ["spi"]),
        .executable(name: "spi-bench", targets: ["spi-bench"]),
        .library(name: "SPIRegister", targets: ["SPIRegister"]),
        .library(name: "SPIReplication", targets: ["SPIReplication"]),
        .library(name: "SPIIdentity", targets: ["SPIIdentity"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.28.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        // Documentation only (`swift package generate-documentation`, scripts/check-docs); no target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite3"])]
        ),
        // The change capture's C core (the pre-update hook runs once per written row), an ordinary C target.
        .target(
            name: "CSPICapture",
            dependencies: ["CSQLite"],
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // The pattern every error type of the package shares (an extensible code); it needs nothing.
        .target(
            name: "SPIErrorCode",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SPISQLite",
            dependencies: ["CSQLite", "CSPICapture"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SPIIdentity",
            dependencies: [
                "SPIErrorCode",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SPIReplication",
            dependencies: [
                "SPIErrorCode",
                "SPISQLite",
                "SPIIdentity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SPIProtocol",
            dependencies: [
                "SPIErrorCode",
                "SPIReplication",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SPITransport",
            dependencies: [
                "SPIProtocol",
                "SPIIdentity",
                "SPIReplication",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SPIRegister",
            dependencies: [
                "SPIErrorCode",
                "SPISQLite",
                "SPIIdentity",
                "SPIReplication",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The Northwind demo's rows, compiled into the library (`PackageResources.northwind_demo_json`), so that
            // `spi` needs no resource bundle beside it.
            resources: [.embedInCode("Resources/northwind-demo.json")],
            swiftSettings: swiftSettings
        ),
        // The local web app (`spi app`): pages over the domain, served by a thin SwiftNIO HTTP/1.1 shell.
        .target(
            name: "SPIApp",
            dependencies: [
                "SPIRegister",
                "SPIReplication",
                "SPIIdentity",
                "SPISQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the command-line tools share: writes that never trap, text tables, the peak-memory report.
        .target(
            name: "SPICommandSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "spi",
            dependencies: [
                "SPIApp",
                "SPICommandSupport",
                "SPIRegister",
                "SPIIdentity",
                "SPIReplication",
                "SPIProtocol",
                "SPITransport",
                "SPISQLite",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The benchmark suite (B1–B8), apart from the product: it runs the `spi` built beside it.
        .executableTarget(
            name: "spi-bench",
            dependencies: [
                "SPICommandSupport",
                "SPIRegister",
                "SPIReplication",
                "SPISQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/spi-bench",
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets (not a product).
        .target(
            name: "SPITestSupport",
            path: "Tests/SPITestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArchitectureTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SPISQLiteTests",
            dependencies: ["SPISQLite"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SPIReplicationTests",
            dependencies: [
                "SPIReplication", "SPISQLite", "SPITestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SPIProtocolTests",
            dependencies: [
                "SPIProtocol", "SPIReplication", "SPITestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SPITransportTests",
            dependencies: [
                "SPITransport", "SPIProtocol", "SPIIdentity", "SPIReplication", "SPISQLite", "SPITestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SPIRegisterTests",
            dependencies: [
                "SPIRegister", "SPIReplication", "SPISQLite", "SPITransport", "SPITestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SPIAppTests",
            dependencies: [
                "SPIApp", "SPIRegister", "SPIReplication", "SPISQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SPICommandTests",
            dependencies: [
                "spi", "SPIApp", "SPIRegister", "SPISQLite", "SPIReplication", "SPITestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
