import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Telephony
import Testing

/// Far ends as they are on real lines — silent for a while, never sending, sending with gaps —
/// against Asterisk's rule that `AudioSocket()` hangs up after 2 s in which neither side sent
/// anything. Faxline's own 20 ms clock keeps every call alive; T.30's timers end the ones
/// without a fax machine, and the outcome says so.
@Suite("Calls on real lines", .serialized)
struct CallsOnRealLinesTests {
    // MARK: - Inbound

    @Test("inbound: the caller is silent for 10 s, then faxes — not hung up, received")
    func inboundSilentThenFax() async throws {
        let harness = try await ServerHarness.start()
        let outcome = try await harness.emulator.placeInboundCall(
            try ServerHarness.call(sending: try onePage(), behaviour: .silentThenFax(.seconds(10))))
        #expect(!outcome.hungUpForInactivity)
        #expect(outcome.variables["FAXSTATUS"] == "SUCCESS")
        // 500 steps of silence were each answered with a frame of the server's own.
        #expect(outcome.serverFrames >= outcome.mediaFrames + 500)
        #expect(try await harness.onlyFax().status == .received)
        await harness.stop()
    }

    @Test("inbound: the caller never sends a frame — kept alive until T.30 gives up, recorded as failed")
    func inboundNeverSends() async throws {
        let harness = try await ServerHarness.start()
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call(behaviour: .neverSends))
        #expect(!outcome.hungUpForInactivity)
        #expect(outcome.mediaFrames == 0)
        #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        #expect(outcome.variables["FAXPAGES"] == "0")
        let fax = try await harness.onlyFax()
        #expect(fax.status == .failed && fax.session.duration >= 20, "\(fax.session.statusString) after \(fax.session.duration) s")
        // The answering side's own rule ended it: DIS repeated, no answer, disconnect.
        #expect(fax.session.statusString == "Disconnected after permitted retries")
        // The server sent a frame every 20 ms for all of it.
        #expect(Double(outcome.serverFrames) >= fax.session.duration * 50 - 1)
        #expect(harness.lines.snapshot().lines.allSatisfy { $0.state == .idle })
        await harness.stop()
    }

    @Test("inbound: 300 ms gaps in page 2 — kept alive; T.30 ends the damaged page; page 1 is kept and mailed")
    func inboundGapsMidPage() async throws {
        let harness = try await ServerHarness.start()
        let outcome = try await harness.emulator.placeInboundCall(
            try ServerHarness.call(behaviour: .gapsMidPage(fromPage: 2)))
        #expect(!outcome.hungUpForInactivity)
        #expect(outcome.gaps > 0 && outcome.droppedFrames >= 15 * outcome.gaps)
        try await Self.expectPartial(outcome, harness: harness)
        await harness.stop()
    }

    @Test("inbound: a burst after a gap in page 2 is not answered with a burst — one frame per tick")
    func inboundBurstMidPage() async throws {
        let harness = try await ServerHarness.start()
        let outcome = try await harness.emulator.placeInboundCall(try ServerHarness.call(behaviour: .burstMidPage(page: 2)))
        #expect(!outcome.hungUpForInactivity)
        #expect(outcome.gaps == 1 && outcome.burstFrames == 15)
        // Every step got exactly one frame back (the last step may end the call instead).
        #expect(outcome.serverFrames <= outcome.steps && outcome.serverFrames >= outcome.steps - 1)
        try await Self.expectPartial(outcome, harness: harness)
        await harness.stop()
    }

    /// The far end's audio went missing mid-page (a sender's image data cannot be made up):
    /// T.30's own rules end the call, and the pages that came whole are filed and mailed.
    static func expectPartial(_ outcome: EmulatedCallOutcome, harness: ServerHarness) async throws {
        let fax = try await harness.onlyFax()
        #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        #expect(fax.status == .partial && fax.session.pages >= 1, "\(fax.session.statusString)")
        let tiff = try #require(fax.files.tiff).absolutePath(under: harness.spoolRoot)
        let sent = try FaxPageRaster.pages(of: TestDocuments.letter().path)
        #expect(try FaxPageRaster.pages(of: tiff) == Array(sent[0..<fax.session.pages]))
        #expect(try await harness.smtp.waitForMessages(count: 1).count == 1)
    }

    @Test("inbound in real time, on the production clock: a silent caller gets a frame every 20 ms")
    func inboundRealTimeClock() async throws {
        let harness = try await ServerHarness.start(realTimeMedia: true)
        var call = try ServerHarness.call(behaviour: .hangsUp(after: .seconds(3)))
        call.pacing = .realTime
        let outcome = try await harness.emulator.placeInboundCall(call)
        #expect(!outcome.hungUpForInactivity)
        #expect(outcome.mediaFrames == 0)
        // 3 s of calls at 50 frames a second, give or take the start and a busy machine.
        #expect(outcome.serverFrames >= 120 && outcome.serverFrames <= 160)
        #expect(try await harness.onlyFax().status == .failed)
        await harness.stop()
    }

    // MARK: - Outbound

    @Test("outbound: the far end answers and is silent for 10 s, then faxes — done")
    func outboundSilentThenFax() async throws {
        let harness = try await OutboundHarness.start()
        await harness.farEnd.script("5550501", behaviour: .silentThenFax(.seconds(10)))
        let submitted = try #require(try await harness.submit(["5550501"], document: try onePage()).first)
        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .done && job.tries == 1)
        try await waitUntil { await harness.farEnd.calls.count == 1 }
        let call = try #require(await harness.farEnd.calls.first)
        #expect(!call.outcome.hungUpForInactivity && call.outcome.farEnd?.isSuccess == true)
        await harness.stop()
    }

    @Test("outbound: answered, but nothing ever comes — T1 ends it as no carrier, never a protocol failure")
    func outboundNeverSends() async throws {
        let harness = try await OutboundHarness.start()
        await harness.farEnd.script("5550502", behaviour: .neverSends)
        let submitted = try #require(try await harness.submit(["5550502"], document: try onePage()) { $0.maxTries = 1 }.first)
        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .failed)
        #expect(job.attempts.map(\.cause) == [.noCarrier])
        #expect(job.attempts.first?.result.hasPrefix("no fax machine answered") == true)
        #expect(job.reason == "no fax machine answered (gave up after 1 tries)")
        try await waitUntil { await harness.farEnd.calls.count == 1 }
        #expect(await harness.farEnd.calls.first?.outcome.hungUpForInactivity == false)
        await harness.stop()
    }

    @Test("outbound: hung up before T.30 started — no carrier, retried after retry_no_carrier")
    func outboundHungUpBeforeT30() async throws {
        let harness = try await OutboundHarness.start()
        await harness.farEnd.script("5550503", behaviour: .hangsUp(after: .seconds(1)))
        let submitted = try #require(try await harness.submit(["5550503"], document: try onePage()).first)
        let job = try await harness.waitForJob(submitted.id, in: [.failed], or: { !$0.attempts.isEmpty })
        #expect(job.attempts.first?.cause == .noCarrier)
        #expect(job.attempts.first?.result.contains("hung up before any fax tone") == true)
        await harness.stop()
    }

    @Test("outbound: 300 ms gaps mid-page from the receiver — done, pages identical",
          arguments: [EmulatedFaxMachine.Behaviour.gapsMidPage(), .burstMidPage()])
    func outboundGapsMidPage(behaviour: EmulatedFaxMachine.Behaviour) async throws {
        let harness = try await OutboundHarness.start()
        await harness.farEnd.script("5550504", behaviour: behaviour)
        let submitted = try #require(try await harness.submit(["5550504"], document: try onePage()).first)
        let job = try await harness.waitForJob(submitted.id, in: [.done, .failed])
        #expect(job.state == .done)
        try await waitUntil { await harness.farEnd.calls.count == 1 }
        let call = try #require(await harness.farEnd.calls.first)
        #expect(call.outcome.gaps > 0 && !call.outcome.hungUpForInactivity)
        // Never a burst back: one frame per step.
        #expect(call.outcome.serverFrames <= call.outcome.steps && call.outcome.serverFrames >= call.outcome.steps - 1)
        #expect(try FaxPageRaster.pages(of: call.receivedFile) == FaxPageRaster.pages(of: harness.document(of: job)))
        await harness.stop()
    }

    // MARK: - The rule itself

    @Test("Asterisk's inactivity rule hangs up a peer that only answers frames: after 2 s of emulated time")
    func inactivityRuleLockStep() async throws {
        let clock = LockStepMediaClock()
        let peer = try await AnswerOnlyPeer.start(clock: clock)
        let machine = EmulatedFaxMachine(role: .receive(into: "/dev/null"), behaviour: .neverSends)
        let outcome = await AsteriskEmulator.connectOutboundCall(uuid: UUID(), port: peer.port, machine: machine, clock: clock)
        #expect(outcome.hungUpForInactivity)
        #expect(outcome.steps == 100 && outcome.serverFrames == 0)
        await peer.stop()
    }

    @Test("Asterisk's inactivity rule in real time: 2 s of wall time with nothing sent either way")
    func inactivityRuleRealTime() async throws {
        let peer = try await AnswerOnlyPeer.start(clock: nil)
        let machine = EmulatedFaxMachine(role: .receive(into: "/dev/null"), behaviour: .neverSends)
        let started = ContinuousClock.now
        let outcome = await AsteriskEmulator.connectOutboundCall(
            uuid: UUID(), port: peer.port, machine: machine, pacing: .realTime, clock: nil)
        #expect(outcome.hungUpForInactivity && outcome.serverFrames == 0)
        #expect(ContinuousClock.now - started >= .seconds(2))
        await peer.stop()
    }

    // MARK: - Every way out leaves a final record

    @Test("the caller hangs up before the audio connects: the record is final, the line free")
    func callerHangsUpBeforeAudio() async throws {
        let harness = try await ServerHarness.start()
        var call = try ServerHarness.call()
        call.audio = .callerHangsUpFirst
        let outcome = try await harness.emulator.placeInboundCall(call)
        #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        let fax = try await harness.onlyFax()
        #expect(fax.status == .failed)
        #expect(fax.events.contains { $0.text.contains("audio never connected") && $0.text.contains("application returned") })
        #expect(harness.lines.snapshot().lines.allSatisfy { $0.state == .idle })
        #expect(harness.lines.snapshot().counters.failed == 1)
        await harness.stop()
    }

    @Test("the audio never connects: after the connect timeout (on the injected clock) the record is final")
    func audioNeverConnects() async throws {
        let clock = TestClock()
        let harness = try await ServerHarness.start(clock: clock)
        let gate = AsyncGate()
        var call = try ServerHarness.call()
        call.audio = .neverConnects(gate)
        let emulator = harness.emulator
        let neverConnected = call
        try await withThrowingTaskGroup(of: EmulatedCallOutcome.self) { group in
            group.addTask { try await emulator.placeInboundCall(neverConnected) }
            #expect(try await eventually { harness.lines.snapshot().lines.contains { $0.state == .receiving } })
            // Without time passing on the clock, the call waits.
            #expect(try await harness.onlyFax().status == .receiving)
            // Time passes (in steps, until the call's wait has begun and run out).
            #expect(try await eventually {
                clock.advance(by: harness.configuration.mediaConnectTimeout)
                return try await harness.onlyFax().status == .failed
            })
            gate.open()
            let outcome = try #require(try await group.next())
            #expect(outcome.variables["FAXSTATUS"] == "FAILED")
        }
        let fax = try await harness.onlyFax()
        #expect(fax.events.contains { $0.text.contains("did not connect the call's audio within 3") })
        #expect(harness.lines.snapshot().lines.allSatisfy { $0.state == .idle })
        await harness.stop()
    }

    @Test("the AGI connection drops right after the answer: the record is final, the line free")
    func agiDropsAfterAnswer() async throws {
        let harness = try await ServerHarness.start()
        var call = try ServerHarness.call()
        call.dropsAGIAfterAnswer = true
        _ = try? await harness.emulator.placeInboundCall(call)
        #expect(try await eventually { try await harness.onlyFax().status == .failed })
        #expect(try await eventually { harness.lines.snapshot().lines.allSatisfy { $0.state == .idle } })
        await harness.stop()
    }

    @Test("the server stops during a call: the call is hung up and its record is final, not left receiving")
    func shutdownDuringCall() async throws {
        let harness = try await ServerHarness.start()
        let gate = AsyncGate()
        var call = try ServerHarness.call()
        call.mediaGate = gate
        let emulator = harness.emulator
        let held = call
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await emulator.placeInboundCall(held) }
            #expect(try await eventually { harness.lines.snapshot().lines.contains { $0.state == .receiving } })
            #expect(try await eventually { harness.mediaClock.activeCalls == 1 })
            await harness.stop()
            gate.open()
            try await group.waitForAll()
        }
        // Final whichever way the cut showed itself first (our hang-up, the closed connection).
        let fax = try await harness.onlyFax()
        #expect(fax.status == .failed && fax.finishedAt != nil)
    }

    @Test("outbound: answered, but the audio never comes — after the connect timeout, no carrier")
    func outboundAudioNeverConnects() async throws {
        let clock = TestClock()
        // The requeued job must not be dialed again while the test looks at it.
        let harness = try await OutboundHarness.start(clock: clock) { $0.outbound.retry.noCarrier = 3600 }
        await harness.farEnd.neverConnectAudio("5550505")
        // The dispatcher looks at the queue only when woken (its poll waits on the test clock):
        // wake it until it has seen the manager logged in.
        let dispatcher = try #require(harness.server.server.outbound)
        #expect(try await eventually {
            dispatcher.wake()
            return dispatcher.statusLine.hasPrefix("ready")
        })
        let submitted = try #require(try await harness.submit(["5550505"], document: try onePage()).first)
        _ = try await harness.waitForJob(submitted.id, in: [.sending])
        // The call waits for its audio on the clock; time passes until its wait has run out.
        #expect(try await eventually {
            clock.advance(by: harness.server.configuration.mediaConnectTimeout)
            return try await harness.database.job(id: try #require(submitted.id))?.state == .requeued
        })
        let job = try await harness.waitForJob(submitted.id, in: [.requeued, .failed])
        #expect(job.attempts.first?.cause == .noCarrier)
        #expect(job.attempts.first?.result.contains("audio never reached Faxline") == true)
        #expect(job.dials == 1 && job.tries == 1)
        await harness.stop()
    }
}
