import FaxCore
import FaxTestSupport
import Foundation
import Store
import Telephony
import Testing

@testable import FaxlineServer

/// Outbound faxes end to end: the real dispatcher, AMI client and AudioSocket server, with
/// `TestAMIServer` as Asterisk's manager and a spandsp receiver on the far end.
@Suite("Outbound faxes end to end", .serialized)
struct OutboundFaxTests {
    @Test("a 3-page job: dialed through AMI, identical pages at the far end, done with one attempt")
    func threePageJob() async throws {
        let harness = try await OutboundHarness.start()
        let submitted = try #require(try await harness.submit(["555 0101"]) {
            $0.sender = JobSender(callerIDNumber: "5550199", callerIDName: "ACME")
            $0.notifyEmail = "sender@example.com"
        }.first)
        #expect(submitted.number == "5550101" && submitted.pageCount == 3 && submitted.state == .queued)

        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .done)
        #expect(job.nextPage == 4 && job.dials == 1 && job.tries == 1)
        #expect(job.attempts.count == 1)
        #expect(job.attempts.first?.remoteStationID == "+1 555 0101")
        #expect(job.attempts.first?.events.isEmpty == false)

        let originate = try #require(await harness.ami.originates.first)
        #expect(originate.channel == "Local/5550101@faxline-test")
        #expect(originate.context == "faxline-outbound")
        #expect(originate.action["Async"] == "true")
        #expect(originate.callerID == "\"ACME\" <5550199>")
        #expect(originate.variables["FAXLINE_JOB"] == String(try #require(job.id)))
        // Where the dialplan connects the audio: the server's own AudioSocket address.
        let media = try await harness.server.server.audioSocketServer.localAddress
        #expect(originate.variables["FAXLINE_AUDIOSOCKET"] == "127.0.0.1:\(media.port ?? 0)")

        try await waitUntil { await harness.farEnd.calls.count == 1 }
        let call = try #require(await harness.farEnd.calls.first)
        #expect(call.outcome.farEnd?.isSuccess == true)
        #expect(try FaxPageRaster.pages(of: call.receivedFile) == FaxPageRaster.pages(of: harness.document(of: job)))

        let mails = try await harness.server.smtp.waitForMessages(count: 1, timeout: .seconds(20))
        #expect(mails.first?.recipients == ["sender@example.com"])
        #expect(mails.first?.text.contains("all 3 pages were received") == true)
        // The server's own wiring: the report went through the mail queue with the job's pages.
        #expect(MIMEAttachments.first(ofType: "image/png", in: mails.first?.text ?? "") != nil)
        #expect(MIMEAttachments.first(ofType: "application/pdf", in: mails.first?.text ?? "") != nil)

        // The sent fax joins the fax history.
        let history = try await harness.database.recentFaxes(FaxQuery(limit: 10, direction: .sent))
        #expect(history.count == 1)
        #expect(history.first?.status == .sent && history.first?.did == "5550101" && history.first?.session.pages == 3)
        await harness.stop()
    }

    @Test("busy, then answered: the retry sends the fax; the busy call is in the history")
    func busyThenSuccess() async throws {
        let harness = try await OutboundHarness.start()
        await harness.ami.enqueueOriginateScripts([.busy])
        let submitted = try #require(try await harness.submit(["5550102"], document: try Self.onePage()).first)
        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .done)
        #expect(job.dials == 2 && job.tries == 1)
        #expect(job.attempts.map(\.cause) == [.busy, nil])
        #expect(await harness.ami.originates.count == 2)
        await harness.stop()
    }

    @Test("no answer until the calls run out: failed in plain words, and the submitter gets a mail")
    func noAnswerUntilFailed() async throws {
        let harness = try await OutboundHarness.start()
        await harness.ami.setDefaultOriginateScript(.noAnswer)
        let submitted = try #require(try await harness.submit(["5550103"], document: try Self.onePage()) {
            $0.maxDials = 3
            $0.notifyEmail = "sender@example.com"
        }.first)
        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .failed)
        #expect(job.reason == "nobody answered (gave up after 3 calls)")
        #expect(job.attempts.count == 3 && job.attempts.allSatisfy { $0.cause == .noAnswer })
        #expect(await harness.ami.originates.count == 3)
        let mails = try await harness.server.smtp.waitForMessages(count: 1, timeout: .seconds(20))
        #expect(mails.first?.recipients == ["sender@example.com"])
        #expect(mails.first?.text.contains("nobody answered (gave up after 3 calls)") == true)
        #expect(mails.first?.text.contains("Calls made: 3") == true)
        await harness.stop()
    }

    @Test("the far end hangs up after page 1: the retry sends pages 2 and 3 only")
    func resumeAfterHangup() async throws {
        let harness = try await OutboundHarness.start()
        await harness.farEnd.script("5550104", hangUpAfterPages: [1])
        let submitted = try #require(try await harness.submit(["5550104"]).first)
        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .done)
        #expect(job.attempts.map(\.firstPage) == [1, 2])
        #expect(job.attempts.first?.pagesConfirmed == 1)
        #expect(job.attempts.first?.cause == .protocolFailure)
        try await waitUntil { await harness.farEnd.calls.count == 2 }
        let calls = await harness.farEnd.calls
        let sent = try FaxPageRaster.pages(of: harness.document(of: job))
        #expect(try FaxPageRaster.pages(of: calls[0].receivedFile) == Array(sent[0..<1]))
        #expect(try FaxPageRaster.pages(of: calls[1].receivedFile) == Array(sent[1...]))
        await harness.stop()
    }

    @Test("the server is cut mid-send: the job is recorded as interrupted; after a restart no confirmed page is sent again")
    func restartMidSend() async throws {
        let ami = try await TestAMIServer.start()
        let farEnd = try OutboundFarEnd()
        let first = try await OutboundHarness.start(ami: ami, farEnd: farEnd)
        let submitted = try #require(try await first.submit(["5550105"]).first)
        // Page 1 is confirmed and recorded; then the server is cut (cancelled, past any grace).
        let sending = try await first.waitForJob(submitted.id, in: [.done], or: { $0.nextPage >= 2 })
        #expect(sending.state == .sending)
        await first.stop()
        let jobID = try #require(submitted.id)
        let left = try #require(try await first.database.job(id: jobID))
        #expect(left.state == .requeued && left.lastCause == .interrupted && left.tries == 1)
        #expect(left.nextPage >= 2)

        let second = try await OutboundHarness.start(ami: ami, farEnd: farEnd, dataDirectory: first.server.configuration.dataDirectory)
        let job = try await second.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .done)
        #expect(job.attempts.contains { $0.cause == .interrupted })
        #expect(job.tries == 2)
        let resumedAt = try #require(job.attempts.last?.firstPage)
        #expect(resumedAt == left.nextPage)
        try await waitUntil { await farEnd.calls.count == 2 }
        let calls = await farEnd.calls
        let sent = try FaxPageRaster.pages(of: second.document(of: job))
        let secondCall = try #require(calls.last)
        #expect(try FaxPageRaster.pages(of: secondCall.receivedFile) == Array(sent[(resumedAt - 1)...]))
        await second.stop()
    }

    @Test("a job a crash left on the line (kill -9): requeued as interrupted at the next start, resumed where it stopped")
    func crashLeftAJobOnTheLine() async throws {
        let folder = try TestDocuments.makeTemporaryDirectory("crash-outbound")
        var configuration = FaxlineConfiguration(dataDirectory: folder.path)
        configuration.minimumFreeBytes = 0
        let database = try FaxDatabase(path: configuration.databasePath)
        // What the dead process left: a job sending, page 1 confirmed.
        let submitted = try #require(try await JobSubmitter(jobs: database, spoolRoot: configuration.spoolDirectory)
            .submit(JobSubmission(numbers: ["5550108"], files: [try TestDocuments.letter().path])).first)
        let dialing = try submitted.dial(at: Date())
        try await database.saveJob(dialing.job, expecting: .queued)
        let sending = try dialing.job.answered()
        try await database.saveJob(sending.job, expecting: .dialing)
        try await database.saveJob(try sending.job.pageConfirmed(nextPage: 2).job, expecting: .sending)

        let harness = try await OutboundHarness.start(dataDirectory: folder.path)
        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .done && job.tries == 2)
        #expect(job.attempts.map(\.cause) == [.interrupted, nil])
        #expect(job.attempts.last?.firstPage == 2)
        try await waitUntil { await harness.farEnd.calls.count == 1 }
        let sent = try FaxPageRaster.pages(of: harness.document(of: job))
        #expect(try FaxPageRaster.pages(of: try #require(await harness.farEnd.calls.first).receivedFile) == Array(sent[1...]))
        await harness.stop()
    }

    @Test("the manager connection drops: jobs wait (not failed, nothing counted), status says why, then they go")
    func managerDownAndBack() async throws {
        let harness = try await OutboundHarness.start()
        let dispatcher = try #require(harness.server.server.outbound)
        try await harness.ami.waitForLogins(count: 1)
        await harness.ami.shutdown()
        try await waitUntil { dispatcher.statusLine.contains("waiting: Asterisk manager") }
        let submitted = try #require(try await harness.submit(["5550106"], document: try Self.onePage()).first)
        // The dispatcher looks at the queue a few times while the manager is down.
        let passes = dispatcher.passes
        #expect(try await eventually { dispatcher.passes >= passes + 3 })
        let jobID = try #require(submitted.id)
        let waiting = try #require(try await harness.database.job(id: jobID))
        #expect(waiting.state == .queued && waiting.dials == 0 && waiting.attempts.isEmpty)

        try await harness.ami.startListening()
        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .done && job.dials == 1)
        #expect(dispatcher.statusLine.contains("ready"))
        await harness.stop()
    }

    @Test("priorities: lower number first; a not-before time is respected")
    func prioritiesAndNotBefore() async throws {
        let harness = try await OutboundHarness.start { $0.lines = 1 }
        await harness.ami.setDefaultOriginateScript(.noAnswer)
        // The document is converted once (a template job far in the future); the jobs under
        // test are stored in one transaction, so they are all there when they become due.
        let template = try #require(try await harness.submit(["5550200"], document: try Self.onePage()) {
            $0.notBefore = Date().addingTimeInterval(3600)
        }.first)
        let start = Date()
        func job(_ number: String, priority: Int, after seconds: TimeInterval) throws -> Job {
            try Job(number: number, document: template.document, pageCount: template.pageCount, priority: priority, maxDials: 1,
                    submittedAt: start, notBefore: start.addingTimeInterval(seconds))
        }
        let jobs = try await harness.database.submitJobs([
            try job("5550201", priority: 200, after: 0.5), try job("5550202", priority: 10, after: 0.5),
            try job("5550203", priority: 127, after: 0.5), try job("5550204", priority: 0, after: 2),
        ])
        for job in jobs { _ = try await harness.waitForJob(job.id, in: [.failed]) }
        let dialed = await harness.ami.originates.compactMap { $0.variables["FAXLINE_NUMBER"] }
        #expect(dialed == ["5550202", "5550203", "5550201", "5550204"])
        let laterID = try #require(jobs.last?.id)
        let laterJob = try #require(try await harness.database.job(id: laterID))
        let laterCall = try #require(laterJob.attempts.first?.startedAt)
        #expect(laterCall >= start.addingTimeInterval(1.99))
        await harness.stop()
    }

    @Test("a broadcast to 5 numbers on 4 lines: one broadcast id, at most 4 calls at once, one per number, all done")
    func broadcast() async throws {
        let harness = try await OutboundHarness.start { $0.lines = 4 }
        let numbers = (1...5).map { "55503\(String(format: "%02d", $0))" }
        let jobs = try await harness.submit(numbers, document: try Self.onePage())
        #expect(jobs.count == 5 && Set(jobs.map(\.broadcastID)).count == 1)
        // Another fax to a number of the broadcast waits for that number's call to end.
        let again = try await harness.submit([numbers[0]], document: try Self.onePage())
        for job in jobs + again {
            let finished = try await harness.waitForJob(job.id, in: [.done, .failed])
            #expect(finished.state == .done)
        }
        #expect(await harness.farEnd.maximumConcurrent <= 4)
        #expect(await harness.farEnd.maximumConcurrent >= 2)
        try await waitUntil { await harness.farEnd.calls.count == 6 }
        #expect(Set(await harness.farEnd.calls.map(\.number)) == Set(numbers))
        #expect(await harness.farEnd.maximumPerNumber == 1)
        await harness.stop()
    }

    @Test("killing a job on the line hangs up at once; the job stays killed with the call in its history")
    func killDuringSend() async throws {
        let harness = try await OutboundHarness.start()
        let dispatcher = try #require(harness.server.server.outbound)
        let submitted = try #require(try await harness.submit(["5550107"]).first)
        let sending = try await harness.waitForJob(submitted.id, in: [.done, .failed], or: { $0.nextPage >= 2 })
        #expect(sending.state == .sending)
        // The dispatcher applies the kill to the call it has on the line: no database poll.
        #expect(try await dispatcher.kill(jobID: try #require(submitted.id), by: "test") == .killed)
        try await waitUntil { await harness.farEnd.calls.count == 1 }
        #expect(await harness.farEnd.calls.first?.outcome.farEnd?.isSuccess == false)
        try await waitUntil { harness.server.lines.snapshot().lines.allSatisfy { $0.state == .idle } }
        let job = try await harness.waitForJob(submitted.id, in: [], or: { $0.attempts.count == 1 })
        #expect(job.state == .killed && job.reason == "killed by test")
        #expect(job.attempts.first?.result.contains("killed") == true)
        #expect(job.nextPage >= 2 && job.tries == 1 && job.dials == 1)
        #expect(await harness.ami.originates.count == 1)
        // A killed job cannot be killed again; the caller is told why.
        await #expect(throws: JobTransitionError.self) { try await dispatcher.kill(jobID: try #require(submitted.id), by: "test") }
        await harness.stop()
    }

    @Test("faxline status: outbound is off without an [ami] username, ready once the manager is logged in")
    func statusLine() async throws {
        let plain = try await ServerHarness.start()
        #expect(plain.server.outbound == nil)
        try await waitUntil { (try? ServerStatus.read(from: plain.configuration.statusPath))?.outbound?.hasPrefix("off") == true }
        await plain.stop()

        let harness = try await OutboundHarness.start()
        try await waitUntil {
            (try? ServerStatus.read(from: harness.server.configuration.statusPath))?.report().contains("outbound: ready") == true
        }
        await harness.stop()
    }

    @Test("reserve_inbound: with 2 lines and 1 reserved, outbound jobs go one at a time")
    func reserveInbound() async throws {
        let harness = try await OutboundHarness.start {
            $0.lines = 2
            $0.reserveInbound = 1
        }
        let jobs = try await harness.submit(["5550401", "5550402"], document: try Self.onePage())
        for job in jobs {
            let finished = try await harness.waitForJob(job.id, in: [.done, .failed])
            #expect(finished.state == .done)
        }
        #expect(await harness.farEnd.maximumConcurrent == 1)
        await harness.stop()
    }

    /// A one-page text document (converted like any submission).
    static func onePage() throws -> URL {
        let file = try TestDocuments.makeTemporaryDirectory("doc").appendingPathComponent("note.txt")
        try "Fax test page\n\nOne page of text.\n".write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
