import NIOCore

/// The message text after `DATA`: finds the end (`CRLF.CRLF`), undoes dot-stuffing (RFC 5321
/// 4.5.2) and measures lines and size, across any split of the input.
///
/// Only CRLF ends a line. A bare LF or CR is content, so `LF.LF` or `LF.CRLF` never ends the
/// message (the SMTP smuggling trick) — the text passes through byte for byte otherwise.
public struct SMTPDataReader: Sendable {
    private enum Position: Sendable {
        /// At the start of a line (also right after `DATA`).
        case lineStart
        /// A `.` opened the line; held back until the next byte says stuffing or end.
        case lineStartDot
        /// `.` CR opened the line; an LF now ends the message.
        case lineStartDotCR
        case inLine
        /// Inside a line, after a CR.
        case inLineCR
    }

    public enum Event: Sendable, Hashable {
        /// Message bytes with stuffing undone; may be empty.
        case content(ByteBuffer)
        /// The terminating `.` line was read; the bytes after it are the next command.
        case end
    }

    private var position = Position.lineStart
    /// Bytes of the current line, its ending included.
    private var lineLength = 0
    public private(set) var longestLine = 0
    /// Message bytes so far, after unstuffing.
    public private(set) var size = 0

    public init() {}

    /// Consumes bytes up to the end of the message or of the buffer. Returns the content read
    /// and whether the end was reached.
    public mutating func read(_ buffer: inout ByteBuffer) -> (content: ByteBuffer, ended: Bool) {
        var output = ByteBuffer()
        let view = buffer.readableBytesView
        var runStart = view.startIndex
        var index = view.startIndex
        var ended = false
        func flushRun(upTo end: Int) {
            if end > runStart { output.writeBytes(view[runStart..<end]) }
        }
        scanning: while index < view.endIndex {
            let byte = view[index]
            lineLength += 1
            switch position {
            case .lineStart:
                if byte == UInt8(ascii: ".") {
                    flushRun(upTo: index)
                    position = .lineStartDot
                    runStart = index + 1
                } else {
                    position = byte == 0x0D ? .inLineCR : .inLine
                }
            case .lineStartDot:
                if byte == 0x0D {
                    position = .lineStartDotCR
                    runStart = index + 1
                } else {
                    // The stuffed dot is dropped; this byte starts the content.
                    runStart = index
                    position = .inLine
                }
            case .lineStartDotCR:
                if byte == 0x0A {
                    ended = true
                    index += 1
                    runStart = index
                    break scanning
                }
                // `.` CR x: the dot was stuffing, the CR is content.
                output.writeInteger(UInt8(0x0D))
                runStart = index
                position = byte == 0x0D ? .inLineCR : .inLine
            case .inLine:
                if byte == 0x0D { position = .inLineCR }
            case .inLineCR:
                if byte == 0x0A {
                    position = .lineStart
                    longestLine = max(longestLine, lineLength)
                    lineLength = 0
                } else if byte != 0x0D {
                    position = .inLine
                }
            }
            index += 1
        }
        if !ended {
            switch position {
            case .lineStartDot, .lineStartDotCR:
                break  // the held-back bytes are decided by the next read
            default:
                flushRun(upTo: index)
            }
        }
        buffer.moveReaderIndex(forwardBy: index - view.startIndex)
        longestLine = max(longestLine, lineLength)
        size += output.readableBytes
        return (output, ended)
    }
}
