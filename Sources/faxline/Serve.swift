import ArgumentParser

/// The daemon. It grows with the telephony, queue and mail issues.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the fax server.")

    func run() throws {
        throw ValidationError("faxline serve is not built yet: this build has the fax engine only (try faxline loopback)")
    }
}
