import CCurl
import Curl
import FaxCore
import Foundation
import Logging

/// Posts webhooks through libcurl: http and https only, no redirects followed, no proxy from
/// the environment, a connect and a total timeout, at most `maximumResponseBytes` of the answer
/// read (and thrown away: only the status counts). For a restricted URL every address libcurl
/// is about to connect to is checked against the destination policy before the socket exists.
///
/// libcurl blocks, so each post runs on a thread of its own, never on Swift's cooperative pool.
public struct CurlWebhookPoster: WebhookPoster {
    public var destinations: WebhookDestinationPolicy
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    public static let maximumResponseBytes = 64 * 1024

    public init(destinations: WebhookDestinationPolicy, connectTimeout: Duration = .seconds(5), totalTimeout: Duration = .seconds(10)) {
        self.destinations = destinations
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    public func post(_ body: [UInt8], to url: String, headers: [String: String], restricted: Bool) async throws(WebhookPostError) -> Int {
        let transfer = WebhookTransfer(
            body: body, host: WebhookURL.host(of: url) ?? "", policy: restricted ? destinations : nil)
        let settings = self
        let result: Result<Int, WebhookPostError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: settings.perform(transfer, url: url, headers: headers))
                }
                thread.name = "faxline-webhook"
                thread.start()
            }
        } onCancel: {
            transfer.upload.cancel()
        }
        return try result.get()
    }

    private func perform(_ transfer: WebhookTransfer, url: String, headers: [String: String]) -> Result<Int, WebhookPostError> {
        do throws(CurlSetupError) {
            let curl = try CurlEasyHandle()
            try curl.set(CURLOPT_URL, url)
            try curl.set(CURLOPT_PROTOCOLS_STR, "http,https")
            try curl.set(CURLOPT_FOLLOWLOCATION, false)
            try curl.set(CURLOPT_PROXY, "")
            try curl.set(CURLOPT_NOSIGNAL, true)
            try curl.set(CURLOPT_CONNECTTIMEOUT_MS, connectTimeout.milliseconds)
            try curl.set(CURLOPT_TIMEOUT_MS, totalTimeout.milliseconds)
            try curl.set(CURLOPT_POST, true)
            try curl.set(CURLOPT_POSTFIELDSIZE, transfer.upload.byteCount)
            try curl.set(CURLOPT_USERAGENT, "Faxline/\(FaxlineWebhookVersion.text)")
            // "Expect: 100-continue" would cost a round trip (or a second's wait) per post.
            try curl.set(CURLOPT_HTTPHEADER, list: ["Expect:"] + headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            try curl.setReadFunction(webhookReadCallback)
            try curl.set(CURLOPT_READDATA, pointer: context)
            try curl.setWriteFunction(webhookWriteCallback)
            try curl.set(CURLOPT_WRITEDATA, pointer: context)
            try curl.setProgressFunction(webhookProgressCallback)
            try curl.set(CURLOPT_XFERINFODATA, pointer: context)
            try curl.set(CURLOPT_NOPROGRESS, false)
            try curl.setOpenSocketFunction(webhookOpenSocketCallback)
            try curl.set(CURLOPT_OPENSOCKETDATA, pointer: context)
            try curl.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(transfer.upload.errorBuffer))

            let code = withExtendedLifetime(transfer) { curl.perform() }
            let status = curl.info(CURLINFO_RESPONSE_CODE)
            // The answer's body is not wanted: a receiver that sends more than we read has
            // still answered, and its status counts.
            if code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer.bodyCapped && status > 0) {
                return .success(status)
            }
            return .failure(classify(code, transfer: transfer))
        } catch {
            return .failure(.transferFailed(error.description))
        }
    }

    private func classify(_ code: CURLcode, transfer: WebhookTransfer) -> WebhookPostError {
        let detail = transfer.upload.errorText.isEmpty ? CurlEasyHandle.describe(code) : transfer.upload.errorText
        if let refused = transfer.refusedAddress { return .destinationRefused(refused) }
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where transfer.upload.isCancelled: return .cancelled
        case CURLE_OPERATION_TIMEDOUT: return .timedOut(detail)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: return .connectionFailed(detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return .tlsFailed(detail)
        default: return .transferFailed(detail)
        }
    }
}

/// The version in the User-Agent header.
enum FaxlineWebhookVersion {
    static let text = "1"
}

/// State one post shares with libcurl's callbacks, which run on the post's thread; only the
/// cancel flag is touched from elsewhere.
final class WebhookTransfer: @unchecked Sendable {
    let upload: CurlUpload
    let host: String
    /// `nil`: the URL may go anywhere.
    let policy: WebhookDestinationPolicy?
    private var received = 0
    private(set) var bodyCapped = false
    private(set) var refusedAddress: String?

    init(body: [UInt8], host: String, policy: WebhookDestinationPolicy?) {
        upload = CurlUpload(payload: body)
        self.host = host
        self.policy = policy
    }

    /// Counts the answer's bytes, and stops reading after the cap.
    func discard(_ count: Int) -> Int {
        received += count
        guard received <= CurlWebhookPoster.maximumResponseBytes else {
            bodyCapped = true
            return 0
        }
        return count
    }

    func mayConnect(to address: [UInt8]) -> Bool {
        guard let policy, !policy.allows(address: address, host: host) else { return true }
        refusedAddress = "\(host) leads to \(Self.text(of: address)), which is not a public address; "
            + "only administrators may point webhooks into the local network (or list it in [webhooks] allow)"
        return false
    }

    static func text(of address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: address.count, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}

private let webhookReadCallback: faxline_curl_read_fn = { buffer, size, count, context in
    guard let buffer, let context else { return faxline_curl_readfunc_abort() }
    return Unmanaged<WebhookTransfer>.fromOpaque(context).takeUnretainedValue().upload.read(into: buffer, capacity: size * count)
}

private let webhookWriteCallback: faxline_curl_write_fn = { _, size, count, context in
    guard let context else { return 0 }
    return Unmanaged<WebhookTransfer>.fromOpaque(context).takeUnretainedValue().discard(size * count)
}

private let webhookProgressCallback: faxline_curl_progress_fn = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<WebhookTransfer>.fromOpaque(context).takeUnretainedValue().upload.isCancelled ? 1 : 0
}

private let webhookOpenSocketCallback: faxline_curl_opensocket_fn = { context, _, address in
    guard let context, let address else { return faxline_curl_socket_bad() }
    let transfer = Unmanaged<WebhookTransfer>.fromOpaque(context).takeUnretainedValue()
    var bytes = [UInt8](repeating: 0, count: 16)
    let count = Int(faxline_curl_address_bytes(address, &bytes))
    guard count > 0, transfer.mayConnect(to: Array(bytes.prefix(count))) else { return faxline_curl_socket_bad() }
    return faxline_curl_open_socket(address)
}
