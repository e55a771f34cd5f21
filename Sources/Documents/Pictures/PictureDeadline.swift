import Synchronization

/// Lets a picture being decoded in this process stop when the conversion's time is up (or it
/// is cancelled), as an external tool is stopped: decoders look at it every few rows.
final class PictureDeadline: Sendable {
    private let expired = Atomic<Bool>(false)
    let path: String
    let seconds: Int

    /// `expired` from the start when the time limit is zero.
    init(path: String, seconds: Int, expired: Bool = false) {
        self.path = path
        self.seconds = seconds
        self.expired.store(expired, ordering: .relaxed)
    }

    func expire() {
        expired.store(true, ordering: .relaxed)
    }

    func check() throws(DocumentError) {
        if expired.load(ordering: .relaxed) || Task.isCancelled {
            throw .timedOut(path: path, seconds: seconds)
        }
    }
}
