import Foundation

/// Ghostscript, always with -dSAFER (never -dNOSAFER): documents come from strangers.
///
/// -dSAFER alone still lets a document read, write and delete files in the temporary folder,
/// so each run gets a private, empty sandbox as TMPDIR and HOME, reads its input through a link
/// in that sandbox that is the one file it is permitted to read (besides Ghostscript's own
/// resources and fonts, which -dSAFER permits), and may write only its output file. A document
/// that tries anything else stops with Ghostscript's `invalidfileaccess` (or for deleting and
/// renaming, `ioerror`): `fileAccessRefused`.
struct Ghostscript: Sendable {
    var runner: ToolRunner

    static let advice = "install it with `apt-get install ghostscript`"

    /// Runs gs on `input` for `path` (the user's file, named in errors).
    func run(_ arguments: [String], input: String, reportingAs path: String) async throws(DocumentError) -> ToolRunner.Outcome {
        precondition(!arguments.contains { $0.uppercased().contains("NOSAFER") || $0.uppercased().contains("DELAYSAFER") })
        let sandbox = try ToolSandbox()
        defer { sandbox.remove() }
        let document = try sandbox.link("document", to: input)
        let fixed = ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT", "--permit-file-read=\(document)"]
        do {
            return try await runner.run("gs", fixed + arguments + ["-f", document], sandbox: sandbox)
        } catch {
            switch error {
            case .missing: throw .toolMissing(path: path, tool: "Ghostscript (gs)", advice: Self.advice)
            case .timedOut: throw .timedOut(path: path, seconds: Int(runner.timeLimit.components.seconds))
            case .cannotStart(let reason): throw .toolFailed(path: path, tool: "gs", reason: reason)
            }
        }
    }

    /// The most telling line of Ghostscript's output for an error message.
    static func summary(_ output: String) -> String {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let telling = lines.first { $0.contains("Error") || $0.contains("error") } ?? lines.last ?? "no output"
        return String(telling.prefix(200))
    }

    /// Refused by -dSAFER and the sandbox: `invalidfileaccess`, or for deleting and renaming
    /// (which Ghostscript reports as failing to find the file) `ioerror` in those operators.
    static func refusedFileAccess(_ output: String) -> Bool {
        let fileOperators = ["--file--", "--deletefile--", "--renamefile--"]
        return output.split(separator: "\n").contains { line in
            line.contains("invalidfileaccess") || line.contains("ioerror") && fileOperators.contains { line.contains($0) }
        }
    }
}
