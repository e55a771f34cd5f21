import FuzzSupport
import MailParsers

// A mail received by the mail-to-fax gateway: MIMEStreamParser, fed as the SMTP session spools
// it, then what the received-mail reader takes from the events (subject, file names, charsets,
// HTML text). The first 4 bytes are control bytes: where the message is cut into two pieces,
// and whether the parser runs with tiny limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIME(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let limits =
        input.usesTinyLimits
        ? MIMEStreamParser.Limits(
            maximumDepth: input.limit(1...4), maximumParts: input.limit(1...12, salt: 1),
            maximumHeaderLineLength: input.limit(8...200, salt: 2),
            maximumHeaderFieldLength: input.limit(8...400, salt: 3),
            maximumHeaderFields: input.limit(1...16, salt: 4), maximumHeaderBytes: input.limit(16...800, salt: 5))
        : MIMEStreamParser.Limits()

    let whole = Result { () throws(MIMEError) in try MIMEStreamParser.events(in: input.data, limits: limits) }
    let split = Result { () throws(MIMEError) -> [MIMEEvent] in
        var parser = MIMEStreamParser(limits: limits)
        var events: [MIMEEvent] = []
        for chunk in input.chunks {
            events += try parser.feed(chunk)
        }
        return events + (try parser.finish())
    }
    // Body bytes may come in other pieces when the message does; nothing else may change.
    switch (whole, split) {
    case (.success(let one), .success(let two)):
        fuzzCheck(joiningData(one) == joiningData(two), "split at \(input.splitPoint) changed the events")
        check(one, limits: limits)
    case (.failure(let one), .failure(let two)):
        fuzzCheck(one == two, "split at \(input.splitPoint) changed the error: \(one) vs \(two)")
        fuzzCheck(!one.description.isEmpty, "an empty error message")
    default:
        fuzzCheck(false, "split at \(input.splitPoint) changed the outcome: \(whole) vs \(split)")
    }
    return 0
}

private func joiningData(_ events: [MIMEEvent]) -> [MIMEEvent] {
    var joined: [MIMEEvent] = []
    for event in events {
        if case .partData(let more) = event, case .partData(let bytes)? = joined.last {
            joined[joined.count - 1] = .partData(bytes + more)
        } else if case .partData(let bytes) = event, bytes.isEmpty {
            continue
        } else {
            joined.append(event)
        }
    }
    return joined
}

/// The events of a message read to the end: well nested, within the limits, and every name and
/// text the reader takes from them safe to use.
private func check(_ events: [MIMEEvent], limits: MIMEStreamParser.Limits) {
    guard case .messageHeader(let header)? = events.first else {
        fuzzCheck(false, "the first event is not the message header")
        return
    }
    fuzzCheck(header.fields.count <= limits.maximumHeaderFields, "more header fields than the limit")
    _ = (header.subject, header.from)
    var depth = 0
    var inPart = false
    var entities = 0
    for event in events.dropFirst() {
        switch event {
        case .messageHeader:
            fuzzCheck(false, "a second message header")
        case .multipartStart(let info):
            fuzzCheck(!inPart, "a multipart inside a leaf part")
            depth += 1
            entities += 1
            fuzzCheck(depth <= limits.maximumDepth, "multiparts nested deeper than the limit")
            check(info, limits: limits)
        case .multipartEnd:
            fuzzCheck(!inPart && depth > 0, "a multipart end without its start")
            depth -= 1
        case .partStart(let info):
            fuzzCheck(!inPart, "a part inside a part")
            inPart = true
            entities += 1
            check(info, limits: limits)
        case .partData:
            fuzzCheck(inPart, "body bytes outside a part")
        case .partEnd:
            fuzzCheck(inPart, "a part end without its start")
            inPart = false
        }
    }
    fuzzCheck(depth == 0 && !inPart, "the message ended inside a part")
    fuzzCheck(entities <= limits.maximumParts, "\(entities) parts, more than the limit")

    // Text parts as the reader turns them into the cover text.
    var part: MIMEPartInfo?
    var body: [UInt8] = []
    for event in events {
        switch event {
        case .partStart(let info): part = info; body = []
        case .partData(let bytes): body += bytes
        case .partEnd:
            if let part, part.mediaType.hasPrefix("text/") {
                let text = (try? MIMECharset.decode(body, charset: part.charset)) ?? ""
                if part.mediaType == "text/html" { _ = HTMLText.plainText(from: text) }
            }
            part = nil
        default: break
        }
    }
}

private func check(_ info: MIMEPartInfo, limits: MIMEStreamParser.Limits) {
    fuzzCheck(info.header.fields.count <= limits.maximumHeaderFields, "more header fields than the limit")
    _ = (info.isMultipart, info.isDeclaredAttachment, info.contentID, info.header.subject)
    if let name = info.declaredFileName, let clean = MIMEFileName.sanitized(name) {
        fuzzCheck(!clean.isEmpty && clean.utf8.count <= MIMEFileName.maximumLength, "file name of \(clean.utf8.count) bytes")
        fuzzCheck(!clean.contains("/") && !clean.hasPrefix(".") && clean != "..", "file name \(clean.debugDescription) is a path")
        fuzzCheck(!clean.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control character in a file name")
    }
    _ = MIMEFileName.fallback(partNumber: info.number, mediaType: info.mediaType)
}
