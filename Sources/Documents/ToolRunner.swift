import Foundation

/// Runs an external converter (Ghostscript, LibreOffice) with a time limit and a memory limit.
///
/// Arguments go to the program as an argument vector. The memory limit is applied by
/// `/bin/sh -c 'ulimit -v N; exec "$0" "$@"'`: the shell only sees the fixed script, and the
/// program and its arguments reach it as positional parameters, never parsed as shell text.
/// Foundation's `Process` cannot set resource limits itself.
struct ToolRunner: Sendable {
    struct Outcome: Sendable {
        var status: Int32
        var output: String
    }

    enum Failure: Error {
        case missing
        case timedOut
        case cannotStart(String)
    }

    var timeLimit: Duration
    /// Virtual memory limit in bytes for the tool's process; nil = none.
    var memoryLimit: Int?

    static func locate(_ program: String) -> String? {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) async throws(Failure) -> Outcome {
        guard let executable = Self.locate(program) else { throw .missing }
        let process = Process()
        if let memoryLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            let kilobytes = max(1, memoryLimit / 1024)
            process.arguments = ["-c", "ulimit -v \(kilobytes) && exec \"$0\" \"$@\"", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        if let environment { process.environment = environment }
        // Output goes to a file: a pipe nobody drains would block a chatty tool.
        let logPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("faxline-tool-\(UUID().uuidString).log").path
        // Opened directly: FileManager.createFile would fsync the empty file on every run.
        let descriptor = open(logPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .cannotStart("cannot create \(logPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let log = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice

        let (exits, exitContinuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            exitContinuation.yield(finished.terminationStatus)
            exitContinuation.finish()
        }
        do {
            try process.run()
        } catch {
            throw .cannotStart(String(describing: error))
        }
        let pid = process.processIdentifier
        let limit = timeLimit
        let status: Int32? = await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await status in exits { return status }
                return -1
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil {
                // Time is up: kill the tool, then let the exit-watching task finish.
                kill(pid, SIGKILL)
            }
            group.cancelAll()
            while await group.next() != nil {}
            return first
        }
        guard let status else { throw .timedOut }
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return Outcome(status: status, output: String(output.suffix(4000)))
    }
}
