import CSpanDSP

/// A fax call over 8 kHz 16-bit linear audio (spandsp's `fax_state_t`), driven frame by frame
/// by whoever owns the call's clock. Confine each session to one task.
public final class AudioFaxSession: FaxTerminal {
    public let role: FaxCallRole
    private let fax: OpaquePointer
    private let monitor: T30Monitor

    public init(role: FaxCallRole, document: FaxDocument, options: FaxSessionOptions = FaxSessionOptions()) throws(FaxEngineError) {
        let pagesToSend = try FaxSessionPreflight.check(document, options: options)
        guard let fax = fax_init(nil, role == .calling ? 1 : 0) else {
            throw .spandspFailure("fax_init")
        }
        self.role = role
        self.fax = fax
        fax_set_transmit_on_idle(fax, 1)
        monitor = T30Monitor(t30: fax_get_t30_state(fax), document: document, options: options, pagesToSend: pagesToSend)
        if options.logDetail == .debug {
            monitor.route(fax_get_logging_state(fax))
        } else {
            monitor.silence(fax_get_logging_state(fax))
        }
    }

    deinit {
        fax_free(fax)
    }

    public var isFinished: Bool { monitor.isFinished }
    public var pagesConfirmed: Int { monitor.pagesConfirmed }
    public var elapsedSeconds: Double { monitor.seconds }
    public var t30FramesReceived: Int { monitor.framesReceived }
    /// The result; when receiving, once the pages are in the document's TIFF (it waits for them).
    public var result: FaxResult { monitor.result() }

    /// The result once the received pages are in the document's TIFF, without waiting: at once
    /// when sending, else from the page writer's thread. Call once the session has ended.
    public func resultWhenPagesFiled(_ body: @escaping @Sendable (FaxResult) -> Void) {
        monitor.resultWhenPagesFiled(body)
    }

    /// Hands the far end's samples to the modem.
    public func receive(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress, !samples.isEmpty else { return }
        monitor.claimReceivedRows()
        _ = fax_rx(fax, UnsafeMutablePointer(mutating: base), Int32(samples.count))
    }

    /// Fills all of `samples` with our audio (silence where the modem has nothing) and advances
    /// the session's clock by as many samples.
    public func transmit(into samples: UnsafeMutableBufferPointer<Int16>) {
        guard let base = samples.baseAddress, !samples.isEmpty else { return }
        let produced = Int(fax_tx(fax, base, Int32(samples.count)))
        if produced < samples.count {
            (base + max(produced, 0)).update(repeating: 0, count: samples.count - max(produced, 0))
        }
        monitor.elapsedSamples += samples.count
        monitor.checkWatchdogs()
    }

    /// One frame of a call: the far end's samples in, exactly as many of ours out.
    public func exchange(received: UnsafeBufferPointer<Int16>, reply: UnsafeMutableBufferPointer<Int16>) {
        precondition(reply.count == received.count, "a frame is answered with a frame of the same length")
        receive(received)
        transmit(into: reply)
    }

    public func hangUp() {
        monitor.terminate()
    }

    /// The T.30 event log so far.
    public var events: [FaxEvent] { monitor.events }
}
