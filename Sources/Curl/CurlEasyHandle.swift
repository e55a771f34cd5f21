import CCurl
import Foundation

/// Owns one libcurl easy handle and the string list options that must live as long as it.
/// Shared by the SMTP sender (Mail) and the webhook poster (Webhooks).
package final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    /// `curl_global_init` is not thread-safe and must run once before any handle exists.
    private static let globalInitResult: CURLcode = faxline_curl_global_init()

    package init() throws(CurlSetupError) {
        guard Self.globalInitResult == CURLE_OK else {
            throw CurlSetupError("libcurl could not initialise (\(Self.describe(Self.globalInitResult)))")
        }
        guard let handle = curl_easy_init() else {
            throw CurlSetupError("libcurl could not create a handle")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
    }

    package func set(_ option: CURLoption, _ value: Int) throws(CurlSetupError) {
        try check(faxline_curl_setopt_long(handle, option, value), option)
    }

    package func set(_ option: CURLoption, _ value: Bool) throws(CurlSetupError) {
        try set(option, value ? 1 : 0)
    }

    /// libcurl copies string options, so the Swift string need not outlive the call.
    package func set(_ option: CURLoption, _ value: String) throws(CurlSetupError) {
        try check(value.withCString { faxline_curl_setopt_string(handle, option, $0) }, option)
    }

    package func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(CurlSetupError) {
        try check(faxline_curl_setopt_pointer(handle, option, pointer), option)
    }

    /// A `curl_slist` option; the list is kept until the handle is freed.
    package func set(_ option: CURLoption, list strings: [String]) throws(CurlSetupError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for string in strings {
            guard let appended = curl_slist_append(list, string) else {
                if let list { curl_slist_free_all(list) }
                throw CurlSetupError("libcurl could not allocate a list")
            }
            list = appended
        }
        guard let list else { return }
        lists.append(list)
        try check(faxline_curl_setopt_slist(handle, option, list), option)
    }

    package func setReadFunction(_ function: faxline_curl_read_fn) throws(CurlSetupError) {
        try check(faxline_curl_setopt_read_function(handle, function), CURLOPT_READFUNCTION)
    }

    package func setProgressFunction(_ function: faxline_curl_progress_fn) throws(CurlSetupError) {
        try check(faxline_curl_setopt_progress_function(handle, function), CURLOPT_XFERINFOFUNCTION)
    }

    package func setDebugFunction(_ function: faxline_curl_debug_fn) throws(CurlSetupError) {
        try check(faxline_curl_setopt_debug_function(handle, function), CURLOPT_DEBUGFUNCTION)
    }

    /// Runs the transfer on the calling thread, blocking until it ends.
    package func setWriteFunction(_ function: faxline_curl_write_fn) throws(CurlSetupError) {
        try check(faxline_curl_setopt_write_function(handle, function), CURLOPT_WRITEFUNCTION)
    }

    package func setOpenSocketFunction(_ function: faxline_curl_opensocket_fn) throws(CurlSetupError) {
        try check(faxline_curl_setopt_opensocket_function(handle, function), CURLOPT_OPENSOCKETFUNCTION)
    }

    package func perform() -> CURLcode {
        curl_easy_perform(handle)
    }

    package func info(_ info: CURLINFO) -> Int {
        var value = 0
        _ = faxline_curl_getinfo_long(handle, info, &value)
        return value
    }

    package static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(CurlSetupError) {
        guard code == CURLE_OK else {
            throw CurlSetupError("libcurl refused option \(option.rawValue): \(Self.describe(code))")
        }
    }
}

/// libcurl refused to set up a transfer (an option, memory): the caller's configuration or
/// the library is at fault, not the far end.
package struct CurlSetupError: Error, CustomStringConvertible {
    package let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension Duration {
    /// Whole milliseconds, as libcurl's `…_MS` timeout options take them.
    package var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
