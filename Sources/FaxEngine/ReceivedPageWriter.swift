import CTIFF
import FaxTIFF
import Foundation
import Synchronization

/// One page as spandsp's receiver decoded it: rows of 1-bit pixels, bit 7 of a row's first
/// byte the leftmost, 1 black.
struct ReceivedPage: Sendable {
    var rows: PackedRows
    var width: Int
    /// Pixels per metre, as spandsp keeps them.
    var xResolution: Int
    var yResolution: Int

    var height: Int { rows.count }

    /// spandsp's rounding of pixels per metre to the dots per inch a fax TIFF carries.
    static func dotsPerInch(pixelsPerMetre: Int) -> Float {
        (Float(pixelsPerMetre) / 100 * 2.54 + 0.5).rounded(.down)
    }
}

/// Writes the pages a call receives into its TIFF (CCITT G4, one strip a page, each page's
/// directory written as soon as the page is, so a crash keeps the pages before it), on
/// ``PageWriterThread`` instead of the call's frame path. spandsp 0.0.6 encodes and writes a
/// page inside `fax_rx` when the page ends: about 4.5 ms of a page's 8, on the call's event
/// loop, while every frame of every call on that loop waits.
///
/// Its file is touched only on the writer thread (each job holds the writer, so the file is
/// closed after the last). ``finish()`` waits for the pages handed over so far (for callers
/// that are not on an event loop); ``close(then:)`` says when they are in, without waiting.
final class ReceivedPageWriter: @unchecked Sendable {
    let path: String
    // Only on PageWriterThread.shared:
    private var file: TIFFFile?
    private var pagesWritten = 0
    private var failure: String?
    private var finished = false

    init(path: String) {
        self.path = path
    }

    func append(_ page: ReceivedPage) {
        PageWriterThread.shared.submit { self.write(page) }
    }

    /// Waits until every page handed over is in the file, and closes it: what went wrong, if
    /// anything. Quick when the call ends: its pages were written seconds ago.
    func finish() -> String? {
        let failure = Mutex<String?>(nil)
        let closed = DispatchSemaphore(value: 0)
        close { reason in
            failure.withLock { $0 = reason }
            closed.signal()
        }
        closed.wait()
        return failure.withLock { $0 }
    }

    /// Closes the file once the pages handed over so far are in it, then tells `body` what went
    /// wrong, if anything — on the writer's thread; the caller does not wait.
    func close(then body: @escaping @Sendable (String?) -> Void) {
        PageWriterThread.shared.submit {
            self.finished = true
            self.file = nil
            body(self.failure)
        }
    }

    private func write(_ page: ReceivedPage) {
        guard failure == nil, !finished, page.height > 0 else { return }
        do {
            let file = try self.file ?? TIFFFile(writing: path)
            self.file = file
            let handle = file.handle
            file.setFaxPageTags(
                width: page.width, height: page.height,
                xResolution: ReceivedPage.dotsPerInch(pixelsPerMetre: page.xResolution),
                yResolution: ReceivedPage.dotsPerInch(pixelsPerMetre: page.yResolution),
                number: pagesWritten + 1, total: 0, software: "faxline")
            let cannotWrite = { TIFFReadError(.cannotCreate, file.lastError ?? "libtiff cannot write the page") }
            var row: UInt32 = 0
            try page.rows.forEachRow { pixels in
                guard TIFFWriteScanline(handle, pixels.baseAddress, row, 0) == 1 else { throw cannotWrite() }
                row += 1
            }
            guard TIFFWriteDirectory(handle) == 1 else { throw cannotWrite() }
            pagesWritten += 1
        } catch {
            let reason = (error as? TIFFReadError)?.reason ?? "\(error)"
            failure = "page \(pagesWritten + 1) cannot be written to \(path): \(reason)"
            file = nil
        }
    }
}

/// The thread that writes received pages, one job after another, at a lower priority than the
/// calls' event loops: when many pages end at once, the frames of the calls still on the line
/// come first.
final class PageWriterThread: Sendable {
    static let shared = PageWriterThread()

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let ready = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in
            // Nice 10 for this thread alone: on Linux the nice level belongs to the thread, and
            // `who` 0 is the calling one.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            while true {
                ready.wait()
                let job = jobs.withLock { $0.removeFirst() }
                job()
            }
        }
        thread.name = "faxline-pages"
        thread.start()
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        ready.signal()
    }
}
