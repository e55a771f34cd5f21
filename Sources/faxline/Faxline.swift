import ArgumentParser
import FaxEngine

@main
struct Faxline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faxline",
        abstract: "A fax server for Asterisk PBXs.",
        version: "faxline \(FaxlineVersion.version) (spandsp \(FaxlineVersion.spandspRelease))",
        subcommands: [Serve.self, Loopback.self]
    )
}
