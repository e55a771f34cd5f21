/// A streaming MIME reader (RFC 2045, 2046, 5322): bytes in, in pieces of any size,
/// ``MIMEEvent``s out. Pure code with a limit on every length and count; nothing is held beyond
/// one header block and one line, so a 25 MB attachment passes through in the pieces it came in.
///
/// Lines may end in CRLF or a bare LF (mail from a pipe often has LF). A multipart must end
/// with its closing boundary: a message that stops early is reported, not half-read.
///
/// For a fuzz target: `try MIMEStreamParser.events(in: bytes)`.
public struct MIMEStreamParser: Sendable {
    public struct Limits: Sendable, Hashable {
        /// Multiparts inside multiparts.
        public var maximumDepth: Int
        /// Entities in the message: the message itself, every multipart and every part.
        public var maximumParts: Int
        /// One physical header line, without its line ending (RFC 5322 says 998).
        public var maximumHeaderLineLength: Int
        /// One unfolded header field.
        public var maximumHeaderFieldLength: Int
        public var maximumHeaderFields: Int
        /// One header block (RFC 5322 allows long `Received:` chains).
        public var maximumHeaderBytes: Int

        public init(
            maximumDepth: Int = 10,
            maximumParts: Int = 100,
            maximumHeaderLineLength: Int = 2000,
            maximumHeaderFieldLength: Int = 16 * 1024,
            maximumHeaderFields: Int = 300,
            maximumHeaderBytes: Int = 256 * 1024
        ) {
            self.maximumDepth = maximumDepth
            self.maximumParts = maximumParts
            self.maximumHeaderLineLength = maximumHeaderLineLength
            self.maximumHeaderFieldLength = maximumHeaderFieldLength
            self.maximumHeaderFields = maximumHeaderFields
            self.maximumHeaderBytes = maximumHeaderBytes
        }
    }

    /// RFC 2046 5.1.1 allows 70; some clients write longer.
    public static let maximumBoundaryLength = 200
    /// White space a boundary line may carry after the boundary (transport padding).
    private static let maximumBoundaryPadding = 64

    private enum Phase: Sendable {
        case headers
        case body
        case preamble
        case epilogue
        case finished
    }

    private struct Frame: Sendable {
        /// `--boundary`
        let delimiter: [UInt8]
        let subtype: String
    }

    public let limits: Limits
    private var phase = Phase.headers
    private var frames: [Frame] = []
    private var line: [UInt8] = []
    /// The current body line is too long to be a boundary and is passed on as it arrives.
    private var isMidLine = false
    /// A CR at the end of a piece passed on mid-line: content, or the start of CRLF.
    private var heldCR = false
    /// The line ending before the current body line: content only if no boundary follows.
    private var pendingBreak: MIMELineEnding?
    private var fields: [MIMEHeaderField] = []
    private var field: [UInt8] = []
    private var headerBytes = 0
    private var decoder = MIMEBodyDecoder(.binary)
    private var currentPart: MIMEPartInfo?
    private var entityCount = 0
    private var sawInput = false
    private var events: [MIMEEvent] = []
    private var data: [UInt8] = []
    private var failure: MIMEError?

    public init(limits: Limits = .init()) {
        self.limits = limits
    }

    /// Every event of a whole message.
    public static func events(in message: some Collection<UInt8>, limits: Limits = .init()) throws(MIMEError) -> [MIMEEvent] {
        var parser = MIMEStreamParser(limits: limits)
        return try parser.feed(message) + parser.finish()
    }

