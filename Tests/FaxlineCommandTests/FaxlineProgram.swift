import Foundation
import FaxTestSupport

/// The `faxline` program built next to the test bundle, run as a person runs it: its exit
/// status, standard output and standard error.
enum FaxlineProgram {
    static var url: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("faxline")
    }

    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: url.path) }

    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs the program with `arguments`, `input` on its standard input and `environment`
    /// added to (or, with `nil` values, removed from) this process's.
    static func run(_ arguments: [String], input: String = "", environment: [String: String?] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        // Both pipes are read at once, so that a program filling one never blocks on it.
        let errors = PipeCollector(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, standardOutput: String(decoding: output, as: UTF8.self),
                      standardError: String(decoding: errors.wait(), as: UTF8.self))
    }
}
