/// The Codable form of a value that is its text (`SpoolPath`, `DialPattern`, `JobTag`): a plain
/// JSON string, so stored JSON stays readable, and read back through the value's own checks,
/// so a stored value that breaks them is an error rather than a value no initializer makes.
enum CheckedTextCoding {
    static func decode<Value>(from decoder: any Decoder, checking make: (String) throws -> Value) throws -> Value {
        try make(decoder.singleValueContainer().decode(String.self))
    }

    static func encode(_ text: String, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