    /// Reads the next piece of the message; returns the events it completed.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(MIMEError) -> [MIMEEvent] {
        if let failure { throw failure }
        do {
            try scan(Array(bytes))
        } catch {
            failure = error
            throw error
        }
        return takeEvents()
    }

    /// The message ended; returns the last events.
    public mutating func finish() throws(MIMEError) -> [MIMEEvent] {
        if let failure { throw failure }
        do {
            try finishInput()
        } catch {
            failure = error
            throw error
        }
        return takeEvents()
    }

    private mutating func takeEvents() -> [MIMEEvent] {
        flushData()
        defer { events.removeAll() }
        return events
    }

    private mutating func flushData() {
        if !data.isEmpty {
            events.append(.partData(data))
            data.removeAll(keepingCapacity: true)
        }
    }

    // MARK: - Lines

    private mutating func scan(_ chunk: [UInt8]) throws(MIMEError) {
        if !chunk.isEmpty { sawInput = true }
        var index = 0
        while index < chunk.count {
            let lineFeed = chunk[index...].firstIndex(of: 0x0A)
            let end = lineFeed ?? chunk.count
            if isMidLine {
                var segment = chunk[index..<end]
                if heldCR, !segment.isEmpty {
                    try bodyContent(CollectionOfOne(0x0D))
                    heldCR = false
                }
                if lineFeed != nil {
                    let isCRLF = segment.last == 0x0D || (segment.isEmpty && heldCR)
                    if segment.last == 0x0D { segment = segment.dropLast() }
                    try bodyContent(segment)
                    pendingBreak = isCRLF ? .crlf : .lf
                    isMidLine = false
                    heldCR = false
                } else {
                    if segment.last == 0x0D {
                        heldCR = true
                        segment = segment.dropLast()
                    }
                    try bodyContent(segment)
                }
            } else {
                line += chunk[index..<end]
                if lineFeed != nil {
                    var ending = MIMELineEnding.lf
                    if line.last == 0x0D {
                        line.removeLast()
                        ending = .crlf
                    }
                    let complete = line
                    line.removeAll(keepingCapacity: true)
                    try process(line: complete, ending: ending)
                } else {
                    try checkUnfinishedLine()
                }
            }
            index = lineFeed.map { $0 + 1 } ?? chunk.count
        }
    }

    /// A line without its end yet: in a header it must stay within the limit; in a body, once
    /// it is too long to be a boundary it is passed on as it comes.
    private mutating func checkUnfinishedLine() throws(MIMEError) {
        switch phase {
        case .headers:
            if line.count > limits.maximumHeaderLineLength + 1 { throw .headerLineTooLong(limit: limits.maximumHeaderLineLength) }
        case .body, .preamble, .epilogue, .finished:
            // The longest boundary line of any open multipart (an outer one may close an inner
            // one), with its "--" close, its padding and a carriage return not yet taken off.
            let window = (frames.map(\.delimiter.count).max() ?? 0) + 2 + Self.maximumBoundaryPadding + 1
            // Without an open multipart no line can be a boundary; with one, a line longer
            // than a boundary line cannot be one — as `boundary(_:)` decides for a whole line,
            // so that where the line was cut into reads changes nothing.
            if !frames.isEmpty && line.count <= window { return }
            isMidLine = true
            if phase == .body {
                var content = line[...]
                if content.last == 0x0D {
                    heldCR = true
                    content = content.dropLast()
                }
                if let pending = pendingBreak { decoder.lineBreak(pending, into: &data) }
                pendingBreak = nil
                try bodyContent(content)
            }
            line.removeAll(keepingCapacity: true)
        }
    }

    private mutating func process(line: [UInt8], ending: MIMELineEnding?) throws(MIMEError) {
        switch phase {
        case .headers:
            try headerLine(line, ending: ending)
        case .body, .preamble, .epilogue:
            if try boundary(line) { return }
            if phase == .body {
                if let pending = pendingBreak { decoder.lineBreak(pending, into: &data) }
                try bodyContent(line)
                pendingBreak = ending
            }
        case .finished:
            break
        }
    }

    private mutating func bodyContent(_ bytes: some Collection<UInt8>) throws(MIMEError) {
        guard phase == .body else { return }
        do {
            try decoder.content(bytes, into: &data)
        } catch {
            throw decodingError(error)
        }
        if data.count >= 64 * 1024 { flushData() }
    }

    private func decodingError(_ failure: MIMEBodyDecoder.Failure) -> MIMEError {
        let label = currentPart?.label ?? "a part"
        switch failure {
        case .invalidBase64(let position): return .invalidBase64(part: label, position: position)
        case .truncatedBase64: return .truncatedBase64(part: label)
        }
    }

    // MARK: - Headers

    private mutating func headerLine(_ line: [UInt8], ending: MIMELineEnding?) throws(MIMEError) {
        guard line.count <= limits.maximumHeaderLineLength else { throw .headerLineTooLong(limit: limits.maximumHeaderLineLength) }
        if line.isEmpty {
            try endOfHeader()
            return
        }
        headerBytes += line.count + 2
        guard headerBytes <= limits.maximumHeaderBytes else { throw .headerTooLarge(limit: limits.maximumHeaderBytes) }
        if line[0] == 0x20 || line[0] == 0x09, !field.isEmpty {
            field += line
            guard field.count <= limits.maximumHeaderFieldLength else { throw .headerFieldTooLong(limit: limits.maximumHeaderFieldLength) }
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              line[..<colon].allSatisfy({ (0x21...0x7E).contains($0) || $0 == 0x20 })
        else {
            // Not a header field: the body starts without the blank line.
            try endOfHeader()
            try process(line: line, ending: ending)
            return
        }
        try completeField()
        field = line
    }

    private mutating func completeField() throws(MIMEError) {
        guard !field.isEmpty else { return }
        guard fields.count < limits.maximumHeaderFields else { throw .tooManyHeaderFields(limit: limits.maximumHeaderFields) }
        let colon = field.firstIndex(of: UInt8(ascii: ":"))!
        let name = String(decoding: field[..<colon], as: UTF8.self).trimmingSpaces()
        let value = MIMECharset.decodeLeniently(field[(colon + 1)...], charset: "utf-8")
        fields.append(MIMEHeaderField(name: String(name), value: String(value.trimmingBlanks())))
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endOfHeader() throws(MIMEError) {
        try completeField()
        let header = MIMEHeader(fields: fields)
        fields.removeAll()
        headerBytes = 0
        entityCount += 1
        guard entityCount <= limits.maximumParts else { throw .tooManyParts(limit: limits.maximumParts) }
        if entityCount == 1 { events.append(.messageHeader(header)) }
        let info = MIMEPartInfo(header: header, number: entityCount, enclosingMultiparts: frames.map(\.subtype))
        if info.isMultipart {
            let subtype = info.contentType.mediaType?.subtype ?? "mixed"
            guard let boundary = info.contentType[parameter: "boundary"], !boundary.isEmpty else {
                throw .multipartWithoutBoundary(subtype: subtype)
            }
            guard boundary.utf8.count <= Self.maximumBoundaryLength else { throw .boundaryTooLong(limit: Self.maximumBoundaryLength) }
            guard frames.count < limits.maximumDepth else { throw .nestingTooDeep(limit: limits.maximumDepth) }
            frames.append(Frame(delimiter: Array("--\(boundary)".utf8), subtype: subtype))
            events.append(.multipartStart(info))
            phase = .preamble
        } else {
            currentPart = info
            decoder = MIMEBodyDecoder(info.transferEncoding)
            pendingBreak = nil
            events.append(.partStart(info))
            phase = .body
        }
    }

    // MARK: - Boundaries

    /// Handles `line` if it is a boundary of an open multipart.
    private mutating func boundary(_ line: [UInt8]) throws(MIMEError) -> Bool {
        guard !frames.isEmpty, line.count >= 2, line[0] == UInt8(ascii: "-"), line[1] == UInt8(ascii: "-") else { return false }
        for (depth, frame) in frames.enumerated().reversed() where line.starts(with: frame.delimiter) {
            var rest = line[frame.delimiter.count...]
            let isClose = rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
            if isClose { rest = rest.dropFirst(2) }
            guard rest.count <= Self.maximumBoundaryPadding, rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
            // An outer boundary while an inner multipart is open: the inner one was never closed.
            guard depth == frames.count - 1 else { throw .missingClosingBoundary(subtype: frames.last!.subtype) }
            if phase == .body { try finishPart() }
            if isClose {
                frames.removeLast()
                events.append(.multipartEnd)
                phase = frames.isEmpty ? .finished : .epilogue
            } else {
                phase = .headers
            }
            return true
        }
        return false
    }

    private mutating func finishPart() throws(MIMEError) {
        do {
            try decoder.finish(into: &data)
        } catch {
            throw decodingError(error)
        }
        flushData()
        events.append(.partEnd)
        currentPart = nil
        pendingBreak = nil
    }

    // MARK: - End of input

    private mutating func finishInput() throws(MIMEError) {
        guard sawInput else { throw .emptyMessage }
        if isMidLine {
            if heldCR { try bodyContent(CollectionOfOne(0x0D)) }
            heldCR = false
            isMidLine = false
        } else if !line.isEmpty {
            let last = line
            line.removeAll()
            try process(line: last, ending: nil)
        }
        switch phase {
        case .headers:
            guard frames.isEmpty else { throw .missingClosingBoundary(subtype: frames.last!.subtype) }
            // A message that is all header: an empty body.
            try endOfHeader()
            try finishInput()
        case .body:
            guard frames.isEmpty else { throw .missingClosingBoundary(subtype: frames.last!.subtype) }
            if let pending = pendingBreak { decoder.lineBreak(pending, into: &data) }
            try finishPart()
            phase = .finished
        case .preamble, .epilogue:
            guard frames.isEmpty else { throw .missingClosingBoundary(subtype: frames.last!.subtype) }
            phase = .finished
        case .finished:
            break
        }
    }
}
