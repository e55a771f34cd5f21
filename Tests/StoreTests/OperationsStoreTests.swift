import FaxCore
import Foundation
import Store
import StoreTestSupport
import Testing

/// What the admin's commands ask of a store (`faxline faxes`, `status`, `resend`, the kill
/// time), for every store.
@Suite("Store: the admin's questions")
struct OperationsStoreTests {
    let start = Sample.start

    func fax(_ offset: TimeInterval, direction: FaxDirection = .received, caller: String = "+49301234", name: String = "Caller GmbH",
             devices: [String] = ["200"], status: FaxStatus = .received, id: String? = nil) throws -> FaxRecord {
        var fax = try Sample.fax(createdAt: start.addingTimeInterval(offset), extensions: devices, status: status)
        if let id { fax.id = id }
        fax.direction = direction
        fax.callerNumber = caller
        fax.callerName = name
        if direction == .sent { fax.did = "5550177" }
        return fax
    }

    @Test("faxes are found by the start of their id, whatever the case", arguments: StoreKind.allCases)
    func idPrefixes(kind: StoreKind) async throws {
        let subject = try kind.make()
        let ids = ["3f2c1a9b-0000-4000-8000-000000000001", "3f2c1a9b-0000-4000-8000-000000000002", "3f2d0000-0000-4000-8000-000000000003"]
        for (index, id) in ids.enumerated() { try await subject.store.insertFax(try fax(Double(index), id: id)) }
        #expect(try await subject.store.faxIDs(startingWith: "3f2c1a9b", limit: 10) == Array(ids.prefix(2)))
        #expect(try await subject.store.faxIDs(startingWith: "3F2D", limit: 10) == [ids[2]])
        #expect(try await subject.store.faxIDs(startingWith: "3f2", limit: 2).count == 2)
        #expect(try await subject.store.faxIDs(startingWith: ids[1], limit: 10) == [ids[1]])
        #expect(try await subject.store.faxIDs(startingWith: "4", limit: 10).isEmpty)
        withExtendedLifetime(subject) {}
    }

    @Test("lists page by the last fax shown and filter by the far end", arguments: StoreKind.allCases)
    func pagingAndFarEnd(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        // Two faxes share a time: the id orders them, and no page loses or repeats one.
        var records = try (0..<5).map { try fax(Double($0) * 10) }
        records.append(try fax(50, id: "00000000-0000-4000-8000-000000000001"))
        records.append(try fax(50, id: "ffffffff-0000-4000-8000-000000000001"))
        records.append(try fax(60, direction: .sent, caller: "201", name: "Sales"))
        records.append(try fax(70, caller: "5550123", name: "Dr. Who"))
        try await store.insertFaxes(records)
        var seen: [String] = []
        var query = FaxQuery(limit: 2)
        while true {
            let page = try await store.recentFaxes(query)
            guard let last = page.last else { break }
            seen += page.map(\.id)
            query.after = FaxListCursor(after: last)
        }
        #expect(seen.count == records.count && Set(seen).count == records.count)
        let everything = try await store.recentFaxes(FaxQuery(limit: 100)).map(\.id)
        #expect(seen == everything)
        #expect(everything.firstIndex(of: "00000000-0000-4000-8000-000000000001")! < everything.firstIndex(of: "ffffffff-0000-4000-8000-000000000001")!)

        #expect(try await store.recentFaxes(FaxQuery(farEnd: "who")).map(\.callerNumber) == ["5550123"])
        #expect(try await store.recentFaxes(FaxQuery(farEnd: "555012")).map(\.callerNumber) == ["5550123"])
        // A sent fax is found by the number it went to, not by the device's caller id.
        #expect(try await store.recentFaxes(FaxQuery(farEnd: "5550177")).map(\.direction) == [.sent])
        #expect(try await store.recentFaxes(FaxQuery(farEnd: "%")).isEmpty)
        #expect(try await store.recentFaxes(FaxQuery(direction: .sent, farEnd: "5550123")).isEmpty)
        withExtendedLifetime(subject) {}
    }

