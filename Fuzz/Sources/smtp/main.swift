import FuzzSupport
import MailParsers
import NIOCore

// A client of the mail-to-fax gateway: every line through SMTPServerCommand(parsing:), and the
// whole stream through SMTPServerStateMachine with every decision accepted — once in one read
// (`actions(for:)`), once in the two reads the control bytes choose, which must act the same.
// The first 4 bytes are control bytes: the split point, whether the server offers STARTTLS and
// allows AUTH in clear (flags 2, 3), and whether it runs with tiny limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTP(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    for line in input.data.split(separator: UInt8(ascii: "\n")).prefix(64) {
        checkCommand(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
    }

    let limits =
        input.usesTinyLimits
        ? SMTPServerLimits(
            maximumCommandLineLength: input.limit(8...128), maximumTextLineLength: input.limit(4...128, salt: 1),
            maximumAuthenticationLineLength: input.limit(4...128, salt: 2), maximumRecipients: input.limit(1...4, salt: 3),
            maximumMessageBytes: input.limit(0...512, salt: 4), maximumErrors: input.limit(1...6, salt: 5),
            maximumCommands: input.limit(1...20, salt: 6), maximumAuthenticationFailures: input.limit(1...3, salt: 7))
        : SMTPServerLimits()
    let configuration = SMTPServerStateMachine.Configuration(
        hostname: "fax.example.org", limits: limits,
        security: SMTPSessionSecurity(isTLSAvailable: input.flag(2), requiresTLSForMail: false,
                                      allowsAuthenticationWithoutTLS: input.flag(3)))
    let whole = SMTPServerStateMachine.actions(for: input.data, configuration: configuration)
    check(whole, limits: limits)
    // After STARTTLS the bytes already read are thrown away, so there a split may matter.
    guard !whole.contains(where: { if case .startTLS = $0 { true } else { false } }) else { return 0 }
    let split = SMTPServerStateMachine.actions(forReads: input.chunks, configuration: configuration)
    check(split, limits: limits)
    // A client still sending at twice the size limit is cut off when a read ends before the
    // message does: that one depends on the reads, by design.
    let cutOff = (whole + split).contains { if case .sendAndClose(let reply) = $0 { reply.code == 552 } else { false } }
    guard !cutOff else { return 0 }
    fuzzCheck(joiningData(whole) == joiningData(split), "split at \(input.splitPoint) changed the session")
    return 0
}

private func checkCommand(_ line: ArraySlice<UInt8>) {
    do {
        switch try SMTPServerCommand(parsing: line) {
        case .hello(let domain, _):
            fuzzCheck(!domain.isEmpty && domain.utf8.count <= SMTPMailbox.maximumDomainLength, "hello name \(domain.debugDescription)")
        case .recipient(let mailbox):
            check(mailbox)
        case .mail(let from, _):
            if let mailbox = from.mailbox { check(mailbox) }
        default:
            break
        }
    } catch {
        fuzzCheck(!error.description.isEmpty, "an empty error message")
    }
}

private func check(_ mailbox: SMTPMailbox) {
    fuzzCheck(mailbox.localPart.utf8.count <= SMTPMailbox.maximumLocalPartLength, "local part over the limit")
    fuzzCheck(mailbox.domain.utf8.count <= SMTPMailbox.maximumDomainLength, "domain over the limit")
    fuzzCheck(mailbox.description.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F }, "control character in \(mailbox)")
}

/// The session as the client and the spool see it. Message bytes may be written in other pieces
/// when they arrive in others; and a streaming server writes the start of a message before it
/// knows it will refuse it, so how much was written before `discardMessage` (whose spool file the
/// driver removes) depends on the reads.
private func joiningData(_ actions: [SMTPServerAction]) -> [SMTPServerAction] {
    var joined: [SMTPServerAction] = []
    for action in actions {
        if case .discardMessage = action, case .writeMessageData? = joined.last {
            joined[joined.count - 1] = action
        } else if case .writeMessageData(var more) = action, case .writeMessageData(var bytes)? = joined.last {
            bytes.writeBuffer(&more)
            joined[joined.count - 1] = .writeMessageData(bytes)
        } else if case .writeMessageData(let bytes) = action, bytes.readableBytes == 0 {
            continue
        } else {
            joined.append(action)
        }
    }
    return joined
}

/// Replies fit the protocol whatever the client sent; message bytes stay within the limit; a
/// closed session does nothing more.
private func check(_ actions: [SMTPServerAction], limits: SMTPServerLimits) {
    var messageBytes = 0
    var closed = false
    for action in actions {
        fuzzCheck(!closed, "an action after the connection was closed")
        switch action {
        case .send(let reply), .startTLS(let reply):
            check(reply)
        case .sendAndClose(let reply):
            check(reply)
            closed = true
        case .openMessage:
            messageBytes = 0
        case .writeMessageData(let bytes):
            messageBytes += bytes.readableBytes
            fuzzCheck(messageBytes <= limits.maximumMessageBytes, "\(messageBytes) message bytes written")
        case .finishMessage(let envelope):
            fuzzCheck(envelope.recipients.count <= limits.maximumRecipients, "\(envelope.recipients.count) recipients")
            fuzzCheck(envelope.messageSize <= limits.maximumMessageBytes, "a message of \(envelope.messageSize) bytes accepted")
        case .needMoreBytes, .authenticate, .checkSender, .checkRecipient, .discardMessage:
            break
        }
    }
}

private func check(_ reply: SMTPServerReply) {
    fuzzCheck((200..<600).contains(reply.code), "reply code \(reply.code)")
    for line in reply.lines {
        fuzzCheck(line.utf8.count <= SMTPServerReply.maximumLineLength, "a reply line of \(line.utf8.count) bytes")
        fuzzCheck(!line.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "a control character in reply \(reply)")
    }
}
