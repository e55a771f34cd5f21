/// Splits an SMTP byte stream into lines (CRLF, or a bare LF from sloppy clients), without
/// their terminators, and refuses lines longer than a limit.
public struct SMTPLineFramer: Sendable {
    public enum FramingError: Error, Equatable, CustomStringConvertible {
        case lineTooLong(limit: Int)
        public var description: String {
            switch self {
            case .lineTooLong(let limit): return "SMTP line longer than \(limit) bytes"
            }
        }
    }

    /// RFC 5321 allows 1000 bytes per text line including CRLF; a little slack for clients.
    public let maximumLineLength: Int
    private var pending: [UInt8] = []

    public init(maximumLineLength: Int = 2048) {
        self.maximumLineLength = maximumLineLength
    }

    /// Appends `bytes` and returns every line now complete. After an error the framer is
    /// unusable: the connection should be closed.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) throws(FramingError) -> [[UInt8]] where Bytes.Element == UInt8 {
        var lines: [[UInt8]] = []
        for byte in bytes {
            if byte == 0x0A {
                if pending.last == 0x0D { pending.removeLast() }
                lines.append(pending)
                pending.removeAll(keepingCapacity: true)
            } else {
                // The +1 leaves room for the CR of a CRLF that is still to come.
                guard pending.count < maximumLineLength + 1 else { throw .lineTooLong(limit: maximumLineLength) }
                pending.append(byte)
            }
        }
        return lines
    }

    /// Bytes received after the last complete line.
    public var bufferedByteCount: Int { pending.count }
}
