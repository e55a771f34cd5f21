import FaxCore
import FaxEngine

extension FaxEvent {
    /// The engine's event as a line of a fax's or a job attempt's event log.
    var logEntry: FaxLogEntry {
        FaxLogEntry(time: time, kind: kind.rawValue, text: text)
    }
}
