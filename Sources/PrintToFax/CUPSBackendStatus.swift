/// A CUPS backend's exit status (cups/backend.h): what the scheduler does with the job next.
public enum CUPSBackendStatus: Int32, Sendable, Equatable {
    /// The job is done: here, queued in Faxline.
    case ok = 0
    /// Failed; the queue's error policy decides (by default the printer stops).
    case failed = 1
    case authenticationRequired = 2
    /// Held for the administrator.
    case hold = 3
    /// The printer is stopped, the job stays queued: Faxline is not set up (no data folder,
    /// a broken faxline.conf) — every job would fail the same way.
    case stop = 4
    /// The job is cancelled: it can never be sent (no number, unknown user, a broken document).
    case cancel = 5
    /// Tried again later: a passing problem (the database busy, the disk full).
    case retry = 6
}
