import Foundation

/// A received message taken apart for faxing: subject and sender, the body text, and the
/// attachments as files.
public struct ReceivedMail: Sendable {
    public let header: MIMEHeader
    /// The text bodies in message order; of alternatives (text and HTML of the same body),
    /// the plain text if there is one, else the HTML's text.
    public let texts: [ReceivedMailText]
    public let attachments: [ReceivedAttachment]

    public var subject: String? { header.subject }
    public var from: String? { header.from }

    /// All body texts, a blank line apart.
    public var bodyText: String {
        texts.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    /// Whether the body is empty or only a signature: the gateway adds no page for it.
    public var hasMeaningfulBody: Bool {
        !MailBodyText.isBlankOrSignatureOnly(bodyText)
    }
}

public struct ReceivedMailText: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case plain
        /// Reduced from `text/html`.
        case html
    }

    public let source: Source
    /// LF line endings.
    public let text: String

    public init(source: Source, text: String) {
        self.source = source
        self.text = text
    }
}

/// An attachment written to a file.
public struct ReceivedAttachment: Sendable, Hashable {
    /// The file (named by the reader, mode 0600).
    public let path: String
    /// The declared type, lower-cased: `application/pdf`. Declared, not checked.
    public let mediaType: String
    /// The sender's file name, cleaned (``MIMEFileName``), or one made up from the type.
    public let fileName: String
    public let size: Int
    /// An image shown inside an HTML body (`multipart/related`): a logo or a pasted picture,
    /// not a document the sender attached.
    public let isInlineBodyImage: Bool
    public let partNumber: Int
}

/// Why a received message could not be taken apart.
public enum ReceivedMailError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(String)
    case malformed(MIMEError)
    case unsupportedCharset(part: String, MIMECharset.UnsupportedCharset)
    case textTooLong(part: String, limit: Int)
    case storageFailed(String)

    public var description: String {
        switch self {
        case .unreadable(let reason): return "cannot read the message: \(reason)"
        case .malformed(let error): return "the message is malformed: \(error)"
        case .unsupportedCharset(let part, let error): return "\(part): \(error)"
        case .textTooLong(let part, let limit): return "\(part): text longer than \(limit) bytes"
        case .storageFailed(let reason): return "cannot store an attachment: \(reason)"
        }
    }
}

/// Reads a spooled message with ``MIMEStreamParser``, streaming attachments to files and
/// keeping only text bodies (bounded) in memory.
public struct ReceivedMailReader: Sendable {
    public var mimeLimits: MIMEStreamParser.Limits
    /// Largest text body kept (per part, decoded bytes).
    public var maximumTextBytes: Int
    /// Bytes read from the file at a time.
    public var chunkSize: Int

    public init(mimeLimits: MIMEStreamParser.Limits = .init(), maximumTextBytes: Int = 1024 * 1024, chunkSize: Int = 64 * 1024) {
        self.mimeLimits = mimeLimits
        self.maximumTextBytes = maximumTextBytes
        self.chunkSize = chunkSize
    }

    /// Reads the message at `messagePath`; attachments go to new files in `attachmentDirectory`
    /// (created with mode 0700). On an error, files written so far are removed.
    public func read(messageAt messagePath: String, attachmentsInto attachmentDirectory: String) throws(ReceivedMailError) -> ReceivedMail {
        guard let handle = FileHandle(forReadingAtPath: messagePath) else {
            throw .unreadable("\(messagePath) cannot be opened")
        }
        defer { try? handle.close() }
        var collector = Collector(reader: self, directory: attachmentDirectory)
        var parser = MIMEStreamParser(limits: mimeLimits)
        do {
            while true {
                let chunk: Data?
                do {
                    chunk = try handle.read(upToCount: chunkSize)
                } catch {
                    throw ReceivedMailError.unreadable("\(messagePath): \(error.localizedDescription)")
                }
                guard let chunk, !chunk.isEmpty else { break }
                try collector.handle(Self.parse { () throws(MIMEError) in try parser.feed(chunk) })
            }
            try collector.handle(Self.parse { () throws(MIMEError) in try parser.finish() })
        } catch let error as ReceivedMailError {
            throw error
        } catch {
            throw .unreadable("\(error)")
        }
        return collector.result()
    }

    private static func parse(_ step: () throws(MIMEError) -> [MIMEEvent]) throws(ReceivedMailError) -> [MIMEEvent] {
        do {
            return try step()
        } catch {
            throw .malformed(error)
        }
    }

    /// Takes apart a message held in memory (tests, small messages); attachments still go to
    /// files.
    public func read(message: [UInt8], attachmentsInto attachmentDirectory: String) throws(ReceivedMailError) -> ReceivedMail {
        var collector = Collector(reader: self, directory: attachmentDirectory)
        var parser = MIMEStreamParser(limits: mimeLimits)
        var offset = 0
        while offset < message.count {
            let end = min(message.count, offset + chunkSize)
            try collector.handle(Self.parse { () throws(MIMEError) in try parser.feed(message[offset..<end]) })
            offset = end
        }
        try collector.handle(Self.parse { () throws(MIMEError) in try parser.finish() })
        return collector.result()
    }

