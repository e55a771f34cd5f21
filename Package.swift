// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "faxline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "faxline", targets: ["faxline"]),
        // The CUPS backend of print-to-fax, installed by `faxline install-printer`.
        .executable(name: "faxline-cups", targets: ["faxline-cups"]),
        // For the fuzz targets in Fuzz/, a package of its own that builds with sanitizers.
        .library(name: "Telephony", targets: ["Telephony"]),
        .library(name: "FaxlineServer", targets: ["FaxlineServer"]),
        .library(name: "Documents", targets: ["Documents"]),
        .library(name: "Mail", targets: ["Mail"]),
        .library(name: "FaxTIFF", targets: ["FaxTIFF"]),
        .library(name: "FaxCore", targets: ["FaxCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
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
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        // fork/exec of converters in their own session with limits: C, so no Swift runs in the child.
        .systemLibrary(name: "CSpawn"),
        // Reaches into spandsp 0.0.6's T.30 state for the received page's rows (rows.c).
        .target(name: "CSpanDSPRows", linkerSettings: [.linkedLibrary("spandsp")]),
        // glibc's mallopt and malloc_trim: the server's arenas, and memory back after calls.
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CResolv"),
        // The one walk over a TIFF's pages, below both the engine and the documents module.
        .target(name: "FaxTIFF", dependencies: ["CTIFF"]),

        .target(
            name: "FaxEngine",
            dependencies: [
                "CSpanDSP", "CSpanDSPRows", "FaxCore",
                "CTIFF",
                "FaxTIFF",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Models, lines, routing, the job's life, repository protocols: no I/O, no SQL.
        .target(name: "FaxCore"),
        // The SQLite store: migrations and records behind FaxCore's repository protocols.
        .target(
            name: "Store",
            dependencies: [
                "FaxCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Users, passwords (bcrypt), API tokens (SHA-256), sign-in limits: the services the
        // CLI, the REST API, the web app and the mail gateway share. Only Hummingbird's bcrypt
        // (a C file), not Hummingbird.
        .target(
            name: "Accounts",
            dependencies: [
                "FaxCore",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Fax pages in and out: conversion, PDF writer, previews.
        .target(
            name: "Documents",
            dependencies: [
                "CTIFF", "CPNG", "CJPEG", "CSpawn", "FaxTIFF",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every listener shares: the accept loop, the door (allow-list and connection cap),
        // the idle timer.
        .target(
            name: "ServerSupport",
            dependencies: [
                "CMalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // FastAGI, AudioSocket, AMI: wire protocols, their servers and client, the media clock.
        .target(
            name: "Telephony",
            dependencies: [
                "FaxCore", "ServerSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The one owner of a libcurl easy handle, for the SMTP sender and the webhook poster.
        .target(name: "Curl", dependencies: ["CCurl"]),
        // Webhooks out: signing (HMAC-SHA256), where a URL may point, the HTTP POST through libcurl.
        .target(
            name: "Webhooks",
            dependencies: [
                "CCurl", "Curl", "FaxCore", "ServerSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // SMTP out through libcurl, MIME messages; SMTP in (mail-to-fax) on SwiftNIO.
        .target(
            name: "Mail",
            dependencies: [
                "CCurl", "CResolv", "Curl", "FaxCore", "ServerSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The REST API (/api/v1, generated from openapi.yaml), webhooks, metrics and health on
        // Hummingbird. It reaches the rest of the server only through the protocols of
        // `APIServices.swift`, which FaxlineServer implements.
        .target(
            name: "Web",
            dependencies: [
                "FaxCore", "Accounts", "Documents",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["openapi.yaml", "openapi-generator-config.yaml"]
        ),
        // Wiring: configuration, services, startup recovery.
        // A call's audio on its event loop: the frame loop between an AudioSocket connection and
        // the fax engine. A module of its own, light on dependencies, so that its cost can be
        // measured in a release build without the rest of the server (FramePathBench).
        .target(
            name: "CallMedia",
            dependencies: [
                "FaxEngine", "Telephony",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "FaxlineServer",
            dependencies: [
                "FaxEngine", "FaxCore", "Store", "Documents", "Telephony", "CallMedia", "Mail", "Web", "Accounts", "ServerSupport",
                "Webhooks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // Print to fax: a CUPS backend's job → control fields → queued jobs.
        .target(
            name: "PrintToFax",
            dependencies: [
                "FaxlineServer", "FaxCore", "Store", "Documents",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "faxline-cups",
            dependencies: ["PrintToFax", .product(name: "Logging", package: "swift-log")]
        ),

        .executableTarget(
            name: "faxline",
            dependencies: [
                "FaxEngine", "FaxCore", "Store", "FaxlineServer", "Documents", "Accounts", "ServerSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets: test documents, TIFF comparison, the Asterisk emulator,
        // a loopback SMTP server.
        .target(
            name: "FaxTestSupport",
            dependencies: [
                "FaxEngine", "CTIFF", "Telephony", "Documents", "Mail",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FaxTestSupport"
        ),
        .testTarget(name: "FaxEngineTests", dependencies: ["FaxEngine", "FaxTIFF", "FaxTestSupport", "Documents"]),
        .testTarget(name: "FaxCoreTests", dependencies: ["FaxCore"]),
        .testTarget(
            name: "CallMediaTests",
            dependencies: [
                "CallMedia", "FaxEngine", "FaxTestSupport", "Telephony",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ServerSupportTests", dependencies: ["ServerSupport", .product(name: "NIOPosix", package: "swift-nio")]),
        // Temporary data folders and sample records for the store and command-line tests.
        .target(name: "StoreTestSupport", dependencies: ["Store", "FaxCore"], path: "Tests/StoreTestSupport"),
        .testTarget(name: "StoreTests", dependencies: ["Store", "FaxCore", "StoreTestSupport"], exclude: ["Fixtures"]),
        // The one test target that depends on the program: every command-line test lives here.
        .testTarget(
            name: "FaxlineCommandTests",
            dependencies: ["faxline", "FaxlineServer", "Store", "FaxCore", "Accounts", "StoreTestSupport", "FaxTestSupport"]
        ),
        // The CUPS backend, run as CUPS runs it (the test depends on the program to have it built).
        .testTarget(
            name: "PrintToFaxTests",
            dependencies: [
                "PrintToFax", "faxline-cups", "FaxlineServer", "FaxCore", "Store", "Documents", "Mail", "FaxTestSupport",
                "StoreTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AccountsTests",
            dependencies: ["Accounts", "Store", "FaxCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "DocumentsTests", dependencies: ["Documents", "FaxTestSupport", "CTIFF"]),
        .testTarget(
            name: "TelephonyTests",
            dependencies: [
                "Telephony", "FaxCore", "ServerSupport", "FaxTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "MailTests",
            dependencies: [
                "Mail", "FaxCore", "ServerSupport", "FaxTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "FaxlineServerTests",
            dependencies: [
                "FaxlineServer", "FaxTestSupport", "Web", "Accounts", "Mail", "Store", "ServerSupport", "Webhooks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "FaxlineServer", "FaxCore", "Store", "Accounts", "FaxTestSupport", "Documents",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The far end of a real `faxline serve` for the browser tests (scripts/web-test).
        .executableTarget(name: "faxline-test-peer", dependencies: ["FaxTestSupport"], path: "Tests/FaxlineTestPeer"),

        // Benchmarks are not tests: built in release mode by scripts/bench.
        .executableTarget(
            name: "FaxBench",
            dependencies: [
                "FaxEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/FaxBench"
        ),
        // The Asterisk side of the audio benchmarks: far ends on a fixed 20 ms schedule, their
        // latency figures, the process's CPU and memory.
        .target(
            name: "BenchSupport",
            dependencies: [
                "FaxEngine", "Telephony",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/BenchSupport"
        ),
        .executableTarget(
            name: "FramePathBench",
            dependencies: [
                "CallMedia", "BenchSupport", "FaxEngine", "Telephony", "ServerSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/FramePathBench"
        ),
        .executableTarget(
            name: "InboundBench",
            dependencies: [
                "FaxlineServer", "BenchSupport", "FaxCore", "Store", "FaxTestSupport", "FaxEngine", "Telephony", "Mail", "ServerSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/InboundBench"
        ),
        .executableTarget(
            name: "DocumentsBench",
            dependencies: [
                "Documents", "FaxEngine", "CTIFF",
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
            name: "APIBench",
            dependencies: ["FaxCore", "Store", "Accounts"],
            path: "Benchmarks/APIBench"
        ),
        .executableTarget(
            name: "WebBench",
            dependencies: [
                "FaxlineServer", "Web", "Store", "FaxCore", "Accounts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/WebBench"
        ),
        .executableTarget(
            name: "QueueBench",
            dependencies: ["FaxCore", "Store"],
            path: "Benchmarks/QueueBench"
        ),
        .executableTarget(
            name: "MailBench",
            dependencies: [
                "FaxlineServer", "FaxCore", "Store", "Accounts", "Mail", "FaxTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/MailBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
