import CSpanDSP
import FaxCore
import Foundation

/// Everything about one T.30 state that does not depend on the transport: applies the options
/// and the document, collects phase events and spandsp's log lines, and makes the result.
/// Confined to the session's task, like the spandsp state it watches.
final class T30Monitor {
    static let sampleRate = 8_000
    /// Once every page got through, DCN should follow within T.30's T4 (3 s); some peers never
    /// send it, and over T.38 spandsp then waits for ever.
    static let endOfDocumentGrace = 15 * sampleRate
    /// No T.30 event at all for this long means the session is stuck. A dense page at
    /// 2400 bit/s without ECM takes about 4 minutes, so the limit is well above that.
    static let progressTimeout = 600 * sampleRate
    static let maximumLogLines = 4_000

    private let t30: OpaquePointer
    let document: FaxDocument
    let options: FaxSessionOptions
    let pagesToSend: Int?

    /// Samples the session has run; the clock for event times and the duration.
    var elapsedSamples = 0
    private(set) var completionCode: Int32?
    private(set) var events: [FaxEvent] = []
    private var droppedEvents = 0
    /// ECM page-data frames (FCD) seen in the log and not kept line by line.
    private var pageDataFrames = 0
    private var logLines = 0
    private var phaseDCount = 0
    /// Valid T.30 frames the far end sent: none means no fax machine was ever heard.
    private(set) var framesReceived = 0
    /// Receiving: the sender said EOP, so every page of the document has arrived.
    private var sawEndOfDocument = false
    private var terminatedByHangup = false
    private var lastProgressSample = 0
    private var documentCompleteSample: Int?
    /// Why a watchdog ended the session, if one did.
    private(set) var watchdogReason: String?

    /// Receiving: the pages' rows, written into the document's TIFF off the session's thread.
    private var receivedRows: ReceivedRows?
    private var pageWriter: ReceivedPageWriter?
    /// What spandsp opens as its own TIFF (it writes no page into it and removes it at the end).
    private var spandspFile: String?
    private var pagesClosed = false
    /// Why the pages could not all be written, once a waiting ``result()`` has found out.
    private var pagesFailure: String?

    private let callbacks: UnsafeMutablePointer<faxline_t30_events_t>
    private let routeID: Int
    /// The logging tag; spandsp keeps the pointer, so it lives as long as the monitor.
    private let tag: UnsafeMutablePointer<CChar>

    init(t30: OpaquePointer, document: FaxDocument, options: FaxSessionOptions, pagesToSend: Int?) {
        self.t30 = t30
        self.document = document
        self.options = options
        self.pagesToSend = pagesToSend
        callbacks = .allocate(capacity: 1)
        routeID = T30LogRouter.newRouteID()
        tag = strdup(T30LogRouter.tag(for: routeID))!
        T30LogRouter.register(self, as: routeID)
        callbacks.initialize(to: faxline_t30_events_t(
            handler: { context, phase, code in
                guard let context else { return }
                Unmanaged<T30Monitor>.fromOpaque(context).takeUnretainedValue().phaseEvent(phase, code: code)
            },
            context: Unmanaged.passUnretained(self).toOpaque()))
        faxline_t30_set_event_handlers(t30, callbacks)
        apply()
    }

    deinit {
        T30LogRouter.remove(routeID)
        free(tag)
        callbacks.deallocate()
    }

    var isFinished: Bool { completionCode != nil }
    var seconds: Double { Double(elapsedSamples) / Double(Self.sampleRate) }

    /// Sends a spandsp logging state's lines into this session's event log.
    func route(_ logging: OpaquePointer?) {
        guard let logging else { return }
        switch options.logDetail {
        case .summary:
            faxline_log_silence(logging)
        case .flow:
            faxline_log_route(logging, Int32(SPAN_LOG_FLOW), tag, T30LogRouter.handler)
        case .debug:
            faxline_log_route(logging, Int32(SPAN_LOG_DEBUG_3), tag, T30LogRouter.handler)
        }
    }

    func silence(_ logging: OpaquePointer?) {
        guard let logging else { return }
        faxline_log_silence(logging)
    }

    private func apply() {
        route(t30_get_logging_state(t30))
        if !options.localStationID.isEmpty {
            t30_set_tx_ident(t30, options.localStationID)
        }
        if let header = options.pageHeader {
            t30_set_tx_page_header_info(t30, header)
        }
        t30_set_ecm_capability(t30, options.ecm ? 1 : 0)
        t30_set_supported_compressions(t30, options.compressions.rawValue)
        t30_set_supported_modems(t30, options.effectiveModems.rawValue)
        t30_set_minimum_scan_line_time(t30, Int32(options.minimumScanLineTime))
        switch document {
        case .send(let path, let firstPage, let lastPage):
            t30_set_tx_file(t30, path, Int32((firstPage ?? 0) - 1), Int32((lastPage ?? 0) - 1))
        case .receive(let path):
            let writer = ReceivedPageWriter(path: path)
            pageWriter = writer
            receivedRows = ReceivedRows(t30: t30, writer: writer)
            spandspFile = path + ".spandsp"
            t30_set_rx_file(t30, spandspFile, -1)
        }
    }

