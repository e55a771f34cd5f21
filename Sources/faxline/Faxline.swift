import ArgumentParser
import FaxEngine

@main
struct Faxline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faxline",
        abstract: "A fax server for Asterisk PBXs.",
        version: "faxline \(FaxlineVersion.version) (spandsp \(FaxlineVersion.spandspRelease))",
        subcommands: [Serve.self, Status.self, SendCommand.self, JobsCommand.self, Loopback.self, DevicesCommand.self, RoutesCommand.self, ConvertCommand.self,
                      CleanupCommand.self, RetentionGroupsCommand.self, UsersCommand.self, TokensCommand.self]
    )
}
