import ArgumentParser
import FaxEngine
import FaxlineServer

@main
struct Faxline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faxline",
        abstract: "A fax server for Asterisk PBXs.",
        version: "faxline \(FaxlineVersion.version) (spandsp \(FaxlineVersion.spandspRelease))",
        subcommands: [Serve.self, Status.self, FaxesCommand.self, SendCommand.self, JobsCommand.self, Loopback.self, DevicesCommand.self,
                      RoutesCommand.self, ConvertCommand.self, CleanupCommand.self, RetentionGroupsCommand.self, UsersCommand.self,
                      TokensCommand.self, WebhooksCommand.self, ContactsCommand.self, MailSubmitCommand.self, BackupCommand.self,
                      RestoreCommand.self, InstallServiceCommand.self, InstallPrinterCommand.self]
    )

    /// ArgumentParser's own entry point, after the umask: whatever a command creates (the data
    /// folder, the database, converted pages) is closed to other users of the machine.
    static func main() async {
        FilePermissions.restrictNewFiles()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
