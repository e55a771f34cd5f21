import FaxCore
import Foundation
import StoreTestSupport
import Testing

/// The queue of mails about no fax (print-to-fax refusals), for every store.
@Suite struct NoticeQueueTests {
    let now = Sample.start

    @Test(arguments: StoreKind.allCases)
    func queuedSentRetriedAndRecovered(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        let queued = try await database.enqueueNotice(to: "alice@example.com", subject: "Not faxed", body: "No number.", at: now)
        #expect(queued.state == .pending && queued.attempts == 0 && queued.nextAttemptAt == now)
        #expect(try await database.dueNotices(at: now.addingTimeInterval(-1), limit: 10).isEmpty)
        #expect(try await database.dueNotices(at: now, limit: 10).map(\.id) == [queued.id])

        let sending = try #require(try await database.markNoticeSending(id: queued.id, at: now))
        #expect(sending.state == .sending && sending.attempts == 1)
        #expect(try await database.markNoticeSending(id: queued.id, at: now) == nil)
        try await database.markNoticeFailed(id: queued.id, error: "451 try later", nextAttemptAt: now.addingTimeInterval(60))
        #expect(try await database.notice(id: queued.id)?.lastError == "451 try later")
        #expect(try await database.dueNotices(at: now.addingTimeInterval(59), limit: 10).isEmpty)

        // A crash while sending: due again at the next start.
        _ = try await database.markNoticeSending(id: queued.id, at: now.addingTimeInterval(60))
        let reopened = try subject.reopen()
        #expect(try await reopened.recoverInterruptedNotices(at: now.addingTimeInterval(70)) == 1)
        _ = try await reopened.markNoticeSending(id: queued.id, at: now.addingTimeInterval(70))
        try await reopened.markNoticeDelivered(id: queued.id, at: now.addingTimeInterval(71))
        let delivered = try #require(try await reopened.notice(id: queued.id))
        #expect(delivered.state == .delivered && delivered.attempts == 3 && delivered.deliveredAt == now.addingTimeInterval(71))
        await #expect(throws: RepositoryError.self) { try await reopened.markNoticeDelivered(id: queued.id, at: now) }
        await #expect(throws: RepositoryError.self) { try await reopened.markNoticeFailed(id: 999, error: "x", nextAttemptAt: nil) }
        withExtendedLifetime(subject) {}
    }

    @Test(arguments: StoreKind.allCases)
    func badNoticesAreRefused(kind: StoreKind) async throws {
        let subject = try kind.make()
        let database = subject.store
        await #expect(throws: FaxValidationError.self) {
            _ = try await database.enqueueNotice(to: "x@y\r\nBcc: z@w", subject: "s", body: "b", at: now)
        }
        await #expect(throws: FaxValidationError.self) {
            _ = try await database.enqueueNotice(to: "a@example.com", subject: "two\r\nlines", body: "b", at: now)
        }
        await #expect(throws: FaxValidationError.self) {
            _ = try await database.enqueueNotice(
                to: "a@example.com", subject: "s", body: String(repeating: "b", count: MailNotice.maximumBodyLength + 1), at: now)
        }
        #expect(try await database.dueNotices(at: now, limit: 10).isEmpty)
        withExtendedLifetime(subject) {}
    }
}
