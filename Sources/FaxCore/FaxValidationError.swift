/// A value that breaks one of the rules of the fax server's model, with a message a person
/// can act on (it is shown as is by the CLI, the REST API and the web page).
public struct FaxValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field that is wrong, as the user knows it (`extension`, `email`, `station id`…).
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "invalid \(field): \(reason)" }
}

/// Checks shared by the models. Each returns the value it checked so that call sites read
/// as assignments.
enum FieldRules {
    static func isPrintableASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }
    }

    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.value == 0x2028 || $0.value == 0x2029 }
    }

    /// Shows a value in an error message without letting it break the message.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return "\"" + shown.unicodeScalars.map { scalar in
            (0x20...0x7E).contains(scalar.value) ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
        }.joined() + "\""
    }

    static func extensionNumber(_ value: String, field: String = "extension") throws -> String {
        guard !value.isEmpty, value.count <= 20, value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            throw FaxValidationError(field: field, reason: "\(quoted(value)) must be 1 to 20 digits")
        }
        return value
    }

    static func groupName(_ value: String) throws -> String {
        let allowed = value.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard !value.isEmpty, value.utf8.count <= 64, allowed else {
            throw FaxValidationError(
                field: "group", reason: "\(quoted(value)) must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        return value
    }
}
