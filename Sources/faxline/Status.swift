import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation

/// What the lines are doing, like HylaFAX's `faxstat -s`, read from the running server's
/// status file; and the queues, read from the database (there whether or not a server runs).
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the fax lines and counters of the running server, the job and mail queues and the last cleanup.")

    @OptionGroup var data: DataOptions
    @Flag(help: "Print the status as JSON.") var json = false

    func run() async throws {
        let database = try data.openDatabase()
        let queues = try await QueueStatus.read(from: database)
        let path = FaxlineConfiguration(dataDirectory: data.directory).statusPath
        guard FileManager.default.fileExists(atPath: path) else {
            print(json ? try FaxesCommand.json(queues) : queues.report(), terminator: json ? "\n" : "")
            throw CommandFailure("faxline serve is not running on \(data.directory) (no status file \(path))")
        }
        let status: ServerStatus
        do {
            status = try ServerStatus.read(from: path)
        } catch {
            throw CommandFailure("cannot read \(path): \(ErrorWords.describe(error))")
        }
        let age = Date().timeIntervalSince(status.updatedAt)
        if json {
            print(try Self.json(server: path, queues: queues))
        } else {
            print(status.report() + queues.report(), terminator: "")
        }
        if age > ServerStatus.staleAfter {
            throw CommandFailure("the status is \(Int(age)) s old: faxline serve (pid \(status.processID)) seems to have stopped")
        }
    }

    /// The server's status file as it is, with the queues added under "queues".
    static func json(server path: String, queues: QueueStatus) throws -> String {
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        guard var object = try JSONSerialization.jsonObject(with: file) as? [String: Any] else {
            throw CommandFailure("cannot read \(path): not a JSON object")
        }
        object["queues"] = try JSONSerialization.jsonObject(with: Data(FaxesCommand.json(queues).utf8))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
