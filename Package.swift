// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "faxline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "faxline", targets: ["faxline"]),
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

        .target(
            name: "FaxEngine",
            dependencies: [
                "CSpanDSP",
                "CTIFF",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .executableTarget(
            name: "faxline",
            dependencies: [
                "FaxEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets: test documents, TIFF comparison, the Asterisk emulator.
        .target(
            name: "FaxTestSupport",
            dependencies: ["FaxEngine", "CTIFF"],
            path: "Tests/FaxTestSupport"
        ),
        .testTarget(
            name: "FaxEngineTests",
            dependencies: ["FaxEngine", "FaxTestSupport"]
        ),

        // Benchmarks are not tests: built in release mode by scripts/bench.
        .executableTarget(
            name: "FaxBench",
            dependencies: [
                "FaxEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/FaxBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
