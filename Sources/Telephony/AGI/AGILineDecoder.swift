import NIOCore

/// Splits a byte stream into lines ended by "\n" or "\r\n", with a limit on the line length.
///
/// Pure and incremental: feed it bytes in any chunks; it remembers how far it has searched.
public struct AGILineDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = String

    /// The longest line accepted, without its terminator.
    public let maximumLineLength: Int
    private var searchedBytes = 0

    public init(maximumLineLength: Int = 2048) {
        precondition(maximumLineLength > 0, "maximumLineLength must be positive")
        self.maximumLineLength = maximumLineLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> String? {
        let view = buffer.readableBytesView
        let searchStart = view.startIndex + searchedBytes
        guard let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            // One byte more than the limit may still be the "\r" of a "\r\n".
            if view.count > maximumLineLength + 1 {
                throw AGIProtocolError.lineTooLong(limit: maximumLineLength)
            }
            searchedBytes = view.count
            return nil
        }
        var lineLength = newline - view.startIndex
        let terminatorLength: Int
        if lineLength > 0, view[newline - 1] == UInt8(ascii: "\r") {
            lineLength -= 1
            terminatorLength = 2
        } else {
            terminatorLength = 1
        }
        guard lineLength <= maximumLineLength else {
            throw AGIProtocolError.lineTooLong(limit: maximumLineLength)
        }
        searchedBytes = 0
        let line = buffer.readString(length: lineLength)!
        buffer.moveReaderIndex(forwardBy: terminatorLength)
        return line
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> String? {
        if let line = try decode(buffer: &buffer) {
            return line
        }
        if seenEOF, buffer.readableBytes > 0 {
            throw AGIProtocolError.incompleteLine
        }
        return nil
    }
}
