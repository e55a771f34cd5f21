import Foundation

/// An Asterisk-style configuration file: `[section]` headers, `key = value` lines, comments
/// after `;` or `#`. Pure code; the same shape an Asterisk admin already writes every day.
public struct ConfigurationFile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var section: String
        public var key: String
        public var value: String
        public var line: Int
    }

    public static let maximumBytes = 256 * 1024
    public static let maximumLineLength = 4096

    public private(set) var entries: [Entry] = []

    public init(parsing text: String) throws(ConfigurationError) {
        guard text.utf8.count <= Self.maximumBytes else {
            throw .invalid(line: 0, "the file is larger than \(Self.maximumBytes) bytes")
        }
        var section = "general"
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
                    throw .invalid(line: number, "a section header looks like [name]")
                }
                section = String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw .invalid(line: number, "expected key = value")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw .invalid(line: number, "missing key before '='") }
            entries.append(Entry(section: section, key: key, value: value, line: number))
        }
    }

    /// The last value given for `section`/`key`.
    public func value(_ section: String, _ key: String) -> Entry? {
        entries.last { $0.section == section && $0.key == key }
    }
}

public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(line: Int, String)
    case unknownSetting(section: String, key: String, line: Int)
    case badValue(section: String, key: String, line: Int, String)
    case unreadable(path: String, String)

    public var description: String {
        switch self {
        case .invalid(let line, let reason):
            "configuration line \(line): \(reason)"
        case .unknownSetting(let section, let key, let line):
            "configuration line \(line): unknown setting '\(key)' in [\(section)]"
        case .badValue(let section, let key, let line, let reason):
            "configuration line \(line): [\(section)] \(key): \(reason)"
        case .unreadable(let path, let reason):
            "cannot read configuration \(path): \(reason)"
        }
    }
}
