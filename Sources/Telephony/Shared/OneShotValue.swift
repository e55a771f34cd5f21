import NIOConcurrencyHelpers

/// A value that is set once and awaited by any number of tasks (e.g. a server's bound address).
final class OneShotValue<Value: Sendable>: Sendable {
    private enum State {
        case waiting([Int: CheckedContinuation<Value, any Error>], nextID: Int)
        case done(Result<Value, any Error>)
    }

    private let state = NIOLockedValueBox(State.waiting([:], nextID: 0))

    init() {}

    /// Sets the value (or failure); later calls are ignored.
    func resolve(_ result: Result<Value, any Error>) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Value, any Error>] in
            guard case .waiting(let waiters, _) = state else { return [] }
            state = .done(result)
            return Array(waiters.values)
        }
        for waiter in waiters {
            waiter.resume(with: result)
        }
    }

    /// Waits for the value; throws CancellationError if the waiting task is cancelled first.
    func value() async throws -> Value {
        let id = state.withLockedValue { state -> Int in
            guard case .waiting(let waiters, let nextID) = state else { return -1 }
            state = .waiting(waiters, nextID: nextID + 1)
            return nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLockedValue { state -> Result<Value, any Error>? in
                    switch state {
                    case .done(let result):
                        return result
                    case .waiting(var waiters, let nextID):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        state = .waiting(waiters, nextID: nextID)
                        return nil
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Value, any Error>? in
                guard case .waiting(var waiters, let nextID) = state else { return nil }
                let waiter = waiters.removeValue(forKey: id)
                state = .waiting(waiters, nextID: nextID)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
