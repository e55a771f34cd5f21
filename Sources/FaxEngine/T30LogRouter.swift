import CSpanDSP
import FaxCore
import Foundation
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
    /// A call logs hundreds of lines, so the line is read as bytes and becomes one `String`,
    /// made once.
    static let handler: faxline_log_fn = { level, text in
        guard let text else { return }
        let length = strlen(text)
        text.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            T30LogRouter.deliver(level: Int(level), line: UnsafeBufferPointer(start: bytes, count: length))
        }
    }

    private static func deliver(level: Int, line: UnsafeBufferPointer<UInt8>) {
        guard let (id, message) = split(line),
              let address = routes.withLock({ $0[id] }),
              let pointer = UnsafeRawPointer(bitPattern: address) else { return }
        let monitor = Unmanaged<T30Monitor>.fromOpaque(pointer)
        monitor.takeUnretainedValue().recordLog(level: level, message: message)
    }

    /// `fx<id> <message>`: the route id and the message without its line end; `nil` for a line
    /// that is not tagged so.
    static func split(_ line: UnsafeBufferPointer<UInt8>) -> (id: Int, message: Slice<UnsafeBufferPointer<UInt8>>)? {
        guard line.count > 2, line[0] == UInt8(ascii: "f"), line[1] == UInt8(ascii: "x") else { return nil }
        var id = 0
        var index = 2
        while index < line.count, line[index] != UInt8(ascii: " ") {
            let digit = line[index] &- UInt8(ascii: "0")
            guard digit < 10, id <= (Int.max - 9) / 10 else { return nil }
            id = id * 10 + Int(digit)
            index += 1
        }
        guard index > 2, index < line.count else { return nil }
        var end = line.count
        while end > index + 1, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return (id, line[(index + 1)..<end])
    }

    /// The message as text. spandsp quotes what the far end sent (its station id) into its
    /// lines, so anything but printable ASCII goes through ``UntrustedText``.
    static func text(of message: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        let decoded = String(decoding: message, as: UTF8.self)
        return message.allSatisfy({ (0x20...0x7E).contains($0) }) ? decoded : UntrustedText.cleaned(decoded)
    }
}
