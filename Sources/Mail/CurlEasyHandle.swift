import CCurl
import Foundation

/// Owns one libcurl easy handle and the string list options that must live as long as it.
final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    /// `curl_global_init` is not thread-safe and must run once before any handle exists.
    private static let globalInitResult: CURLcode = faxline_curl_global_init()

    init() throws(MailError) {
        guard Self.globalInitResult == CURLE_OK else {
            throw .invalidConfiguration("libcurl could not initialise (\(Self.describe(Self.globalInitResult)))")
        }
        guard let handle = curl_easy_init() else {
            throw .invalidConfiguration("libcurl could not create a handle")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
    }

    func set(_ option: CURLoption, _ value: Int) throws(MailError) {
        try check(faxline_curl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: Bool) throws(MailError) {
        try set(option, value ? 1 : 0)
    }

    /// libcurl copies string options, so the Swift string need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws(MailError) {
        try check(value.withCString { faxline_curl_setopt_string(handle, option, $0) }, option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(MailError) {
        try check(faxline_curl_setopt_pointer(handle, option, pointer), option)
    }

    /// A `curl_slist` option; the list is kept until the handle is freed.
    func set(_ option: CURLoption, list strings: [String]) throws(MailError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for string in strings {
            guard let appended = curl_slist_append(list, string) else {
                if let list { curl_slist_free_all(list) }
                throw .invalidConfiguration("libcurl could not allocate a list")
            }
            list = appended
        }
        guard let list else { return }
        lists.append(list)
        try check(faxline_curl_setopt_slist(handle, option, list), option)
    }

    func setReadFunction(_ function: faxline_curl_read_fn) throws(MailError) {
        try check(faxline_curl_setopt_read_function(handle, function), CURLOPT_READFUNCTION)
    }

    func setProgressFunction(_ function: faxline_curl_progress_fn) throws(MailError) {
        try check(faxline_curl_setopt_progress_function(handle, function), CURLOPT_XFERINFOFUNCTION)
    }

    func setDebugFunction(_ function: faxline_curl_debug_fn) throws(MailError) {
        try check(faxline_curl_setopt_debug_function(handle, function), CURLOPT_DEBUGFUNCTION)
    }

    /// Runs the transfer on the calling thread, blocking until it ends.
    func perform() -> CURLcode {
        curl_easy_perform(handle)
    }

    func info(_ info: CURLINFO) -> Int {
        var value = 0
        _ = faxline_curl_getinfo_long(handle, info, &value)
        return value
    }

    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(MailError) {
        guard code == CURLE_OK else {
            throw .invalidConfiguration("libcurl refused option \(option.rawValue): \(Self.describe(code))")
        }
    }
}
