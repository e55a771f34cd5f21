import Foundation
import NIOCore

/// One AGI command line, built so that no argument can end the line or start another command.
///
/// Free text (values, messages) is quoted the way res_agi reads arguments — `"…"` with `\"` and
/// `\\` — after removing control characters; names and applications must match a strict pattern.
public struct AGICommand: Sendable, Hashable, CustomStringConvertible {
    /// The command without its line terminator.
    public let text: String

    /// res_agi reads commands into a 2048-byte buffer; stay below it.
    public static let maximumLength = 2000

    private init(validatedText: String) {
        self.text = validatedText
    }

    private init(words: [String]) throws {
        let text = words.joined(separator: " ")
        guard text.utf8.count <= Self.maximumLength else {
            throw AGICommandError.tooLong(length: text.utf8.count, limit: Self.maximumLength)
        }
        self.text = text
    }

    public var description: String { text }

    /// The line to send: the text and "\n".
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(text.utf8.count + 1)
        buffer.writeString(text)
        buffer.writeString("\n")
        return buffer
    }

    // MARK: Commands

    /// `ANSWER`.
    public static let answer = AGICommand(validatedText: "ANSWER")

    /// `HANGUP`: hangs up the AGI's own channel.
    public static let hangup = AGICommand(validatedText: "HANGUP")

    /// `SET VARIABLE <name> "<value>"`. `name` may be a function call such as `FAXOPT(gateway)`.
    public static func setVariable(_ name: String, _ value: String) throws -> AGICommand {
        try AGICommand(words: ["SET VARIABLE", try variableName(name), quoted(value)])
    }

    /// `GET VARIABLE <name>`: the value comes back as the response's data.
    public static func getVariable(_ name: String) throws -> AGICommand {
        try AGICommand(words: ["GET VARIABLE", try variableName(name)])
    }

    /// `VERBOSE "<message>" <level>`: a line in Asterisk's log (levels 1–4).
    public static func verbose(_ message: String, level: Int = 1) throws -> AGICommand {
        guard (1...4).contains(level) else {
            throw AGICommandError.invalidVerboseLevel(level)
        }
        return try AGICommand(words: ["VERBOSE", quoted(message), String(level)])
    }

    /// `EXEC <application> "<arguments>"`: runs a dialplan application and answers when it returns.
    ///
    /// The arguments reach the application as one string; control characters are removed, and
    /// `${` / `$[` are refused because Asterisk expands them when AGIEXECFULL is set.
    public static func exec(_ application: String, _ arguments: String = "") throws -> AGICommand {
        guard isApplicationName(application) else {
            throw AGICommandError.invalidApplication(application)
        }
        let cleaned = removingControlCharacters(arguments)
        if cleaned.contains("${") || cleaned.contains("$[") {
            throw AGICommandError.expressionInArguments(arguments)
        }
        if cleaned.isEmpty {
            return try AGICommand(words: ["EXEC", application])
        }
        return try AGICommand(words: ["EXEC", application, quoted(cleaned)])
    }

    /// `EXEC AudioSocket "<uuid>,<host>:<port>"`: hands the call's audio to an AudioSocket server.
    /// Blocks (no response) until the AudioSocket connection ends.
    public static func audioSocket(uuid: UUID, host: String, port: Int) throws -> AGICommand {
        try exec("AudioSocket", "\(uuid.uuidString.lowercased()),\(try endpoint(host: host, port: port))")
    }

    /// `EXEC Dial "AudioSocket/<host>:<port>/<uuid>/c(slin)"`: reaches the AudioSocket server through
    /// the AudioSocket channel driver in signed linear, so that Asterisk's T.38 gateway can sit
    /// in between. Answers `200 result=-1` once the call has ended; that is not an error.
    public static func dialAudioSocket(uuid: UUID, host: String, port: Int) throws -> AGICommand {
        try exec("Dial", "AudioSocket/\(try endpoint(host: host, port: port))/\(uuid.uuidString.lowercased())/c(slin)")
    }

    /// Any command given as a whole line: printable ASCII only, no quotes or backslashes that
    /// could change how it splits, within the length limit. For fixed commands, not caller data.
    public static func raw(_ text: String) throws -> AGICommand {
        guard !text.isEmpty,
            text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") })
        else {
            throw AGICommandError.invalidRawCommand(text)
        }
        return try AGICommand(words: [text])
    }

    /// Splits a command line into words the way res_agi does: blanks separate words outside
    /// quotes, `"` toggles quoting (and starts a word after a blank, so `""` is an empty word),
    /// and a backslash makes the next character literal. For the receiving side (an emulator).
    public static func words(of line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quoted = false
        var escaped = false
        for scalar in line.unicodeScalars {
            if escaped {
                current.unicodeScalars.append(scalar)
                inWord = true
                escaped = false
                continue
            }
            switch scalar {
            case "\\":
                escaped = true
            case "\"":
                quoted.toggle()
                inWord = true
            case " ", "\t":
                if quoted {
                    current.unicodeScalars.append(scalar)
                } else {
                    if inWord { words.append(current) }
                    current = ""
                    inWord = false
                }
            default:
                current.unicodeScalars.append(scalar)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    // MARK: Building blocks

    /// `"<text>"` with `\` and `"` escaped and control characters removed.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in removingControlCharacters(text).unicodeScalars {
            if scalar == "\"" || scalar == "\\" {
                result.unicodeScalars.append("\\")
            }
            result.unicodeScalars.append(scalar)
        }
        result.unicodeScalars.append("\"")
        return result
    }

    /// Drops C0 and C1 control characters (CR, LF, NUL, ESC, …) and Unicode line separators.
    static func removingControlCharacters(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                continue
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static func variableName(_ name: String) throws -> String {
        // Function-style names like FAXOPT(gateway) or CHANNEL(language) are allowed.
        guard name.utf8.count <= 80, let first = name.utf8.first, isLetterOrUnderscore(first),
            name.utf8.allSatisfy({ isLetterOrUnderscore($0) || isDigit($0) || "()-,.".utf8.contains($0) })
        else {
            throw AGICommandError.invalidVariableName(name)
        }
        return name
    }

    private static func isApplicationName(_ name: String) -> Bool {
        guard name.utf8.count <= 80, let first = name.utf8.first, isLetterOrUnderscore(first) else { return false }
        return name.utf8.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) }
    }

    private static func endpoint(host: String, port: Int) throws -> String {
        guard (1...65535).contains(port) else {
            throw AGICommandError.invalidPort(port)
        }
        // Host names and IPv4/IPv6 literals; nothing that could separate application arguments.
        guard !host.isEmpty, host.utf8.count <= 253,
            host.utf8.allSatisfy({ isLetterOrUnderscore($0) || isDigit($0) || ".-:[]".utf8.contains($0) })
        else {
            throw AGICommandError.invalidHost(host)
        }
        return host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// A command that cannot be built safely.
public enum AGICommandError: Error, Hashable, CustomStringConvertible {
    case tooLong(length: Int, limit: Int)
    case invalidVariableName(String)
    case invalidApplication(String)
    case invalidVerboseLevel(Int)
    case invalidHost(String)
    case invalidPort(Int)
    case invalidRawCommand(String)
    case expressionInArguments(String)

    public var description: String {
        switch self {
        case .tooLong(let length, let limit):
            return "AGI command of \(length) bytes exceeds \(limit)"
        case .invalidVariableName(let name):
            return "not a valid channel variable name: \(WireText.excerpt(name))"
        case .invalidApplication(let name):
            return "not a valid dialplan application name: \(WireText.excerpt(name))"
        case .invalidVerboseLevel(let level):
            return "VERBOSE level must be 1…4, not \(level)"
        case .invalidHost(let host):
            return "not a valid host: \(WireText.excerpt(host))"
        case .invalidPort(let port):
            return "not a valid port: \(port)"
        case .invalidRawCommand(let text):
            return "raw AGI command must be printable ASCII without backslashes: \(WireText.excerpt(text))"
        case .expressionInArguments(let text):
            return "EXEC arguments must not contain ${ or $[: \(WireText.excerpt(text))"
        }
    }
}
