import NIOCore

/// One line read from the client, or the news that it is too long to be one.
public enum SMTPLineReadResult: Sendable, Hashable {
    /// The line without its ending (CRLF, or a bare LF, which commands tolerate).
    case line(ByteBuffer)
    /// No line ending within the limit: the first `limit` bytes were consumed, the rest of the
    /// line must be skipped up to its ending.
    case tooLong
}

extension ByteBuffer {
    /// Reads one line of at most `maximumLength` bytes including its ending; `nil` while the
    /// line is incomplete and still within the limit.
    public mutating func readSMTPLine(maximumLength: Int) -> SMTPLineReadResult? {
        let view = readableBytesView
        guard let lineFeed = view.prefix(maximumLength).firstIndex(of: UInt8(ascii: "\n")) else {
            guard view.count >= maximumLength else { return nil }
            moveReaderIndex(forwardBy: maximumLength)
            return .tooLong
        }
        let lineLength = lineFeed - view.startIndex
        var line = readSlice(length: lineLength)!
        moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        return .line(line)
    }

    /// Skips the rest of an overlong line; returns whether its ending was reached.
    public mutating func skipSMTPLineRemainder() -> Bool {
        let view = readableBytesView
        guard let lineFeed = view.firstIndex(of: UInt8(ascii: "\n")) else {
            moveReaderIndex(forwardBy: view.count)
            return false
        }
        moveReaderIndex(forwardBy: lineFeed - view.startIndex + 1)
        return true
    }
}
