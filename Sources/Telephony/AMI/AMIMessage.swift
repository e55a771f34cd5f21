/// One AMI message: an action, a response or an event.
///
/// On the wire a message is a block of `Key: Value` lines ended by an empty line. Order is
/// kept, a key may repeat (`Variable:` in actions, `Output:` in responses), and keys are
/// compared without regard to ASCII case, as Asterisk does.
public struct AMIMessage: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public enum Kind: Sendable, Hashable {
        case action(String)
        case response(String)
        case event(String)
        case unknown
    }

    public var fields: [Field]

    public init(fields: [Field] = []) {
        self.fields = fields
    }

    /// `AMIMessage(["Action": "Ping", "ActionID": "7"])` keeps the pairs in the order written.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.fields = pairs.map { Field(key: $0.key, value: $0.value) }
    }

    /// The first value of `key` (case-insensitive), or nil.
    public subscript(key: String) -> String? {
        fields.first { Self.keysMatch($0.key, key) }?.value
    }

    /// Every value of `key` (case-insensitive), in order.
    public func values(for key: String) -> [String] {
        fields.filter { Self.keysMatch($0.key, key) }.map(\.value)
    }

    public func contains(_ key: String) -> Bool {
        fields.contains { Self.keysMatch($0.key, key) }
    }

    /// Adds a field at the end; an existing field with the same key stays.
    public mutating func append(_ key: String, _ value: String) {
        fields.append(Field(key: key, value: value))
    }

    /// Replaces every field named `key` with one field holding `value`, at the place of the first.
    public mutating func set(_ key: String, _ value: String) {
        if let first = fields.firstIndex(where: { Self.keysMatch($0.key, key) }) {
            fields[first].value = value
            var index = fields.index(after: first)
            while index < fields.endIndex {
                if Self.keysMatch(fields[index].key, key) {
                    fields.remove(at: index)
                } else {
                    index = fields.index(after: index)
                }
            }
        } else {
            append(key, value)
        }
    }

    public mutating func removeAll(_ key: String) {
        fields.removeAll { Self.keysMatch($0.key, key) }
    }

    public var actionID: String? { self["ActionID"] }
    public var message: String? { self["Message"] }

    /// What the message is, taken from its `Action`, `Response` or `Event` key.
    /// `OriginateResponse` carries both `Event` and `Response`; it is an event.
    public var kind: Kind {
        if let event = self["Event"] { return .event(event) }
        if let response = self["Response"] { return .response(response) }
        if let action = self["Action"] { return .action(action) }
        return .unknown
    }

    public var eventName: String? {
        if case .event(let name) = kind { return name }
        return nil
    }

    public func isEvent(_ name: String) -> Bool {
        eventName.map { Self.keysMatch($0, name) } ?? false
    }

    /// True for `Response: Success` (and `Follows`, which precedes command output).
    public var isSuccessResponse: Bool {
        guard case .response(let value) = kind else { return false }
        return Self.keysMatch(value, "Success") || Self.keysMatch(value, "Follows")
    }

    static func keysMatch(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count
            && zip(lhs.utf8, rhs.utf8).allSatisfy { asciiLowercased($0) == asciiLowercased($1) }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}

extension AMIMessage: CustomStringConvertible {
    /// One line per field, secrets masked, for logs.
    public var description: String {
        fields.map { field in
            let value = Self.keysMatch(field.key, "Secret") || Self.keysMatch(field.key, "Key") ? "********" : field.value
            return "\(field.key): \(value)"
        }.joined(separator: " | ")
    }
}
