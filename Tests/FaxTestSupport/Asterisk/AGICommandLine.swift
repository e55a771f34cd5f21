/// An AGI command line as Asterisk reads it: words split on spaces, double quotes group words,
/// a backslash escapes the next character. The emulator's side of `AGICommand`'s escaping.
public struct AGICommandLine: Sendable, Equatable {
    public var words: [String]

    public init(parsing line: String) {
        var words: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        var hasWord = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
                hasWord = true
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
                hasWord = true
            } else if character == " " && !inQuotes {
                if hasWord { words.append(current) }
                current = ""
                hasWord = false
            } else {
                current.append(character)
                hasWord = true
            }
        }
        if hasWord { words.append(current) }
        self.words = words
    }

    /// The command's name in upper case, e.g. "SET VARIABLE" or "EXEC".
    public var verb: String {
        let first = words.first?.uppercased() ?? ""
        if ["SET", "GET", "DATABASE", "CHANNEL", "SPEECH", "STREAM", "SAY", "RECEIVE"].contains(first), words.count > 1 {
            return first + " " + words[1].uppercased()
        }
        return first
    }

    /// The words after the verb.
    public var arguments: [String] {
        Array(words.dropFirst(verb.split(separator: " ").count))
    }
}
