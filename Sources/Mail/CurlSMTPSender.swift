import CCurl
import Curl
import Foundation
import Logging

/// Sends mail through libcurl's SMTP client, one connection and one easy handle per message.
///
/// libcurl blocks while it talks to the server, so each transfer runs on a thread of its own
/// and never on Swift's cooperative pool. All recipients must be accepted or the message is not
/// sent (libcurl's default): a delivery is all or nothing.
public final class CurlSMTPSender: MailSender {
    public let configuration: SMTPConfiguration
    private let logger: Logger

    public init(configuration: SMTPConfiguration, logger: Logger = Logger(label: "faxline.mail")) throws(MailError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
    }

    public func send(_ message: MailMessage, from: String, to recipients: [String]) async throws(MailError) {
        try MailAddress.validate(address: from)
        guard !recipients.isEmpty else { throw .invalidContent("no recipients") }
        for recipient in recipients { try MailAddress.validate(address: recipient) }
        var seen = Set<String>()
        let envelopeRecipients = recipients.filter { seen.insert($0.lowercased()).inserted }
        let bytes = try message.encoded()

        var logger = self.logger
        logger[metadataKey: "mail.message_id"] = "\(message.messageID)"
        logger[metadataKey: "mail.to"] = "\(envelopeRecipients.joined(separator: ","))"
        logger.debug("Sending mail", metadata: ["mail.bytes": "\(bytes.count)", "smtp.url": "\(configuration.url)"])

        let transfer = SMTPTransfer(payload: bytes, logsIn: configuration.username != nil)
        let configuration = self.configuration
        let result: Result<Void, MailError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // A thread of its own: on Linux both Dispatch's global queues and Swift's
                // cooperative pool share one CPU-sized set of threads, and a transfer blocked in
                // libcurl must never hold one of them.
                let thread = Thread {
                    continuation.resume(returning: Self.perform(transfer, configuration: configuration, from: from, to: envelopeRecipients))
                }
                thread.name = "faxline-smtp"
                thread.start()
            }
        } onCancel: {
            transfer.upload.cancel()
        }
        switch result {
        case .success:
            logger.info("Mail delivered to the SMTP server")
        case .failure(let error):
            logger.warning("Mail not delivered", metadata: ["error": "\(error)", "mail.temporary": "\(error.isTemporary)"])
            throw error
        }
    }

    /// One blocking SMTP dialogue.
    private static func perform(_ transfer: SMTPTransfer, configuration: SMTPConfiguration, from: String, to recipients: [String]) -> Result<Void, MailError> {
        do throws(CurlSetupError) {
            let curl = try CurlEasyHandle()
            try curl.set(CURLOPT_URL, configuration.url)
            try curl.set(CURLOPT_NOSIGNAL, true)
            try curl.set(CURLOPT_UPLOAD, true)
            try curl.set(CURLOPT_MAIL_FROM, "<\(from)>")
            try curl.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
            try curl.set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
            try curl.set(CURLOPT_TIMEOUT_MS, configuration.totalTimeout.milliseconds)
            let useSSL: curl_usessl = switch configuration.transportSecurity {
            case .none: CURLUSESSL_NONE
            case .startTLSIfOffered: CURLUSESSL_TRY
            case .startTLSRequired, .implicitTLS: CURLUSESSL_ALL
            }
            try curl.set(CURLOPT_USE_SSL, Int(useSSL.rawValue))
            try curl.set(CURLOPT_SSL_VERIFYPEER, configuration.verifyPeer)
            try curl.set(CURLOPT_SSL_VERIFYHOST, configuration.verifyPeer ? 2 : 0)
            if let username = configuration.username { try curl.set(CURLOPT_USERNAME, username) }
            if let password = configuration.password { try curl.set(CURLOPT_PASSWORD, password.revealed) }

            let context = Unmanaged.passUnretained(transfer).toOpaque()
            try curl.setReadFunction(smtpReadCallback)
            try curl.set(CURLOPT_READDATA, pointer: context)
            try curl.setProgressFunction(smtpProgressCallback)
            try curl.set(CURLOPT_XFERINFODATA, pointer: context)
            try curl.set(CURLOPT_NOPROGRESS, false)
            // The debug callback is the only way to see the server's reply text; with it set,
            // VERBOSE output goes to the callback and never to stderr.
            try curl.setDebugFunction(smtpDebugCallback)
            try curl.set(CURLOPT_DEBUGDATA, pointer: context)
            try curl.set(CURLOPT_VERBOSE, true)
            try curl.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(transfer.upload.errorBuffer))

            let code = withExtendedLifetime(transfer) { curl.perform() }
            guard code != CURLE_OK else { return .success(()) }
            let responseCode = transfer.lastErrorReplyCode ?? curl.info(CURLINFO_RESPONSE_CODE)
            return .failure(classify(code, responseCode: responseCode, transfer: transfer))
        } catch {
            return .failure(.invalidConfiguration(error.description))
        }
    }

    /// Maps a libcurl failure to a `MailError`, temporary where a retry can help.
    static func classify(_ code: CURLcode, responseCode: Int, transfer: SMTPTransfer) -> MailError {
        let curlText = transfer.upload.errorText.isEmpty ? CurlEasyHandle.describe(code) : transfer.upload.errorText
        let serverText = transfer.lastServerReply
        let detail = serverText.map { "\(curlText); server said: \($0)" } ?? curlText
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where transfer.upload.isCancelled:
            return .cancelled
        case CURLE_LOGIN_DENIED:
            return .authenticationFailed(code: responseCode > 0 ? responseCode : nil, detail)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectionFailed(detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(detail)
        case CURLE_USE_SSL_FAILED where transfer.logsIn:
            return .tlsFailed("the mail server did not offer STARTTLS, and the login is never sent in clear "
                + "(\(detail)); enable STARTTLS on the server, or use tls = none with allow_plaintext_auth = yes for a trusted relay")
        case CURLE_USE_SSL_FAILED, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_ENGINE_NOTFOUND:
            return .tlsFailed(detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidConfiguration(detail)
        default:
            if (400..<600).contains(responseCode) {
                return .rejected(code: responseCode, detail)
            }
            return .transferFailed(detail)
        }
    }
}

