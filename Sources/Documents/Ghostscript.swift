import Foundation

/// Ghostscript, always with -dSAFER (never -dNOSAFER): documents come from strangers.
struct Ghostscript: Sendable {
    var runner: ToolRunner

    static let advice = "install it with `apt-get install ghostscript`"

    /// Runs gs on `input` for `path` (the user's file, named in errors).
    func run(_ arguments: [String], input: String, reportingAs path: String) async throws(DocumentError) -> ToolRunner.Outcome {
        let fixed = ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT"]
        precondition(!arguments.contains { $0.uppercased().contains("NOSAFER") || $0.uppercased().contains("DELAYSAFER") })
        do {
            // A relative name that starts with "-" would be read as an option.
            let file = input.hasPrefix("/") ? input : "./" + input
            return try await runner.run("gs", fixed + arguments + ["-f", file])
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
}