    @Test("mailing a fax again starts delivered and failed deliveries over and leaves one on its way", arguments: StoreKind.allCases)
    func requeue(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        let record = try fax(0)
        try await store.insertFax(record)
        let queued = try await store.enqueueDeliveries(
            faxID: record.id, recipients: [MailRecipient(address: "a@example.com", format: .pdf), MailRecipient(address: "b@example.com", format: .pdf)],
            at: start)
        _ = try await store.markSending(id: queued[0].id, at: start)
        try await store.markDelivered(id: queued[0].id, at: start.addingTimeInterval(1))
        _ = try await store.markSending(id: queued[1].id, at: start)
        try await store.markFailed(id: queued[1].id, error: "550 no such user", nextAttemptAt: nil)
        #expect(try await store.fax(id: record.id)?.deliveryState == .failed)

        let later = start.addingTimeInterval(3600)
        let again = try await store.requeueDeliveries(
            faxID: record.id.uppercased(),
            recipients: [MailRecipient(address: "a@example.com", format: .tiff), MailRecipient(address: "c@example.com", format: .pdf)], at: later)
        let byAddress = Dictionary(uniqueKeysWithValues: again.map { ($0.recipient, $0) })
        let a = try #require(byAddress["a@example.com"])
        #expect(a.state == .pending && a.attempts == 0 && a.nextAttemptAt == later && a.createdAt == later && a.deliveredAt == nil)
        #expect(a.format == .tiff)
        #expect(byAddress["c@example.com"]?.state == .pending)
        #expect(byAddress["b@example.com"]?.state == .failed, "not asked for: untouched")
        #expect(try await store.fax(id: record.id)?.deliveryState == .pending)

        // One still waiting is left as it is.
        let waiting = try await store.requeueDeliveries(
            faxID: record.id, recipients: [MailRecipient(address: "c@example.com", format: .tiff)], at: later.addingTimeInterval(60))
        #expect(waiting.first { $0.recipient == "c@example.com" }?.nextAttemptAt == later)
        await #expect(throws: RepositoryError.self) {
            _ = try await store.requeueDeliveries(faxID: UUID().uuidString, recipients: [], at: later)
        }
        withExtendedLifetime(subject) {}
    }

    @Test("the mail queue at a glance", arguments: StoreKind.allCases)
    func deliverySummary(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        #expect(try await store.deliveryQueueSummary() == DeliveryQueueSummary())
        let record = try fax(0)
        try await store.insertFax(record)
        let queued = try await store.enqueueDeliveries(
            faxID: record.id,
            recipients: ["a", "b", "c", "d"].map { MailRecipient(address: "\($0)@example.com", format: .pdf) }, at: start)
        _ = try await store.markSending(id: queued[0].id, at: start)
        try await store.markDelivered(id: queued[0].id, at: start)
        _ = try await store.markSending(id: queued[1].id, at: start)
        try await store.markFailed(id: queued[1].id, error: "451 later", nextAttemptAt: start.addingTimeInterval(60))
        _ = try await store.markSending(id: queued[2].id, at: start)
        try await store.markFailed(id: queued[2].id, error: "550 never", nextAttemptAt: nil)
        let summary = try await store.deliveryQueueSummary()
        #expect(summary == DeliveryQueueSummary(pending: 2, failing: 1, failed: 1, oldestPendingSince: start))
        withExtendedLifetime(subject) {}
    }

    @Test("overdue jobs are the waiting ones past their kill time, due or not; the queue is counted", arguments: StoreKind.allCases)
    func overdueAndSummary(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        let now = JobRepositoryTests.wholeSecondNow()
        func job(_ number: String, notBefore: TimeInterval, killAfter: TimeInterval) throws -> Job {
            try Job(number: number, document: SpoolPath("out/x.tif"), pageCount: 1, submittedAt: now.addingTimeInterval(-7200),
                    notBefore: now.addingTimeInterval(notBefore), killAt: now.addingTimeInterval(notBefore + killAfter))
        }
        let jobs = try await store.submitJobs([
            try job("1001", notBefore: -3600, killAfter: 1800),   // due, overdue
            try job("1002", notBefore: -60, killAfter: 3600),     // due
            try job("1003", notBefore: 600, killAfter: 3600),     // scheduled
            try job("1004", notBefore: -3600, killAfter: 3000),   // due, overdue
        ])
        var active = jobs[1]
        let dialed = try active.dial(at: now)
        try await store.saveJob(dialed.job, expecting: active.state)
        active = dialed.job
        #expect(try await store.overdueJobs(at: now, limit: 10).map(\.number) == ["1001", "1004"])
        #expect(try await store.overdueJobs(at: now, limit: 1).map(\.number) == ["1001"])
        #expect(try await store.jobQueueSummary(at: now) == JobQueueSummary(due: 2, scheduled: 1, active: 1))
        let killed = try jobs[0].kill(by: "test", at: now)
        try await store.saveJob(killed.job, expecting: jobs[0].state)
        #expect(try await store.overdueJobs(at: now, limit: 10).map(\.number) == ["1004"])
        withExtendedLifetime(subject) {}
    }

    @Test("the latest audit entry of a kind", arguments: StoreKind.allCases)
    func latestAudit(kind: StoreKind) async throws {
        let subject = try kind.make()
        let store = subject.store
        #expect(try await store.latestAuditEntry(kind: .cleanup) == nil)
        for (offset, kind) in [(0.0, AuditEntry.Kind.cleanup), (10, .cleanup), (20, .manualDeletion)] {
            try await store.appendAudit(AuditEntry(at: start.addingTimeInterval(offset), kind: kind, actor: "serve", summary: "run \(offset)"))
        }
        let latest = try #require(try await store.latestAuditEntry(kind: .cleanup))
        #expect(latest.summary == "run 10.0" && latest.at == start.addingTimeInterval(10))
        withExtendedLifetime(subject) {}
    }
}
