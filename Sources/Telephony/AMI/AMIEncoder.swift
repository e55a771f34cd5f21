import NIOCore

/// Writes AMI messages, refusing anything that could change the message's meaning on the
/// wire: a CR or LF inside a key or value would start a new header (or end the message),
/// so a caller-controlled value such as a caller-id name could inject an action field.
public enum AMIEncoder {
    /// Appends `Key: Value\r\n` lines and the blank line that ends the message.
    public static func encode(_ message: AMIMessage, into buffer: inout ByteBuffer) throws(AMIWireError) {
        try validate(message)
        for field in message.fields {
            buffer.writeString(field.key)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
    }

    public static func encode(_ message: AMIMessage) throws(AMIWireError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try encode(message, into: &buffer)
        return buffer
    }

    public static func encodeBanner(version: String) throws(AMIWireError) -> ByteBuffer {
        try validateValue(version, key: "banner")
        var buffer = ByteBuffer()
        buffer.writeString(AMIDecoder.bannerPrefix + version + "\r\n")
        return buffer
    }

    public static func validate(_ message: AMIMessage) throws(AMIWireError) {
        guard !message.fields.isEmpty else { throw .emptyMessage }
        for field in message.fields {
            try validateKey(field.key)
            try validateValue(field.value, key: field.key)
        }
    }

    /// Keys are visible ASCII without a colon: `ActionID`, `Cause-txt`, `Variable`.
    public static func validateKey(_ key: String) throws(AMIWireError) {
        guard !key.isEmpty else { throw .emptyKey }
        for byte in key.utf8 where !(0x21...0x7E).contains(byte) || byte == UInt8(ascii: ":") {
            throw .invalidKey(key)
        }
    }

    /// Values may hold any text but control characters (tab aside): CR and LF end a line,
    /// NUL ends a C string in Asterisk.
    public static func validateValue(_ value: String, key: String) throws(AMIWireError) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                throw .invalidValue(key: key, reason: "contains a line break")
            case 0x09:
                continue
            case 0x00..<0x20, 0x7F:
                throw .invalidValue(key: key, reason: "contains control character 0x\(String(byte, radix: 16))")
            default:
                continue
            }
        }
    }
}
