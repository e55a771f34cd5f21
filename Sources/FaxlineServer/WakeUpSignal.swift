import Foundation
import Synchronization

/// Wakes a polling service early (e.g. the mail queue when a fax has just been queued), so a
/// new item does not wait for the next poll.
public final class WakeUpSignal: Sendable {
    private struct State {
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// Waits ended before their continuation was registered.
        var ended: Set<UUID> = []
        /// Waits that `signal()` resumed and that have not ended yet.
        var signaled: Set<UUID> = []
        /// A signal with nobody waiting: the next wait returns at once.
        var pending = false
    }

    private let state = Mutex(State())

    public init() {}

    public func signal() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if state.waiters.isEmpty {
                state.pending = true
                return []
            }
            defer {
                state.signaled.formUnion(state.waiters.keys)
                state.waiters.removeAll()
            }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns after `signal()`, after `timeout`, or when the task is cancelled.
    public func wait(timeout: Duration) async {
        let hadSignal = state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
        if hadSignal || Task.isCancelled { return }
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspend(id) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            end(id)
            await group.waitForAll()
        }
    }

    private func suspend(_ id: UUID) async {
        await withCheckedContinuation { continuation in
            let alreadyEnded = state.withLock { state -> Bool in
                if state.ended.remove(id) != nil { return true }
                state.waiters[id] = continuation
                return false
            }
            if alreadyEnded { continuation.resume() }
        }
    }

    /// Resumes the wait `id` whether or not it has registered yet.
    private func end(_ id: UUID) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            if state.signaled.remove(id) == nil { state.ended.insert(id) }
            return nil
        }
        waiter?.resume()
    }
}
