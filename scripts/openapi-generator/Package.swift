// swift-tools-version:6.0
import PackageDescription

// Only for scripts/generate-api: builds Apple's generator so that the server code can be made
// from Sources/Web/openapi.yaml. The main package never builds it (CI needs no generator): the
// generated files are committed.
let package = Package(
    name: "faxline-openapi-generator",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
    ],
    targets: []
)
