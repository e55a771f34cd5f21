import NIOCore

/// Bounds on what the decoder accepts from a peer, so that a broken or hostile peer
/// cannot make it buffer without end.
public struct AMIDecoderLimits: Sendable, Equatable {
    /// Longest line, without its line ending.
    public var maxLineLength: Int
    /// Most `Key: Value` lines in one message.
    public var maxFieldsPerMessage: Int
    /// Most bytes in one message, line endings included.
    public var maxMessageBytes: Int

    public init(maxLineLength: Int = 8 * 1024, maxFieldsPerMessage: Int = 512, maxMessageBytes: Int = 256 * 1024) {
        precondition(maxLineLength > 0 && maxFieldsPerMessage > 0 && maxMessageBytes > 0, "AMI decoder limits must be positive")
        self.maxLineLength = maxLineLength
        self.maxFieldsPerMessage = maxFieldsPerMessage
        self.maxMessageBytes = maxMessageBytes
    }
}

/// What the decoder produced: the banner once, then messages.
public enum AMIFrame: Sendable, Hashable {
    /// `Asterisk Call Manager/x.y.z` → `"x.y.z"`.
    case banner(version: String)
    case message(AMIMessage)
}

/// Reads AMI frames from a byte stream: the banner line first (unless told otherwise),
/// then messages of `Key: Value` lines ended by an empty line.
///
/// Pure and incremental: feed it bytes in any chunks; it remembers how far it has searched,
/// so feeding one byte at a time stays linear. Lines end with CRLF; a bare LF is accepted
/// too (the line rules are `AGILineDecoder`'s). Blank lines between messages are skipped. A
/// line without a colon is kept as a field with an empty key (old Asterisk's
/// `Response: Follows` command output has such lines). After an error the stream is out of
/// step: the connection must be dropped.
public struct AMIDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = AMIFrame

    public static let bannerPrefix = "Asterisk Call Manager/"

    public let limits: AMIDecoderLimits
    private var expectingBanner: Bool
    /// Lines as AGI has them: LF or CRLF, at most `maxLineLength`, searched only once.
    private var lines: AGILineDecoder
    private var pendingFields: [AMIMessage.Field] = []
    private var pendingBytes = 0

    public init(limits: AMIDecoderLimits = AMIDecoderLimits(), expectsBanner: Bool = true) {
        self.limits = limits
        self.expectingBanner = expectsBanner
        self.lines = AGILineDecoder(maximumLineLength: limits.maxLineLength)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws(AMIWireError) -> AMIFrame? {
        while let line = try nextLine(from: &buffer) {
            if expectingBanner {
                expectingBanner = false
                guard line.hasPrefix(Self.bannerPrefix) else { throw .notAnAMIBanner(line) }
                return .banner(version: String(line.dropFirst(Self.bannerPrefix.count)))
            }
            if line.isEmpty {
                guard !pendingFields.isEmpty else { continue }
                let message = AMIMessage(fields: pendingFields)
                pendingFields.removeAll(keepingCapacity: true)
                pendingBytes = 0
                return .message(message)
            }
            guard pendingFields.count < limits.maxFieldsPerMessage else {
                throw .tooManyFields(limit: limits.maxFieldsPerMessage)
            }
            pendingFields.append(Self.field(from: line))
        }
        return nil
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws(AMIWireError) -> AMIFrame? {
        if let frame = try decode(buffer: &buffer) {
            return frame
        }
        if seenEOF, buffer.readableBytes > 0 || !pendingFields.isEmpty {
            throw .truncatedMessage
        }
        return nil
    }

    private mutating func nextLine(from buffer: inout ByteBuffer) throws(AMIWireError) -> String? {
        let available = buffer.readableBytes
        let line: String?
        do {
            line = try lines.decode(buffer: &buffer)
        } catch {
            // The line decoder's only error.
            throw .lineTooLong(limit: limits.maxLineLength)
        }
        guard let line else {
            // A CR at the end of the partial line is counted with its line once the LF comes: it
            // may be the start of the blank line that ends the message, which is not counted.
            let partialBytes = buffer.readableBytes - (buffer.readableBytesView.last == UInt8(ascii: "\r") ? 1 : 0)
            if !expectingBanner, pendingBytes + partialBytes > limits.maxMessageBytes {
                throw .messageTooLarge(limit: limits.maxMessageBytes)
            }
            return nil
        }
        if !expectingBanner, !line.isEmpty {
            pendingBytes += available - buffer.readableBytes
            guard pendingBytes <= limits.maxMessageBytes else { throw .messageTooLarge(limit: limits.maxMessageBytes) }
        }
        return line
    }

    static func field(from line: String) -> AMIMessage.Field {
        guard let colon = line.firstIndex(of: ":") else {
            return AMIMessage.Field(key: "", value: line)
        }
        let key = line[..<colon].trimmingASCIIWhitespace()
        let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        return AMIMessage.Field(key: String(key), value: String(value))
    }
}

extension Substring {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        var trimmed = self.drop(while: isBlank)
        while let last = trimmed.last, isBlank(last) { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
