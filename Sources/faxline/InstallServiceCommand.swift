import ArgumentParser
import Foundation

/// `faxline install-service`: makes `faxline serve` a systemd service — the system user, the
/// program in a place the service may run it from, the data folder owned by that user, the
/// unit, the man page — then `systemctl daemon-reload` and `enable`.
struct InstallServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-service",
        abstract: "Install faxline serve as a systemd service (run as root).",
        discussion: """
            Creates the system user (faxline), copies this program to --bin-dir, gives the data \
            folder to the user, writes /etc/systemd/system/faxline.service, installs the man \
            page (man faxline), then runs systemctl daemon-reload and systemctl enable faxline (with --now it \
            also starts it). --dry-run prints every step and changes nothing.
            """)

    @Flag(help: "Print what would be done; do nothing.") var dryRun = false
    @Flag(help: "Also start the service now.") var now = false
    @Option(help: ArgumentHelp("The system user the server runs as.", valueName: "name")) var user = "faxline"
    @Option(name: .customLong("bin-dir"), help: ArgumentHelp("Where the program is installed.", valueName: "dir"))
    var binDirectory = "/usr/local/bin"
    @Option(name: .customLong("man-page"), help: ArgumentHelp("The man page to install (default: contrib/man/faxline.1 of the source tree).", valueName: "file"))
    var manPage: String?
    @Option(name: .customLong("unit-dir"), help: ArgumentHelp("Where the unit goes.", valueName: "dir"))
    var unitDirectory = "/etc/systemd/system"
    @Option(name: .customLong("man-dir"), help: ArgumentHelp("Where the man page goes.", valueName: "dir"))
    var manDirectory = "/usr/local/share/man/man1"
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard user.range(of: "^[a-z_][a-z0-9_-]{0,31}$", options: .regularExpression) != nil else {
            throw ValidationError("--user \(user) is not a user name (lowercase letters, digits, '_', '-')")
        }
        guard data.directory.hasPrefix("/") else { throw ValidationError("the data folder must be an absolute path (got \(data.directory))") }
        for (option, path) in [("--bin-dir", binDirectory), ("--unit-dir", unitDirectory), ("--man-dir", manDirectory)] where !path.hasPrefix("/") {
            throw ValidationError("\(option) must be an absolute path (got \(path))")
        }
        for (name, path) in [("data folder", data.directory), ("--bin-dir", binDirectory)] where path.contains(where: \.isWhitespace) {
            throw ValidationError("the \(name) \(path) has a space in it, which a systemd unit line cannot take unquoted")
        }
    }

    func run() async throws {
        let plan = ServiceInstallation(
            program: Self.runningProgram, binDirectory: binDirectory, unitDirectory: unitDirectory, manDirectory: manDirectory,
            manPage: manPage ?? Self.findManPage(), dataDirectory: data.directory, user: user, start: now,
            userExists: Self.userExists(user))
        if dryRun {
            print("faxline install-service would:")
            for step in plan.steps { print(step.description) }
            return
        }
        guard geteuid() == 0 else {
            throw CommandFailure("install-service needs root: sudo \(Self.runningProgram) install-service (--dry-run shows what it does)")
        }
        for step in plan.steps {
            print(step.summary)
            try step.perform()
        }
        print(now ? "Faxline runs as a service: systemctl status faxline; journalctl -u faxline shows its log."
                  : "Installed. Start it with: systemctl start faxline; journalctl -u faxline shows its log.")
    }

    /// This program's own path (the symlink `.build/release` resolved).
    static var runningProgram: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// contrib/man/faxline.1 of the source tree the program was built in (it lives in
    /// `.build/<triple>/release`), or of the current folder.
    static func findManPage() -> String? {
        var folder = URL(fileURLWithPath: runningProgram).deletingLastPathComponent()
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        for _ in 0..<4 {
            candidates.append(folder)
            folder.deleteLastPathComponent()
        }
        return candidates.map { $0.appendingPathComponent("contrib/man/faxline.1").path }
            .first { FileManager.default.isReadableFile(atPath: $0) }
    }

    static func userExists(_ name: String) -> Bool {
        getpwnam(name) != nil
    }
}

