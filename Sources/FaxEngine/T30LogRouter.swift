import CSpanDSP
import FaxCore
import Synchronization

/// spandsp 0.0.6 gives a message handler no user data, so each session tags its logging states
/// with `fx<id>` and this router hands each line to the session that owns the tag.
enum T30LogRouter {
    /// Monitor addresses by route id. A monitor removes its route before it is freed, and lines
    /// arrive only from inside a call on its own state, so an address found here is alive.
    private static let routes = Mutex<[Int: UInt]>([:])
    private static let nextID = Atomic<Int>(1)

    static func newRouteID() -> Int {
        nextID.add(1, ordering: .relaxed).oldValue
    }

    static func register(_ monitor: T30Monitor, as id: Int) {
        let address = UInt(bitPattern: Unmanaged.passUnretained(monitor).toOpaque())
        routes.withLock { $0[id] = address }
    }

    static func remove(_ id: Int) {
        _ = routes.withLock { $0.removeValue(forKey: id) }
    }

    static func tag(for id: Int) -> String { "fx\(id)" }

    /// The C message handler. Runs on the thread that is inside a spandsp call for the session.
    static let handler: faxline_log_fn = { level, text in
        guard let text else { return }
        T30LogRouter.deliver(level: Int(level), line: String(cString: text))
    }

    private static func deliver(level: Int, line: String) {
        guard line.hasPrefix("fx"), let space = line.firstIndex(of: " "),
              let id = Int(line[line.index(line.startIndex, offsetBy: 2)..<space])
        else { return }
        guard let address = routes.withLock({ $0[id] }),
              let pointer = UnsafeRawPointer(bitPattern: address) else { return }
        let monitor = Unmanaged<T30Monitor>.fromOpaque(pointer)
        var message = line[line.index(after: space)...]
        while message.last == "\n" || message.last == "\r" { message.removeLast() }
        // spandsp quotes what the far end sent (its station id) into its lines.
        monitor.takeUnretainedValue().recordLog(level: level, text: UntrustedText.cleaned(message))
    }
}
