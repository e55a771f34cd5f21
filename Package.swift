// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "faxline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "faxline", targets: ["faxline"]),
        // For the fuzz targets in Fuzz/, a package of its own that builds with sanitizers.
        .library(name: "Telephony", targets: ["Telephony"]),
        .library(name: "FaxlineServer", targets: ["FaxlineServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C libraries: module map + shim header each.
        .systemLibrary(
            name: "CSpanDSP",
            pkgConfig: "spandsp",
            providers: [.apt(["libspandsp-dev"])]
        ),
        .systemLibrary(
            name: "CTIFF",
            pkgConfig: "libtiff-4",
            providers: [.apt(["libtiff-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        .target(
            name: "FaxEngine",
            dependencies: [
                "CSpanDSP",
                "CTIFF",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Models, lines, routing, queue and retry policy: no I/O, no SQL.
        .target(
            name: "FaxCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // GRDB database: migrations and records behind FaxCore's repository protocols.
        .target(
            name: "Store",
            dependencies: [
                "FaxCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Fax pages in and out: conversion, PDF writer, previews.
        .target(
            name: "Documents",
            dependencies: [
                "CTIFF",
                "FaxEngine",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // FastAGI, AudioSocket (and later AMI): wire protocols and their servers.
        .target(
            name: "Telephony",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // SMTP out through libcurl, MIME messages.
        .target(
            name: "Mail",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Wiring: configuration, services, startup recovery.
        .target(
            name: "FaxlineServer",
            dependencies: [
                "FaxEngine", "FaxCore", "Store", "Documents", "Telephony", "Mail",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        .executableTarget(
            name: "faxline",
            dependencies: [
                "FaxEngine", "FaxCore", "Store", "FaxlineServer", "Documents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets: test documents, TIFF comparison, the Asterisk emulator,
        // a loopback SMTP server.
        .target(
            name: "FaxTestSupport",
            dependencies: [
                "FaxEngine", "CTIFF", "Telephony", "Documents",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FaxTestSupport"
        ),
        .testTarget(name: "FaxEngineTests", dependencies: ["FaxEngine", "FaxTestSupport", "Documents"]),
        .testTarget(name: "FaxCoreTests", dependencies: ["FaxCore"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "FaxCore", "faxline"]),
        .testTarget(name: "DocumentsTests", dependencies: ["Documents", "FaxTestSupport"]),
        .testTarget(
            name: "TelephonyTests",
            dependencies: [
                "Telephony", "FaxTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "MailTests", dependencies: ["Mail", "FaxTestSupport"]),
        .testTarget(name: "FaxlineServerTests", dependencies: ["FaxlineServer", "FaxTestSupport"]),

        // Benchmarks are not tests: built in release mode by scripts/bench.
        .executableTarget(
            name: "FaxBench",
            dependencies: [
                "FaxEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/FaxBench"
        ),
        .executableTarget(
            name: "InboundBench",
            dependencies: [
                "FaxlineServer", "FaxCore", "FaxTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/InboundBench"
        ),
        .executableTarget(
            name: "DocumentsBench",
            dependencies: [
                "Documents", "FaxEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/DocumentsBench"
        ),
        .executableTarget(
            name: "RetentionBench",
            dependencies: ["FaxlineServer", "FaxCore", "Store", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/RetentionBench"
        ),
        .executableTarget(
            name: "QueueBench",
            dependencies: ["FaxCore", "Store"],
            path: "Benchmarks/QueueBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