    /// Receiving: takes the pages' rows from spandsp. Call before handing it received data.
    func claimReceivedRows() {
        receivedRows?.claim()
    }

    /// Receiving, once: the page writer to close (nil when sending or already closed), and
    /// spandsp's own empty file gone.
    private func takePageWriterToClose() -> ReceivedPageWriter? {
        guard let pageWriter, !pagesClosed else { return nil }
        pagesClosed = true
        if let spandspFile { unlink(spandspFile) }
        return pageWriter
    }

    private static func pagesNotFiled(_ failure: String, at time: Double) -> FaxEvent {
        FaxEvent(time: time, kind: .note, text: "received pages not filed: \(failure)")
    }

    /// The result once the received pages are in the TIFF, given to `body` without waiting:
    /// at once when nothing is being written (sending, or already filed), else from the page
    /// writer's thread. For the frame loop, which must not wait for a file.
    func resultWhenPagesFiled(_ body: @escaping @Sendable (FaxResult) -> Void) {
        guard let pageWriter = takePageWriterToClose() else {
            body(result())
            return
        }
        let result = makeResult(failure: nil)
        pageWriter.close { failure in
            var filed = result
            if let failure { filed.events.append(Self.pagesNotFiled(failure, at: filed.duration)) }
            body(filed)
        }
    }

    /// Ends the T.30 session because the call is gone; phase E follows at once.
    func terminate() {
        guard completionCode == nil else { return }
        terminatedByHangup = true
        t30_terminate(t30)
        if completionCode == nil {
            // spandsp always reports phase E from t30_terminate; this keeps the session finite
            // even if a future version does not.
            completionCode = Int32(T30_ERR_CALLDROPPED)
        }
    }

    /// Ends a session that T.30 itself would never end. Called by the session after each
    /// stretch of call time; cheap.
    func checkWatchdogs() {
        guard completionCode == nil else { return }
        if let since = documentCompleteSample, elapsedSamples - since > Self.endOfDocumentGrace {
            stop(because: "every page got through but the far end never ended the call")
        } else if elapsedSamples - lastProgressSample > Self.progressTimeout {
            stop(because: "no T.30 progress for \(Self.progressTimeout / Self.sampleRate) s")
        }
    }

    private func stop(because reason: String) {
        watchdogReason = reason
        append(FaxEvent(time: seconds, kind: .note, text: "watchdog: \(reason)"))
        terminate()
    }

    /// One of spandsp's log lines, as its bytes: most lines are kept as text; the ones that
    /// say nothing about the call are counted or dropped before any text is made.
    func recordLog(level: Int, message: Slice<UnsafeBufferPointer<UInt8>>) {
        lastProgressSample = elapsedSamples
        if options.logDetail != .debug, let pageData = Self.pageDataLine(message) {
            if pageData == .decode { pageDataFrames += 1 }
            return
        }
        // At flow level the DIS/DTC/DCS decode lists every capability bit; the ones that are
        // not set say nothing about the call and make up half of the log.
        if options.logDetail == .flow && message.starts(with: "  ".utf8) && message.reversed().starts(with: ": Not set".utf8.reversed()) {
            return
        }
        guard logLines < Self.maximumLogLines else {
            droppedEvents += 1
            return
        }
        logLines += 1
        events.append(FaxEvent(time: seconds, kind: .log, text: T30LogRouter.text(of: message)))
    }

    /// The two lines spandsp writes for every ECM page-data frame (FCD, 256 bytes of the
    /// page): its hex dump and its name. A page has hundreds; kept, they made up nine tenths of
    /// a call's log (the page in hex, about 0.2 MB a page) and filled the log's line limit.
    enum PageDataLine: Equatable {
        case hexDump
        case decode
    }

    static func pageDataLine(_ message: Slice<UnsafeBufferPointer<UInt8>>) -> PageDataLine? {
        for direction in ["Rx: ", "Tx: "] where message.starts(with: direction.utf8) {
            let rest = message.dropFirst(4)
            // "Rx: FCD …" as received, "Tx:  FCD …" as sent.
            if rest.starts(with: "FCD ".utf8) || rest.starts(with: " FCD ".utf8) { return .decode }
            // " ff 03 06 …" (not the final frame) or " ff 13 06 …" (the final one).
            if rest.starts(with: " ff 03 06 ".utf8) || rest.starts(with: " ff 13 06 ".utf8) { return .hexDump }
        }
        return nil
    }

    /// Phase events are always kept, whatever the log's size.
    private func append(_ event: FaxEvent) {
        events.append(event)
    }