/// The steps of an installation, worked out before any is taken (and all a dry run prints).
struct ServiceInstallation {
    enum Step: CustomStringConvertible {
        case run([String], why: String)
        case copy(from: String, to: String, mode: Int, why: String)
        case write(String, to: String, why: String)
        case createFolder(String, why: String)
        case note(String)

        /// What a dry run prints: the step and, for a file written, its whole text.
        var description: String {
            switch self {
            case .write(let text, _, _):
                return "  - \(summary)\n" + text.split(separator: "\n", omittingEmptySubsequences: false).map { "      \($0)" }
                    .joined(separator: "\n")
            default:
                return "  - \(summary)"
            }
        }

        var summary: String {
            switch self {
            case .run(let command, let why): "\(why): \(command.joined(separator: " "))"
            case .copy(let from, let to, _, let why): "\(why): copy \(from) to \(to)"
            case .write(_, let path, let why): "\(why): write \(path)"
            case .createFolder(let path, let why): "\(why): create \(path)"
            case .note(let text): text
            }
        }

        func perform() throws {
            let fileManager = FileManager.default
            switch self {
            case .run(let command, _):
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = command
                do {
                    try process.run()
                } catch {
                    throw CommandFailure("cannot run \(command[0]): \(error)")
                }
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw CommandFailure("\(command.joined(separator: " ")) failed (exit status \(process.terminationStatus))")
                }
            case .copy(let from, let to, let mode, _):
                // Copied next to the target and renamed: a running program is replaced, not overwritten.
                let temporary = to + ".new"
                try? fileManager.removeItem(atPath: temporary)
                try fileManager.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try fileManager.copyItem(atPath: from, toPath: temporary)
                chmod(temporary, mode_t(mode))
                guard rename(temporary, to) == 0 else { throw CommandFailure("cannot install \(to): \(String(cString: strerror(errno)))") }
            case .write(let text, let path, _):
                try fileManager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                chmod(path, 0o644)
            case .createFolder(let path, _):
                try fileManager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            case .note:
                break
            }
        }
    }

    let program: String
    let binDirectory: String
    let unitDirectory: String
    let manDirectory: String
    let manPage: String?
    let dataDirectory: String
    let user: String
    let start: Bool
    let userExists: Bool

    var installedProgram: String { binDirectory + "/faxline" }
    var unit: ServiceUnit { ServiceUnit(program: installedProgram, dataDirectory: dataDirectory, user: user) }

    var steps: [Step] {
        var steps: [Step] = []
        if userExists {
            steps.append(.note("the user \(user) exists already"))
        } else {
            steps.append(.run(
                ["useradd", "--system", "--user-group", "--home-dir", dataDirectory, "--no-create-home", "--shell", "/usr/sbin/nologin",
                 user], why: "create the system user"))
        }
        if program != installedProgram {
            steps.append(.copy(from: program, to: installedProgram, mode: 0o755, why: "install the program"))
        }
        // Commands run as root before (devices add, users add) may have made files root owns.
        steps.append(.createFolder(dataDirectory, why: "the data folder"))
        steps.append(.run(["chown", "-R", "\(user):\(user)", dataDirectory], why: "give the data folder to \(user)"))
        steps.append(.run(["chmod", "0750", dataDirectory], why: "only \(user) and its group may read it"))
        steps.append(.write(unit.text, to: unitDirectory + "/faxline.service", why: "the systemd unit"))
        if let manPage {
            steps.append(.copy(from: manPage, to: manDirectory + "/faxline.1", mode: 0o644, why: "the man page"))
        } else {
            steps.append(.note("no man page found (contrib/man/faxline.1; give --man-page FILE): man faxline will not work"))
        }
        steps.append(.run(["systemctl", "daemon-reload"], why: "tell systemd"))
        steps.append(.run(["systemctl", "enable"] + (start ? ["--now"] : []) + ["faxline.service"],
                          why: start ? "start it now and at every boot" : "start it at every boot"))
        return steps
    }
}
