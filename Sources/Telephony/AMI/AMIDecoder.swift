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

/// Incremental AMI decoder on bytes: feed it whatever the socket delivered, then take
/// frames until it needs more. No I/O, no allocation per byte beyond the buffer.
///
/// Lines end with CRLF; a bare LF is accepted too. Blank lines between messages are
/// skipped. A line without a colon is kept as a field with an empty key (old Asterisk's
/// `Response: Follows` command output has such lines).
public struct AMIDecoder: Sendable {
    public static let bannerPrefix = "Asterisk Call Manager/"

    public let limits: AMIDecoderLimits
    private var buffer: ByteBuffer
    private var expectingBanner: Bool
    private var pendingFields: [AMIMessage.Field] = []
    private var pendingBytes = 0
    /// Where the search for the next LF resumes, relative to the reader index, so that
    /// feeding one byte at a time stays linear.
    private var scannedBytes = 0

    public init(limits: AMIDecoderLimits = AMIDecoderLimits(), expectsBanner: Bool = true) {
        self.limits = limits
        self.expectingBanner = expectsBanner
        self.buffer = ByteBuffer()
    }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        compactIfWorthwhile()
        buffer.writeBuffer(&bytes)
    }

    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        compactIfWorthwhile()
        buffer.writeBytes(bytes)
    }

    /// Consumed lines are dropped in bulk, not one by one, to keep decoding linear.
    private mutating func compactIfWorthwhile() {
        if buffer.readerIndex >= 4096 && buffer.readerIndex >= buffer.readableBytes {
            buffer.discardReadBytes()
        }
    }

    /// Bytes received but not yet part of a returned frame.
    public var bufferedByteCount: Int { buffer.readableBytes + pendingBytes }

    /// The next complete frame, or nil when more bytes are needed. After an error the
    /// stream is out of step: drop the connection and the decoder.
    public mutating func next() throws(AMIWireError) -> AMIFrame? {
        while let line = try nextLine() {
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

    /// Everything decodable now, in order.
    public mutating func drain() throws(AMIWireError) -> [AMIFrame] {
        var frames: [AMIFrame] = []
        while let frame = try next() { frames.append(frame) }
        return frames
    }

    private mutating func nextLine() throws(AMIWireError) -> String? {
        let view = buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: scannedBytes)
        guard let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            scannedBytes = view.count
            // A CR may still be waiting for its LF, hence the one byte of slack.
            if view.count > limits.maxLineLength + 1 { throw .lineTooLong(limit: limits.maxLineLength) }
            if pendingBytes + view.count > limits.maxMessageBytes { throw .messageTooLarge(limit: limits.maxMessageBytes) }
            return nil
        }
        let consumed = view.distance(from: view.startIndex, to: newline) + 1
        var lineEnd = newline
        if lineEnd > view.startIndex, view[view.index(before: lineEnd)] == UInt8(ascii: "\r") {
            lineEnd = view.index(before: lineEnd)
        }
        let lineLength = view.distance(from: view.startIndex, to: lineEnd)
        guard lineLength <= limits.maxLineLength else { throw .lineTooLong(limit: limits.maxLineLength) }
        let line = String(decoding: view[view.startIndex..<lineEnd], as: UTF8.self)
        buffer.moveReaderIndex(forwardBy: consumed)
        scannedBytes = 0
        if !expectingBanner && lineLength > 0 {
            pendingBytes += consumed
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