    private func phaseEvent(_ phase: Int32, code: Int32) {
        if phase == Int32(FAXLINE_FRAME_RECEIVED) {
            // Not progress by itself: a peer repeating the same frame must not hold off the watchdog.
            framesReceived += 1
            return
        }
        lastProgressSample = elapsedSamples
        let stats = faxline_t30_stats(t30)
        switch phase {
        case Int32(FAXLINE_PHASE_B):
            let remote = Self.remoteText(t30_get_rx_ident(t30))
            append(FaxEvent(time: seconds, kind: .phaseB,
                            text: "\(Self.frameName(code)); remote station '\(remote)'"))
        case Int32(FAXLINE_PHASE_D):
            phaseDCount += 1
            let name = Self.frameName(code)
            if !document.isSending && (name.hasSuffix("EOP")) {
                sawEndOfDocument = true
            }
            let pages = document.isSending ? stats.pages_tx : stats.pages_rx
            if documentCompleteSample == nil && (sawEndOfDocument || (document.isSending && Int(pages) >= (pagesToSend ?? .max))) {
                documentCompleteSample = elapsedSamples
            }
            append(FaxEvent(time: seconds, kind: .phaseD,
                            text: "page \(phaseDCount): \(name); \(pages) confirmed; \(stats.bit_rate) bit/s, ECM \(stats.error_correcting_mode != 0 ? "on" : "off"), \(FaxCompression(spandspEncoding: stats.encoding).rawValue), \(stats.width)x\(stats.length), bad rows \(stats.bad_rows)"))
        case Int32(FAXLINE_PHASE_E):
            completionCode = code
            append(FaxEvent(time: seconds, kind: .phaseE,
                            text: "\(Self.text(t30_completion_code_to_str(code))) (code \(code))"))
        default:
            break
        }
    }

    /// spandsp returns NULL for an empty station id, among others.
    static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// What the far end sent (its station id): it may hold any bytes, terminal escapes too.
    static func remoteText(_ pointer: UnsafePointer<CChar>?) -> String {
        UntrustedText.cleaned(text(pointer))
    }

    static func frameName(_ code: Int32) -> String {
        text(t30_frametype(UInt8(truncatingIfNeeded: code)))
    }

    /// Pages confirmed so far: by the far end (sending) or accepted and written (receiving).
    var pagesConfirmed: Int {
        let stats = faxline_t30_stats(t30)
        return Int(document.isSending ? stats.pages_tx : stats.pages_rx)
    }

    /// The result; when receiving, once the pages are in the TIFF (it waits for them).
    func result() -> FaxResult {
        if let pageWriter = takePageWriterToClose() {
            pagesFailure = pageWriter.finish()
        }
        return makeResult(failure: pagesFailure)
    }

    private func makeResult(failure: String?) -> FaxResult {
        let stats = faxline_t30_stats(t30)
        let code = completionCode ?? Int32(T30_ERR_CALLDROPPED)
        let confirmed = Int(document.isSending ? stats.pages_tx : stats.pages_rx)
        let codeText = Self.text(t30_completion_code_to_str(code))

        // A receiver often hangs up as soon as it has confirmed the last page, and a sender
        // may hang up as soon as its EOP was confirmed. Every page got through: a success.
        var documentComplete = false
        if document.isSending, let toSend = pagesToSend {
            documentComplete = toSend > 0 && confirmed >= toSend
        } else if !document.isSending {
            documentComplete = sawEndOfDocument && confirmed > 0
        }
        let success = code == T30_ERR_OK || documentComplete
        var log = events
        if let failure {
            log.append(Self.pagesNotFiled(failure, at: seconds))
        }
        if pageDataFrames > 0 {
            // Before phase E, which stays the session's last word.
            let end = log.lastIndex { $0.kind == .phaseE } ?? log.endIndex
            let time = end < log.endIndex ? log[end].time : seconds
            log.insert(FaxEvent(time: time, kind: .note, text: "\(pageDataFrames) ECM page-data frames (FCD) not logged one by one"), at: end)
        }
        if droppedEvents > 0 {
            log.append(FaxEvent(time: seconds, kind: .note, text: "\(droppedEvents) further log lines were not kept"))
        }
        return FaxResult(
            status: success ? .success : .failed,
            completionCode: Int(code),
            error: success ? "OK" : codeText,
            statusString: codeText,
            sending: document.isSending,
            pagesTransferred: max(phaseDCount, confirmed),
            pagesConfirmed: confirmed,
            pagesToSend: pagesToSend,
            bitRate: Int(stats.bit_rate),
            resolution: FaxResolution(x: Int(stats.x_resolution), y: Int(stats.y_resolution)),
            compression: FaxCompression(spandspEncoding: stats.encoding),
            ecm: stats.error_correcting_mode != 0,
            remoteStationID: Self.remoteText(t30_get_rx_ident(t30)).trimmingCharacters(in: .whitespaces),
            localStationID: Self.text(t30_get_tx_ident(t30)).trimmingCharacters(in: .whitespaces),
            badRows: Int(stats.bad_rows),
            duration: seconds,
            hungUpAfterLastPage: success && code != T30_ERR_OK,
            t30FramesReceived: framesReceived,
            events: log)
    }
}
