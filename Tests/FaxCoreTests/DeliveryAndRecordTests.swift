import Foundation
import Testing

@testable import FaxCore

@Suite struct DeliveryRetryPolicyTests {
    let queued = Date(timeIntervalSince1970: 1_000_000)

    @Test func backsOffThroughTheListThenRepeatsTheLast() {
        let policy = DeliveryRetryPolicy.standard
        let delays = (1...7).map { policy.delay(afterFailedAttempts: $0) }
        #expect(delays == [60, 300, 900, 1800, 3600, 3600, 3600])
        #expect(policy.nextAttempt(afterFailedAttempts: 1, queuedAt: queued, now: queued) == queued.addingTimeInterval(60))
        let later = queued.addingTimeInterval(7200)
        #expect(policy.nextAttempt(afterFailedAttempts: 3, queuedAt: queued, now: later) == later.addingTimeInterval(900))
    }

    @Test func givesUpAfterTheDeadlineWithALastAttemptOnIt() {
        let policy = DeliveryRetryPolicy(delays: [60, 600], giveUpAfter: 1000)
        let nearEnd = queued.addingTimeInterval(900)
        #expect(policy.nextAttempt(afterFailedAttempts: 5, queuedAt: queued, now: nearEnd) == queued.addingTimeInterval(1000))
        #expect(policy.nextAttempt(afterFailedAttempts: 6, queuedAt: queued, now: queued.addingTimeInterval(1000)) == nil)
        #expect(DeliveryRetryPolicy(delays: [60], giveUpAfter: 0).nextAttempt(afterFailedAttempts: 1, queuedAt: queued, now: queued) == nil)
    }
}

@Suite struct FaxRecordTests {
    @Test(arguments: ["in/2026/11/23/abc.tif", "a.pdf", "thumbs/x.png"])
    func relativeSpoolPathsAreAccepted(_ path: String) throws {
        let spoolPath = try SpoolPath(path)
        #expect(spoolPath.absolutePath(under: "/var/spool/faxline") == "/var/spool/faxline/" + path)
        #expect(spoolPath.absolutePath(under: "/var/spool/faxline/") == "/var/spool/faxline/" + path)
    }

    @Test(arguments: ["", "/etc/passwd", "../x", "in/../../x", "in//x", "./x", "in/x/", "a\u{0}b", "a\\b", "in/\n.tif"])
    func escapingOrOddSpoolPathsAreRefused(_ path: String) {
        #expect(throws: FaxValidationError.self) { try SpoolPath(path) }
    }

    @Test func recordValidation() throws {
        var record = FaxRecord(createdAt: Date(timeIntervalSince1970: 100), deviceExtensions: ["200"])
        try record.validate()
        #expect(record.id.count == 36)
        record.id = "not-a-uuid"
        #expect(throws: FaxValidationError.self) { try record.validate() }
        record.id = UUID().uuidString
        record.deviceExtensions = ["2x"]
        #expect(throws: FaxValidationError.self) { try record.validate() }
        record.deviceExtensions = []
        record.finishedAt = Date(timeIntervalSince1970: 50)
        #expect(throws: FaxValidationError.self) { try record.validate() }
        record.finishedAt = nil
        record.session.pages = -1
        #expect(throws: FaxValidationError.self) { try record.validate() }
        record.session.pages = 1
        record.callerName = String(repeating: "n", count: 300)
        #expect(throws: FaxValidationError.self) { try record.validate() }
        record.truncateCallerText()
        #expect(record.callerName.count == FaxRecord.maximumTextLength)
        try record.validate()
    }

    @Test func logTimesEventsFromCreation() {
        var record = FaxRecord(createdAt: Date(timeIntervalSince1970: 100))
        record.log("route", "to 200", at: Date(timeIntervalSince1970: 102.5))
        #expect(record.events == [FaxLogEntry(time: 2.5, kind: "route", text: "to 200")])
    }

    @Test func recipientsOfDevicesAreDeduplicatedWithTheirFormat() throws {
        let devices = [
            try FaxDevice(extensionNumber: "1", name: "A", emailAddresses: ["a@example.com", "shared@example.com"]),
            try FaxDevice(
                extensionNumber: "2", name: "B", emailAddresses: ["SHARED@example.com", "b@example.com"], deliveryFormat: .tiff),
        ]
        #expect(
            MailRecipient.recipients(of: devices) == [
                MailRecipient(address: "a@example.com", format: .pdf),
                MailRecipient(address: "shared@example.com", format: .pdf),
                MailRecipient(address: "b@example.com", format: .tiff),
            ])
    }
}
