// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for Faxline's parsers, one executable per parser. A package of its own so
// that the main package's `swift build --build-tests` never links them: they build only with
// `swift build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address` (scripts/fuzz
// does it, in Fuzz/.build).
let package = Package(
    name: "faxline-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "faxline", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Control bytes, invariant checks and the stream-decoder harness shared by the targets.
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // The picture targets' common run: the input as a file, decoded as a conversion decodes it.
        .target(
            name: "PictureFuzzSupport",
            dependencies: ["FuzzSupport", .product(name: "Documents", package: "faxline")]
        ),
        .executableTarget(
            name: "agi-environment",
            dependencies: ["FuzzSupport", .product(name: "Telephony", package: "faxline")]
        ),
        .executableTarget(
            name: "agi-reply",
            dependencies: ["FuzzSupport", .product(name: "Telephony", package: "faxline")]
        ),
        .executableTarget(
            name: "audiosocket",
            dependencies: [
                "FuzzSupport", .product(name: "Telephony", package: "faxline"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "ami",
            dependencies: [
                "FuzzSupport", .product(name: "Telephony", package: "faxline"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "config",
            dependencies: ["FuzzSupport", .product(name: "FaxlineServer", package: "faxline")]
        ),
        .executableTarget(
            name: "tiff",
            dependencies: [
                "FuzzSupport", "PictureFuzzSupport", .product(name: "Documents", package: "faxline"),
                .product(name: "FaxTIFF", package: "faxline"),
            ]
        ),
        .executableTarget(
            name: "png",
            dependencies: ["FuzzSupport", "PictureFuzzSupport"]
        ),
        .executableTarget(
            name: "jpeg",
            dependencies: ["FuzzSupport", "PictureFuzzSupport"]
        ),
        // Mail's pure parsers (the MIME reader, the SMTP session) built from the Mail module's own
        // files, linked in from Sources/Mail: the Mail module itself brings swift-nio-ssl, whose
        // BoringSSL takes the better part of an hour to build with coverage on a busy machine.
        .target(
            name: "MailParsers",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "FaxCore", package: "faxline")],
            exclude: [
                "SMTPServer/SMTPConnectionEventHandler.swift", "SMTPServer/SMTPInboundServer.swift",
                "SMTPServer/SMTPSessionDriver.swift", "SMTPServer/MailGatewayPolicy.swift",
                "SMTPServer/PipedMailSpool.swift",
            ]
        ),
        .executableTarget(name: "mime", dependencies: ["FuzzSupport", "MailParsers"]),
        .executableTarget(
            name: "smtp",
            dependencies: ["FuzzSupport", "MailParsers", .product(name: "NIOCore", package: "swift-nio")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