    /// Turns events into texts and attachment files.
    private struct Collector {
        private enum Current {
            case text(MIMEPartInfo, ReceivedMailText.Source, [UInt8], alternativeGroup: Int?)
            case attachment(MIMEPartInfo, SpoolFile, isInlineBodyImage: Bool)
        }

        let reader: ReceivedMailReader
        let directory: String
        var header = MIMEHeader(fields: [])
        var multiparts: [(subtype: String, id: Int)] = []
        var nextMultipartID = 0
        private var current: Current?
        var texts: [(text: ReceivedMailText, alternativeGroup: Int?)] = []
        var files: [SpoolFile] = []
        var attachments: [ReceivedAttachment] = []

        init(reader: ReceivedMailReader, directory: String) {
            self.reader = reader
            self.directory = directory
        }

        mutating func handle(_ events: [MIMEEvent]) throws(ReceivedMailError) {
            for event in events {
                switch event {
                case .messageHeader(let messageHeader):
                    header = messageHeader
                case .multipartStart(let info):
                    multiparts.append((info.contentType.mediaType?.subtype ?? "mixed", nextMultipartID))
                    nextMultipartID += 1
                case .multipartEnd:
                    multiparts.removeLast()
                case .partStart(let info):
                    current = try start(info)
                case .partData(let bytes):
                    try append(bytes)
                case .partEnd:
                    try end()
                }
            }
        }

        private func start(_ info: MIMEPartInfo) throws(ReceivedMailError) -> Current {
            var isText = (info.mediaType == "text/plain" || info.mediaType == "text/html")
                && !info.isDeclaredAttachment && info.declaredFileName == nil
            if case .other = info.transferEncoding { isText = false }
            if isText {
                let group = multiparts.last(where: { $0.subtype == "alternative" })?.id
                return .text(info, info.mediaType == "text/html" ? .html : .plain, [], alternativeGroup: group)
            }
            let file: SpoolFile
            do {
                file = try SpoolFile.create(in: directory, prefix: "attachment")
            } catch {
                throw .storageFailed("\(error)")
            }
            let isInline = multiparts.last?.subtype == "related" && !info.isDeclaredAttachment && info.mediaType.hasPrefix("image/")
            return .attachment(info, file, isInlineBodyImage: isInline)
        }

        private mutating func append(_ bytes: [UInt8]) throws(ReceivedMailError) {
            switch current {
            case .text(let info, let source, var text, let group):
                guard text.count + bytes.count <= reader.maximumTextBytes else {
                    throw .textTooLong(part: info.label, limit: reader.maximumTextBytes)
                }
                current = nil
                text += bytes
                current = .text(info, source, text, alternativeGroup: group)
            case .attachment(_, let file, _):
                do {
                    try file.write(bytes)
                } catch {
                    throw .storageFailed("\(error)")
                }
            case nil:
                break
            }
        }

        private mutating func end() throws(ReceivedMailError) {
            defer { current = nil }
            switch current {
            case .text(let info, let source, let bytes, let group):
                let decoded: String
                do {
                    decoded = try MIMECharset.decode(bytes, charset: info.charset)
                } catch {
                    throw .unsupportedCharset(part: info.label, error)
                }
                let text: String
                switch source {
                case .html:
                    text = HTMLText.plainText(from: decoded)
                case .plain:
                    if info.contentType[parameter: "format"]?.lowercased() == "flowed" {
                        text = MailBodyText.unflowed(decoded, deleteSpace: info.contentType[parameter: "delsp"]?.lowercased() == "yes")
                    } else {
                        text = MailBodyText.normalizedLineEndings(decoded)
                    }
                }
                texts.append((ReceivedMailText(source: source, text: text), group))
            case .attachment(let info, let file, let isInline):
                do {
                    try file.finish()
                } catch {
                    throw .storageFailed("\(error)")
                }
                files.append(file)
                attachments.append(ReceivedAttachment(
                    path: file.path,
                    mediaType: info.mediaType,
                    fileName: info.declaredFileName.flatMap(MIMEFileName.sanitized)
                        ?? MIMEFileName.fallback(partNumber: info.number, mediaType: info.mediaType),
                    size: file.size,
                    isInlineBodyImage: isInline,
                    partNumber: info.number
                ))
            case nil:
                break
            }
        }

        /// Keeps the attachment files and picks one text of each set of alternatives.
        func result() -> ReceivedMail {
            for file in files { file.keep() }
            var chosen: [ReceivedMailText] = []
            var decidedGroups: Set<Int> = []
            for (index, entry) in texts.enumerated() {
                guard let group = entry.alternativeGroup else {
                    chosen.append(entry.text)
                    continue
                }
                guard !decidedGroups.contains(group) else { continue }
                decidedGroups.insert(group)
                let candidates = texts[index...].filter { $0.alternativeGroup == group }.map(\.text)
                chosen.append(candidates.first { $0.source == .plain } ?? candidates[0])
            }
            return ReceivedMail(header: header, texts: chosen, attachments: attachments)
        }
    }
}
