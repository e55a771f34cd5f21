import CCurl
import Foundation

/// What every upload through libcurl shares with its callbacks: the bytes to send and how far
/// libcurl has read them, libcurl's error text, and the cancel flag — the one part touched from
/// another thread, so behind a lock. The SMTP sender and the webhook poster each hold one.
package final class CurlUpload: @unchecked Sendable {
    private let payload: [UInt8]
    private var offset = 0
    private let lock = NSLock()
    private var cancelled = false
    /// Given to libcurl as `CURLOPT_ERRORBUFFER`; lives as long as this object.
    package let errorBuffer: UnsafeMutablePointer<CChar>

    package init(payload: [UInt8]) {
        self.payload = payload
        let size = faxline_curl_error_size()
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
    }

    deinit {
        errorBuffer.deallocate()
    }

    /// The payload's size, for libcurl's size options.
    package var byteCount: Int { payload.count }
    package var errorText: String { String(cString: errorBuffer) }
    package var isCancelled: Bool { lock.withLock { cancelled } }
    package func cancel() { lock.withLock { cancelled = true } }

    /// libcurl's read callback: the next bytes of the payload, 0 at its end, abort once cancelled.
    package func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        if isCancelled { return faxline_curl_readfunc_abort() }
        let count = min(capacity, payload.count - offset)
        guard count > 0 else { return 0 }
        payload.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