/// State one transfer shares with libcurl's callbacks, which run on the transfer's thread;
/// only the cancel flag is touched from elsewhere.
final class SMTPTransfer: @unchecked Sendable {
    let upload: CurlUpload
    private(set) var lastServerReply: String?
    private(set) var lastErrorReplyCode: Int?
    /// A username is configured: the dialogue includes a login.
    let logsIn: Bool

    static let maximumReplyLength = 512

    init(payload: [UInt8], logsIn: Bool = false) {
        upload = CurlUpload(payload: payload)
        self.logsIn = logsIn
    }

    /// Keeps the last error reply (4xx/5xx): after a failure libcurl may still say QUIT and
    /// read "221", which must not hide the reply that mattered.
    func recordServerText(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes.prefix(Self.maximumReplyLength), as: UTF8.self)
        for line in text.split(whereSeparator: { $0 == "\r" || $0 == "\n" }) {
            let digits = line.prefix(3)
            guard digits.count == 3, let code = Int(digits), (400..<600).contains(code) else { continue }
            lastErrorReplyCode = code
            lastServerReply = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        }
    }
}

private let smtpReadCallback: faxline_curl_read_fn = { buffer, size, count, context in
    guard let buffer, let context else { return faxline_curl_readfunc_abort() }
    let transfer = Unmanaged<SMTPTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.upload.read(into: buffer, capacity: size * count)
}

private let smtpProgressCallback: faxline_curl_progress_fn = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<SMTPTransfer>.fromOpaque(context).takeUnretainedValue().upload.isCancelled ? 1 : 0
}

private let smtpDebugCallback: faxline_curl_debug_fn = { _, type, data, size, context in
    guard type == CURLINFO_HEADER_IN, let data, let context else { return 0 }
    let transfer = Unmanaged<SMTPTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.recordServerText(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
