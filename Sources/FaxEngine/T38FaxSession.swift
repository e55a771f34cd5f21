import CSpanDSP

/// A fax call over T.38 (spandsp's `t38_terminal_state_t`): IFP packets in and out. The owner
/// advances its clock with `advance(samples:)` and carries the packets it is handed.
public final class T38FaxSession: FaxTerminal {
    /// Called with each IFP packet to send and how many times to send it (redundancy for
    /// indicators). Runs synchronously inside `advance` or `receive`.
    public typealias PacketHandler = (_ packet: [UInt8], _ repeatCount: Int) -> Void

    public let role: FaxCallRole
    public let paced: Bool
    private let terminal: OpaquePointer
    private let monitor: T30Monitor
    private let packetHandler: PacketHandler

    /// `paced: false` sends as fast as the far end takes it (T38_TERMINAL_OPTION_NO_PACING),
    /// as over TCP or back to back in one process.
    public init(role: FaxCallRole, document: FaxDocument, options: FaxSessionOptions = FaxSessionOptions(),
                paced: Bool = true, packetHandler: @escaping PacketHandler) throws(FaxEngineError) {
        let pagesToSend = try FaxSessionPreflight.check(document, options: options)
        self.role = role
        self.paced = paced
        self.packetHandler = packetHandler
        let box = PacketSink()
        guard let terminal = t38_terminal_init(nil, role == .calling ? 1 : 0, { _, userData, buffer, length, count in
            guard let userData, let buffer, length > 0 else { return 0 }
            let sink = Unmanaged<PacketSink>.fromOpaque(userData).takeUnretainedValue()
            sink.deliver?(Array(UnsafeBufferPointer(start: buffer, count: Int(length))), Int(count))
            return 0
        }, Unmanaged.passUnretained(box).toOpaque()) else {
            throw .spandspFailure("t38_terminal_init")
        }
        self.terminal = terminal
        self.sink = box
        monitor = T30Monitor(t30: t38_terminal_get_t30_state(terminal), document: document,
                             options: options, pagesToSend: pagesToSend)
        if !paced {
            t38_terminal_set_config(terminal, Int32(T38_TERMINAL_OPTION_NO_PACING))
        }
        if options.logDetail == .debug {
            monitor.route(t38_terminal_get_logging_state(terminal))
            monitor.route(t38_core_get_logging_state(t38_terminal_get_t38_core_state(terminal)))
        } else {
            monitor.silence(t38_terminal_get_logging_state(terminal))
            monitor.silence(t38_core_get_logging_state(t38_terminal_get_t38_core_state(terminal)))
        }
        box.deliver = { [unowned self] packet, count in self.packetHandler(packet, count) }
    }

    /// Keeps the C callback's target alive at a stable address for the terminal's life.
    private let sink: PacketSink

    deinit {
        t38_terminal_free(terminal)
    }

    public var isFinished: Bool { monitor.isFinished }
    public var pagesConfirmed: Int { monitor.pagesConfirmed }
    public var elapsedSeconds: Double { monitor.seconds }
    public var t30FramesReceived: Int { monitor.framesReceived }
    public var result: FaxResult { monitor.result() }
    public var events: [FaxEvent] { monitor.events }

    /// An IFP packet from the far end, with its transport sequence number.
    public func receive(packet: [UInt8], sequence: UInt16) {
        packet.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            monitor.claimReceivedRows()
            _ = t38_core_rx_ifp_packet(t38_terminal_get_t38_core_state(terminal), base, Int32(bytes.count), sequence)
        }
    }

    /// Advances the session's clock; packets due by then are handed to the packet handler.
    public func advance(samples: Int) {
        monitor.elapsedSamples += samples
        monitor.claimReceivedRows()
        _ = t38_terminal_send_timeout(terminal, Int32(samples))
        monitor.checkWatchdogs()
    }

    public func hangUp() {
        monitor.terminate()
    }
}

private final class PacketSink {
    var deliver: (([UInt8], Int) -> Void)?
}
