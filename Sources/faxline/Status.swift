import ArgumentParser
import FaxlineServer
import Foundation

/// What the lines are doing, like HylaFAX's `faxstat -s`, read from the running server's
/// status file.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the fax lines and counters of the running server.")

    @OptionGroup var data: DataOptions
    @Flag(help: "Print the status as JSON.") var json = false

    func run() async throws {
        let path = FaxlineConfiguration(dataDirectory: data.directory).statusPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("faxline serve is not running (no \(path))")
        }
        let status: ServerStatus
        do {
            status = try ServerStatus.read(from: path)
        } catch {
            throw CommandFailure("cannot read \(path): \(error)")
        }
        let age = Date().timeIntervalSince(status.updatedAt)
        if json {
            print(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
        } else {
            print(status.report(), terminator: "")
        }
        if age > ServerStatus.staleAfter {
            throw CommandFailure("the status is \(Int(age)) s old: faxline serve (pid \(status.processID)) seems to have stopped")
        }
    }
}
