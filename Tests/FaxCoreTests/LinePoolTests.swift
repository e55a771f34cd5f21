import Foundation
import Synchronization
import Testing

@testable import FaxCore

/// Shared state for closures that run concurrently (a `Mutex` itself cannot be captured).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}

@Suite struct LinePoolTests {
    @Test func linesAreNamedAndStartIdle() throws {
        let pool = try LinePool()
        let snapshot = pool.snapshot()
        #expect(snapshot.lines.map(\.name) == ["line0", "line1", "line2", "line3"])
        #expect(snapshot.lines.allSatisfy { $0.state == .idle })
        #expect(snapshot.counters.inboundCalls == 0)
    }

    @Test func badSizesAreRefused() {
        #expect(throws: FaxValidationError.self) { try LinePool(lines: 0) }
        #expect(throws: FaxValidationError.self) { try LinePool(lines: 2, reserveInbound: 3) }
        #expect(throws: FaxValidationError.self) { try LinePool(lines: 2, reserveInbound: -1) }
    }

    @Test func claimShowsActivityAndReleaseCountsOnce() throws {
        let pool = try LinePool(lines: 2)
        let claim = try #require(pool.claim(for: .inbound, remoteNumber: "0301234"))
        #expect(claim.lineName == "line0")
        #expect(pool.snapshot().lines[0].state == .ringing)
        claim.update(.receiving, faxID: "fax-1")
        let line = pool.snapshot().lines[0]
        #expect(line.state == .receiving)
        #expect(line.faxID == "fax-1")
        #expect(line.remoteNumber == "0301234")
        #expect(line.direction == .inbound)
        #expect(claim.release(.succeeded))
        #expect(!claim.release(.failed))
        #expect(claim.isReleased)
        claim.update(.sending)
        let after = pool.snapshot()
        #expect(after.lines[0].state == .idle)
        #expect(after.lines[0].faxID == nil)
        #expect(after.counters.succeeded == 1)
        #expect(after.counters.failed == 0)
        #expect(after.counters.inboundCalls == 1)
    }

    @Test func aStaleClaimCannotReleaseTheNextCallOnItsLine() throws {
        let pool = try LinePool(lines: 1)
        let first = try #require(pool.claim(for: .outbound))
        first.release(.failed)
        let second = try #require(pool.claim(for: .inbound))
        #expect(second.lineName == first.lineName)
        #expect(!first.release(.succeeded))
        #expect(pool.snapshot().lines[0].state == .ringing)
        second.release(.succeeded)
    }

    @Test func droppedClaimFreesItsLineAsFailed() throws {
        let pool = try LinePool(lines: 1)
        do {
            let claim = pool.claim(for: .inbound)
            #expect(claim != nil)
        }
        let snapshot = pool.snapshot()
        #expect(snapshot.lines[0].state == .idle)
        #expect(snapshot.counters.failed == 1)
    }

    @Test func reservedLinesAreForInboundOnly() throws {
        let pool = try LinePool(lines: 3, reserveInbound: 2)
        let outbound = try #require(pool.claim(for: .outbound))
        #expect(pool.claim(for: .outbound) == nil)
        let inbound1 = try #require(pool.claim(for: .inbound))
        let inbound2 = try #require(pool.claim(for: .inbound))
        #expect(pool.claim(for: .inbound) == nil)
        let counters = pool.snapshot().counters
        #expect(counters.outboundRefusedNoFreeLine == 1)
        #expect(counters.inboundRefusedNoFreeLine == 1)
        #expect(counters.outboundCalls == 1)
        #expect(counters.inboundCalls == 2)
        // While inbound calls hold lines, outbound still needs more than the reserve free.
        outbound.release(.succeeded)
        #expect(pool.claim(for: .outbound) == nil)
        inbound1.release(.succeeded)
        inbound2.release(.failed)
        let again = try #require(pool.claim(for: .outbound))
        again.release(.succeeded)
    }

    @Test func sinceFollowsTheClock() throws {
        let clock = Locked(Date(timeIntervalSince1970: 1_000))
        let pool = try LinePool(lines: 1, now: { clock.withLock { $0 } })
        clock.withLock { $0 = Date(timeIntervalSince1970: 1_010) }
        let claim = try #require(pool.claim(for: .inbound))
        #expect(pool.snapshot().lines[0].since == Date(timeIntervalSince1970: 1_010))
        clock.withLock { $0 = Date(timeIntervalSince1970: 1_020) }
        claim.update(.receiving)
        #expect(pool.snapshot().lines[0].since == Date(timeIntervalSince1970: 1_020))
        #expect(pool.snapshot().counters.startedAt == Date(timeIntervalSince1970: 1_000))
        claim.release(.succeeded)
    }

    @Test func concurrentClaimsNeverShareALineAndCountersAddUp() async throws {
        let pool = try LinePool(lines: 4, reserveInbound: 1)
        let busy = Locked(Set<String>())
        let overlaps = Locked(0)
        let results = await withTaskGroup(of: (CallDirection, Bool).self) { group in
            for task in 0..<400 {
                group.addTask {
                    let direction: CallDirection = task % 3 == 0 ? .outbound : .inbound
                    guard let claim = pool.claim(for: direction) else { return (direction, false) }
                    let fresh = busy.withLock { $0.insert(claim.lineName).inserted }
                    if !fresh { overlaps.withLock { $0 += 1 } }
                    await Task.yield()
                    busy.withLock { _ = $0.remove(claim.lineName) }
                    claim.release(task % 5 == 0 ? .failed : .succeeded)
                    return (direction, true)
                }
            }
            var all: [(CallDirection, Bool)] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(overlaps.withLock { $0 } == 0)
        let snapshot = pool.snapshot()
        #expect(snapshot.lines.allSatisfy { $0.state == .idle })
        let counters = snapshot.counters
        let granted = results.filter(\.1)
        #expect(counters.inboundCalls == granted.filter { $0.0 == .inbound }.count)
        #expect(counters.outboundCalls == granted.filter { $0.0 == .outbound }.count)
        #expect(counters.succeeded + counters.failed == granted.count)
        #expect(counters.inboundRefusedNoFreeLine + counters.outboundRefusedNoFreeLine == 400 - granted.count)
        #expect(granted.count > 0)
    }
}
