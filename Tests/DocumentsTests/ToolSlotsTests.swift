@testable import Documents
import Foundation
import Synchronization
import Testing

@Suite("Tools run a few at a time, the others wait their turn")
struct ToolSlotsTests {
    @Test("at most `count` hold a slot; the others get theirs in order as slots come back")
    func slotsAreShared() async throws {
        let slots = ToolSlots(count: 2)
        try await slots.acquire()
        try await slots.acquire()
        #expect(slots.usage == (running: 2, waiting: 0))

        let order = Arrivals()
        var waiters: [Task<Void, any Error>] = []
        for index in 1...3 {
            waiters.append(Task {
                try await slots.acquire()
                order.note(index)
            })
            // Each waiter is queued before the next starts, so their order is known.
            await waitUntil { slots.usage.waiting == index }
        }
        #expect(order.all.isEmpty, "no slot is free")

        slots.release()
        try await waiters[0].value
        #expect(order.all == [1])
        #expect(slots.usage == (running: 2, waiting: 2))
        // One release at a time: two resumed together may run their next line in either order.
        slots.release()
        try await waiters[1].value
        #expect(order.all == [1, 2])
        slots.release()
        try await waiters[2].value
        #expect(order.all == [1, 2, 3])
        slots.release()
        slots.release()
        #expect(slots.usage == (running: 0, waiting: 0))
    }

    @Test("a run cancelled while it waits leaves the queue and holds nothing")
    func cancelledWhileWaiting() async throws {
        let slots = ToolSlots(count: 1)
        try await slots.acquire()
        let waiter = Task { try await slots.acquire() }
        await waitUntil { slots.usage.waiting == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(slots.usage == (running: 1, waiting: 0))
        slots.release()
        #expect(slots.usage == (running: 0, waiting: 0))
        try await slots.acquire()
        #expect(slots.usage == (running: 1, waiting: 0), "the slot is free for the next run")
        slots.release()
    }

    @Test("a task cancelled before it asks gets no slot")
    func cancelledBeforeAsking() async throws {
        let slots = ToolSlots(count: 1)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await slots.acquire()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(slots.usage == (running: 0, waiting: 0))
    }

    /// Yields until `condition` holds: the other tasks only need turns, not time.
    private func waitUntil(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }
}

/// The waiters in the order they got their slot.
private final class Arrivals: Sendable {
    private let indices = Mutex<[Int]>([])
    func note(_ index: Int) { indices.withLock { $0.append(index) } }
    var all: [Int] { indices.withLock { $0 } }
}
