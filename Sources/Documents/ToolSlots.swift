import Foundation
import Synchronization

/// How many external tools run at once in this process; the others wait their turn in order.
///
/// Every conversion and every preview is a Ghostscript (or LibreOffice) of its own, tens of MB
/// each. Unbounded, 200 calls ending in the same minute started 200 previews at once: several
/// GB of memory, and so many processes that even at nice 10 they took the cores from the calls
/// still on the line. The time limit of a run starts once it has its slot.
final class ToolSlots: Sendable {
    static let shared = ToolSlots(count: max(1, ProcessInfo.processInfo.activeProcessorCount))

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var free: Int
        var waiting: [Waiter] = []
        var nextID: UInt64 = 0
    }

    let count: Int
    private let state: Mutex<State>

    init(count: Int) {
        precondition(count > 0, "at least one tool must be able to run")
        self.count = count
        state = Mutex(State(free: count))
    }

    /// Tools running now, and runs waiting for a slot.
    var usage: (running: Int, waiting: Int) {
        state.withLock { (count - $0.free, $0.waiting.count) }
    }

    /// Waits for a slot; throws `CancellationError` when the task is cancelled while waiting
    /// (it then holds no slot). Every slot taken is given back with ``release()``.
    func acquire() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.free > 0 {
                        state.free -= 1
                        return .success(())
                    }
                    state.waiting.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back: to the run that has waited longest, if any.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiting.isEmpty else {
                precondition(state.free < count, "a slot was given back that was never taken")
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}
