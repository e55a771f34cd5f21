import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a command gets a new password: one line of standard input (`--password-stdin`, for
/// scripts), or typed twice at the terminal without echo.
enum PasswordInput {
    static func read(forUser name: String, fromStandardInput: Bool) throws -> String {
        if fromStandardInput {
            guard let line = readLine(strippingNewline: true) else {
                throw CommandFailure("no password on standard input (--password-stdin reads one line)")
            }
            return line
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure("standard input is not a terminal: give --password-stdin to read the password from it")
        }
        let first = try prompt("New password for \(name): ")
        let second = try prompt("Type it again: ")
        guard first == second else { throw CommandFailure("the two passwords differ; nothing changed") }
        return first
    }

    /// Reads a line from the terminal with echo off, restoring the terminal afterwards.
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw CommandFailure("cannot read the terminal's settings") }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw CommandFailure("no password typed") }
        return line
    }
}
