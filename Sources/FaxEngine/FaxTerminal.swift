/// What a call's owner needs of a fax session, whatever the transport.
public protocol FaxTerminal: AnyObject {
    var role: FaxCallRole { get }
    /// Phase E has happened: the session will not produce anything useful any more.
    var isFinished: Bool { get }
    /// Pages confirmed so far (sending: by the far end; receiving: accepted and written).
    var pagesConfirmed: Int { get }
    /// Seconds of call time the session has run.
    var elapsedSeconds: Double { get }
    /// Valid T.30 frames heard from the far end so far (cheap; for call progress).
    var t30FramesReceived: Int { get }
    /// The call is gone: end T.30 now. Safe to call more than once.
    func hangUp()
    /// The outcome; final once `isFinished`.
    var result: FaxResult { get }
}

/// Checks made before a session is created, so that a bad document fails before the call.
enum FaxSessionPreflight {
    /// Returns the number of pages to send (nil when receiving).
    static func check(_ document: FaxDocument, options: FaxSessionOptions) throws(FaxEngineError) -> Int? {
        try options.validate()
        switch document {
        case .send(let path, let firstPage, let lastPage):
            let pages = try FaxTIFFInspector.pages(of: path).count
            let first = firstPage ?? 1
            let last = lastPage ?? pages
            guard first >= 1, first <= pages else {
                throw .pageRange(path: path, reason: "first page \(first) is outside 1...\(pages)")
            }
            guard last >= first, last <= pages else {
                throw .pageRange(path: path, reason: "last page \(last) is outside \(first)...\(pages)")
            }
            return last - first + 1
        case .receive(let path):
            try checkWritable(path)
            return nil
        }
    }

    /// spandsp opens the receive file only when the first page arrives; a path that cannot be
    /// written must fail now, not after the far end has sent a page.
    private static func checkWritable(_ path: String) throws(FaxEngineError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw .cannotWriteReceivedFax(path: path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
