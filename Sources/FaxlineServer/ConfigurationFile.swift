import Foundation

/// An Asterisk-style configuration file: `[section]` headers, `key = value` lines, comments
/// after `;` or `#`. Pure code; the same shape an Asterisk admin already writes every day.
/// A key given twice in one section is an error (which of two `secret =` lines would count is
/// not a thing to guess).
public struct ConfigurationFile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var section: String
        public var key: String
        public var value: String
        public var line: Int

        /// yes/no, on/off, true/false, 1/0.
        func boolean() throws(ConfigurationError) -> Bool {
            switch value.lowercased() {
            case "yes", "true", "on", "1": return true
            case "no", "false", "off", "0": return false
            default: throw .badValue(section: section, key: key, line: line, "expected yes or no")
            }
        }

        /// A listener's `bind`: `host:port` (an IPv6 host in brackets), or `off` → `nil`.
        func bindAddress() throws(ConfigurationError) -> (host: String, port: Int)? {
            if value.lowercased() == "off" { return nil }
            guard let colon = value.lastIndex(of: ":"), colon > value.startIndex,
                  let port = Int(value[value.index(after: colon)...]), (0...65535).contains(port)
            else { throw .badValue(section: section, key: key, line: line, "expected host:port or off") }
            var host = String(value[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return (host, port)
        }
    }

    public static let maximumBytes = 256 * 1024
    public static let maximumLineLength = 4096

    public private(set) var entries: [Entry] = []

    public init(parsing text: String) throws(ConfigurationError) {
        guard text.utf8.count <= Self.maximumBytes else {
            throw .invalid(line: 0, "the file is larger than \(Self.maximumBytes) bytes")
        }
        var section = "general"
        var seen: [String: Int] = [:]
        // Split the bytes: as Characters, "\r\n" is one unit and never equals "\n", so a file
        // with Windows line endings would read as one line.
        for (index, rawLine) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let lineBytes = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            guard lineBytes.count <= Self.maximumLineLength else {
                throw .invalid(line: number, "line longer than \(Self.maximumLineLength) characters")
            }
            var line = Substring(lineBytes)
            if let comment = line.firstIndex(where: { $0 == ";" || $0 == "#" }) {
                line = line[..<comment]
            }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count > 2 else {
                    throw .malformed(section: section, line: number, "a section header looks like [name]")
                }
                section = String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw .malformed(section: section, line: number, "expected key = value")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw .malformed(section: section, line: number, "missing key before '='") }
            if let first = seen["\(section)\u{0}\(key)"] {
                throw .duplicateSetting(section: section, key: key, line: number, firstLine: first)
            }
            seen["\(section)\u{0}\(key)"] = number
            entries.append(Entry(section: section, key: key, value: value, line: number))
        }
    }

    /// The last value given for `section`/`key`.
    public func value(_ section: String, _ key: String) -> Entry? {
        entries.last { $0.section == section && $0.key == key }
    }
}

/// What is wrong with `faxline.conf`: where (the file, the line, the section) and why.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(line: Int, String)
    /// A line of a section that is not `key = value` or `[name]`.
    case malformed(section: String, line: Int, String)
    case unknownSetting(section: String, key: String, line: Int)
    case badValue(section: String, key: String, line: Int, String)
    case duplicateSetting(section: String, key: String, line: Int, firstLine: Int)
    case unreadable(path: String, String)
    /// One of the others, found in this file.
    indirect case inFile(path: String, ConfigurationError)

    public var description: String {
        switch self {
        case .invalid(let line, let reason):
            line > 0 ? "line \(line): \(reason)" : reason
        case .malformed(let section, let line, let reason):
            "line \(line) in [\(section)]: \(reason)"
        case .unknownSetting(let section, let key, let line):
            "line \(line) in [\(section)]: unknown setting '\(key)'"
        case .badValue(let section, let key, let line, let reason):
            "line \(line) in [\(section)]: \(key): \(reason)"
        case .duplicateSetting(let section, let key, let line, let first):
            "line \(line) in [\(section)]: \(key) is set a second time (first on line \(first)); keep one"
        case .unreadable(let path, let reason):
            "cannot read the configuration \(path): \(reason)"
        case .inFile(let path, let error):
            if case .unreadable = error { error.description } else { "\(path), \(error)" }
        }
    }
}
