import FaxCore
import StoreTestSupport
import Foundation
import Testing

/// The mail delivery queue's contract, for every store.
@Suite struct DeliveryQueueTests {
    let now = Sample.start
    let recipients = [MailRecipient(address: "a@example.com", format: .pdf), MailRecipient(address: "b@example.com", format: .tiff)]

    func faxWithQueue(_ database: any FaxStore) async throws -> (FaxRecord, [MailDelivery]) {
        let fax = try Sample.fax()
        try await database.insertFax(fax)
        let queued = try await database.enqueueDeliveries(faxID: fax.id, recipients: recipients, at: now)
        return (fax, queued)
    }

    @Test(arguments: StoreKind.allCases)
    func enqueueIsIdempotentAndMarksTheFaxPending(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let (fax, queued) = try await faxWithQueue(database)
        #expect(queued.map(\.recipient) == ["a@example.com", "b@example.com"])
        #expect(queued.map(\.format) == [.pdf, .tiff])
        #expect(queued.allSatisfy { $0.state == .pending && $0.attempts == 0 && $0.nextAttemptAt == now && $0.createdAt == now })
        let again = try await database.enqueueDeliveries(faxID: fax.id, recipients: recipients, at: now.addingTimeInterval(5))
        #expect(again == queued)
        #expect(try await database.fax(id: fax.id)?.deliveryState == .pending)
        await #expect(throws: RepositoryError.self) {
            _ = try await database.enqueueDeliveries(faxID: UUID().uuidString, recipients: recipients, at: now)
        }
        await #expect(throws: FaxValidationError.self) {
            _ = try await database.enqueueDeliveries(
                faxID: fax.id, recipients: [MailRecipient(address: "x@y\r\nz", format: .pdf)], at: now)
        }
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func dueBackoffAndDelivery(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let (fax, queued) = try await faxWithQueue(database)
        let policy = DeliveryRetryPolicy.standard
        #expect(try await database.dueDeliveries(at: now.addingTimeInterval(-1), limit: 10).isEmpty)
        let due = try await database.dueDeliveries(at: now, limit: 10)
        #expect(due.map(\.id) == queued.map(\.id))
        #expect(try await database.dueDeliveries(at: now, limit: 1).count == 1)

        let first = try #require(try await database.markSending(id: queued[0].id, at: now))
        #expect(first.state == .sending && first.attempts == 1 && first.nextAttemptAt == nil)
        #expect(try await database.markSending(id: queued[0].id, at: now) == nil)
        let retryAt = try #require(policy.nextAttempt(afterFailedAttempts: first.attempts, queuedAt: first.createdAt, now: now))
        try await database.markFailed(id: first.id, error: "451 try later", nextAttemptAt: retryAt)
        #expect(try await database.dueDeliveries(at: now, limit: 10).map(\.id) == [queued[1].id])
        #expect(try await database.dueDeliveries(at: retryAt, limit: 10).map(\.id) == [queued[1].id, queued[0].id])

        _ = try await database.markSending(id: queued[1].id, at: now)
        try await database.markDelivered(id: queued[1].id, at: now.addingTimeInterval(3))
        #expect(try await database.fax(id: fax.id)?.deliveryState == .pending)
        await #expect(throws: RepositoryError.conflict("mail delivery \(queued[1].id) is delivered, not sending")) {
            try await database.markDelivered(id: queued[1].id, at: now)
        }

        let second = try #require(try await database.markSending(id: queued[0].id, at: retryAt))
        #expect(second.attempts == 2)
        try await database.markFailed(id: second.id, error: String(repeating: "e", count: 5000), nextAttemptAt: nil)
        let deliveries = try await database.deliveries(faxID: fax.id)
        #expect(deliveries.map(\.state) == [.failed, .delivered])
        #expect(deliveries[0].lastError?.count == 2000)
        #expect(deliveries[1].deliveredAt == now.addingTimeInterval(3))
        #expect(try await database.fax(id: fax.id)?.deliveryState == .failed)
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func allDeliveredMarksTheFaxDelivered(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let (fax, queued) = try await faxWithQueue(database)
        for delivery in queued {
            _ = try await database.markSending(id: delivery.id, at: now)
            try await database.markDelivered(id: delivery.id, at: now)
        }
        #expect(try await database.fax(id: fax.id)?.deliveryState == .delivered)
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func deliveriesLeftSendingByACrashComeBackAfterReopen(kind: StoreKind) async throws {
        let subject = try kind.make()
        let faxID: String
        let sendingID: Int64
        do {
            let database = try subject.reopen()
            let (fax, queued) = try await faxWithQueue(database)
            faxID = fax.id
            sendingID = queued[0].id
            _ = try await database.markSending(id: sendingID, at: now)
        }
        let restarted = try subject.reopen()
        let later = now.addingTimeInterval(600)
        #expect(try await restarted.dueDeliveries(at: later, limit: 10).count == 1)
        #expect(try await restarted.recoverInterruptedDeliveries(at: later) == 1)
        #expect(try await restarted.recoverInterruptedDeliveries(at: later) == 0)
        let due = try await restarted.dueDeliveries(at: later, limit: 10)
        #expect(Set(due.map(\.id)).count == 2)
        let recovered = try #require(due.first { $0.id == sendingID })
        #expect(recovered.state == .pending && recovered.attempts == 1 && recovered.nextAttemptAt == later)
        #expect(try await restarted.fax(id: faxID)?.deliveryState == .pending)
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentWorkersTakeEachDeliveryOnce(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let fax = try Sample.fax()
        try await database.insertFax(fax)
        let many = (0..<20).map { MailRecipient(address: "r\($0)@example.com", format: .pdf) }
        let queued = try await database.enqueueDeliveries(faxID: fax.id, recipients: many, at: now)
        // A second connection to the same data, as a second process would have.
        let other = try subject.reopen()
        let now = self.now
        let taken = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for delivery in queued {
                for worker in [database, other] {
                    group.addTask { try await worker.markSending(id: delivery.id, at: now)?.id }
                }
            }
            var ids: [Int64] = []
            for try await id in group { if let id { ids.append(id) } }
            return ids
        }
        #expect(taken.sorted() == queued.map(\.id).sorted())
    }
}
