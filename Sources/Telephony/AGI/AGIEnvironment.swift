import NIOCore

/// The `agi_key: value` variables Asterisk sends when an AGI connection starts.
///
/// Keys keep Asterisk's order; values may be empty. The typed accessors return the raw text Asterisk
/// sent (for example `"unknown"` for a missing caller id), so that callers decide what it means.
public struct AGIEnvironment: Sendable, Hashable {
    /// The variables in the order they arrived.
    public let variables: [Variable]
    private let index: [String: Int]

    public struct Variable: Sendable, Hashable {
        public let key: String
        public let value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// An environment from variables, checked with the same rules as received ones
    /// (keys `agi_<letters, digits, _>`, unique; no line breaks in values).
    public init(_ variables: [Variable]) throws {
        var index: [String: Int] = [:]
        for (position, variable) in variables.enumerated() {
            guard Self.isValidKey(variable.key) else {
                throw AGIProtocolError.invalidEnvironmentKey(variable.key)
            }
            guard index.updateValue(position, forKey: variable.key) == nil else {
                throw AGIProtocolError.duplicateEnvironmentKey(variable.key)
            }
            if variable.value.contains(where: \.isNewline) {
                throw AGIProtocolError.invalidEnvironmentValue(key: variable.key)
            }
        }
        self.variables = variables
        self.index = index
    }

    /// An environment from `key: value` pairs, e.g. `["agi_request": "agi://…"]` (order kept).
    public init(_ pairs: KeyValuePairs<String, String>) throws {
        try self.init(pairs.map { Variable(key: $0.key, value: $0.value) })
    }

    /// The value of `key` (with its `agi_` prefix), or nil when Asterisk did not send it.
    public subscript(key: String) -> String? {
        index[key].map { variables[$0].value }
    }

    /// `agi_request` parsed: script path and query. Nil when missing or not an AGI URL.
    public var request: AGIRequest? {
        self["agi_request"].flatMap(AGIRequest.init(url:))
    }

    public var channel: String? { self["agi_channel"] }
    public var uniqueID: String? { self["agi_uniqueid"] }
    public var callerID: String? { self["agi_callerid"] }
    public var callerIDName: String? { self["agi_calleridname"] }
    public var dnid: String? { self["agi_dnid"] }
    public var `extension`: String? { self["agi_extension"] }
    public var context: String? { self["agi_context"] }

    /// `agi_arg_1`, `agi_arg_2`, … up to the first one missing.
    public var arguments: [String] {
        var arguments: [String] = []
        while let argument = self["agi_arg_\(arguments.count + 1)"] {
            arguments.append(argument)
        }
        return arguments
    }

    /// The environment as Asterisk sends it: `key: value` lines and an empty line.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        for variable in variables {
            buffer.writeString(variable.key)
            buffer.writeString(": ")
            buffer.writeString(variable.value)
            buffer.writeString("\n")
        }
        buffer.writeString("\n")
        return buffer
    }

    static func isValidKey(_ key: String) -> Bool {
        let bytes = key.utf8
        guard bytes.count > 4, bytes.starts(with: "agi_".utf8) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }
    }
}
