import CSpawn
import Foundation

/// Runs an external converter (Ghostscript, LibreOffice) with a time limit and resource limits.
///
/// The tool is started (by `faxline_spawn`, in C) as the leader of its own session and process
/// group, with an address-space limit, a CPU-time limit and no core files, in a private sandbox
/// folder that is its TMPDIR and HOME. It gets a fixed, small environment — nothing of the
/// server's own environment (which may hold secrets) reaches it — and its arguments as an
/// argument vector, never through a shell. When the time is up, or the conversion is cancelled,
/// the whole group is killed: a tool that forks (LibreOffice does) leaves nothing behind.
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
    /// Address space (virtual memory) limit in bytes for the tool's processes; nil = none.
    var memoryLimit: Int?
    var timer: ConversionTimer = .realTime
    /// The process's tools run a few at a time (one per core).
    var slots: ToolSlots = .shared

    /// The executable for `program`: a path as given when it has a slash, else found on PATH.
    static func locate(_ program: String) -> String? {
        if program.contains("/") {
            return FileManager.default.isExecutableFile(atPath: program) ? program : nil
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The environment every tool gets: a search path, the sandbox as its temporary folder and
    /// home, and a plain locale.
    static func environment(sandbox: ToolSandbox) -> [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "TMPDIR": sandbox.scratch, "TMP": sandbox.scratch, "TEMP": sandbox.scratch,
            "HOME": sandbox.scratch,
            "LC_ALL": "C.UTF-8",
        ]
    }

    func run(_ program: String, _ arguments: [String], sandbox: ToolSandbox) async throws(Failure) -> Outcome {
        guard let executable = Self.locate(program) else { throw .missing }
        do {
            try await slots.acquire()
        } catch {
            // Cancelled while waiting for its turn: as when cancelled while running.
            throw .timedOut
        }
        defer { slots.release() }
        let logPath = sandbox.file("output.log")
        let log = open(logPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard log >= 0 else { throw .cannotStart("cannot create \(logPath)") }
        defer { close(log) }

        let seconds = timeLimit.components.seconds + (timeLimit.components.attoseconds > 0 ? 1 : 0)
        let pid = try Self.spawn(executable, [executable] + arguments, environment: Self.environment(sandbox: sandbox),
                                 directory: sandbox.scratch, output: log,
                                 addressSpace: UInt64(max(0, memoryLimit ?? 0)),
                                 // A backstop for the wall-clock limit below, which is the one that normally acts.
                                 cpuSeconds: UInt64(max(1, seconds + 1)))

        let limit = timeLimit
        let timer = self.timer
        let status: Int32? = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await Self.waitForExit(pid) }
            group.addTask {
                // Time is up, or the conversion was cancelled: either way the tool must go.
                try? await timer.wait(limit)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil { faxline_kill_group(pid) }
            group.cancelAll()
            // The task group waits for the exit watcher: the group is gone and the leader reaped.
            return first
        }
        // The CPU-time limit is the backstop: when it acts first, the run timed out all the same.
        guard let status, status != 128 + SIGXCPU else { throw .timedOut }
        return Outcome(status: status, output: Self.tail(of: logPath))
    }

    /// The end of the tool's output: a tool may print without end, and only its last words
    /// (the error) are wanted.
    private static func tail(of path: String, bytes: UInt64 = 4000) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > bytes ? size - bytes : 0)
        return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
    }

    private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String],
                              directory: String, output: Int32, addressSpace: UInt64, cpuSeconds: UInt64) throws(Failure) -> pid_t {
        var error: Int32 = 0
        let pid = withCStrings(arguments) { argv in
            withCStrings(environment.map { "\($0.key)=\($0.value)" }.sorted()) { envp in
                faxline_spawn(executable, argv, envp, directory, output, addressSpace, cpuSeconds, &error)
            }
        }
        guard pid > 0 else { throw .cannotStart("\(executable): \(String(cString: strerror(error)))") }
        return pid
    }

    /// Waits on a thread of its own (waiting blocks; the cooperative pool must not), then kills
    /// what is left of the tool's process group and reaps the leader. The exit status; -1 when
    /// the process could not be waited for.
    private static func waitForExit(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let thread = Thread {
                let status = faxline_wait_and_end_group(pid)
                continuation.resume(returning: status < 0 ? -1 : faxline_exit_status(status))
            }
            thread.stackSize = 64 << 10
            thread.start()
        }
    }
}

/// A NULL-terminated C string array that lives for the duration of `body`.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
